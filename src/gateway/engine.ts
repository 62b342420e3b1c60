/**
 * @module gateway/engine
 * The one path every LLM call takes, independent of HTTP, as orchestration only: find the deployments that
 * serve the requested name and call type (model-directory.ts), admit (budgets), run attempts through their
 * provider families (upstream-call.ts) in the order the router's plan gives (router/attempt-plan.ts: strategy,
 * cooldowns, retries, fallbacks), price the usage, hand the one spend event to the ledger, settle the
 * reservation. Streaming and non-streaming share the retry loop; wire formats (JSON, SSE framing, the final
 * cost chunk) belong to the providers.
 */
import { performance } from 'node:perf_hooks';
import type { AccessControl, Admission, AuthContext } from '../access/types.js';
import type { CacheDirective, CachedAnswer, ResponseCacheHook } from '../cache/types.js';
import { defaultRouterPolicy } from '../config/router-settings.js';
import type { RouterPolicyConfig } from '../config/types.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { SpendEvent, SpendSink } from '../ledger/spend-event.js';
import type { Logger } from '../logger.js';
import {
  type Catalog,
  type Cost,
  explainCost,
  formatMoney,
  type PriceOverrides,
  priceUsage,
  type ResolvedPricing,
  resolveResponseModel,
  type Usage,
} from '../pricing/index.js';
import { countPromptTokens } from '../providers/token-count.js';
import { type CallType, STREAMING } from '../providers/types.js';
import { type AttemptStep, type RoutePlan, Router, type RouteSummary } from '../router/attempt-plan.js';
import { Cooldowns } from '../router/cooldowns.js';
import type { ModelGroup } from '../router/model-groups.js';
import { MemoryRoutingStats, type RoutingStats } from '../router/routing-stats.js';
import { createCachedCalls } from './cached-calls.js';
import { readTracking, stripGatewayFields, type TrackingInfo } from './call-context.js';
import type { DeploymentRuntime, DisabledRuntime } from './deployment-runtime.js';
import { ModelDirectory } from './model-directory.js';
import { validateBody } from './request-validation.js';
import { buildSpendEvent } from './spend-event-builder.js';
import { brokenStreamError, openUpstream, readJsonBody, type UpstreamCall } from './upstream-call.js';
import { estimateUsage, responseText } from './usage-estimate.js';
import { worstCaseCost } from './worst-case-cost.js';

export interface CallEvent {
  event: SpendEvent;
  /** Exact decimal text, e.g. "0.0021" (LiteLLM's kwargs["response_cost"]). */
  responseCost: string;
  cost: Cost | null;
  error: GatewayError | null;
}

export interface EngineOptions {
  runtimes: DeploymentRuntime[];
  /** Wildcard entries (made concrete per requested name) and disabled deployments, from buildRuntimes. */
  wildcards?: DeploymentRuntime[];
  disabled?: DisabledRuntime[];
  /** Routing strategy, fallbacks, cooldowns, retry policy (default: LiteLLM's defaults). */
  routerPolicy?: RouterPolicyConfig;
  /** Where the routing strategies keep their numbers (default in-process; Redis when configured). */
  routingStats?: RoutingStats;
  /** general_settings.require_pricing (applies to wildcard-made deployments too). */
  requirePricing?: boolean;
  /** Injectable for tests: the clock of cooldowns, the randomness of the strategies. */
  now?: () => number;
  random?: () => number;
  catalog: () => Catalog;
  logger: Logger;
  sink?: SpendSink | null;
  access?: AccessControl | null;
  storePrompts?: boolean;
  /** router_settings.num_retries, used when a deployment sets no max_retries. */
  numRetries: number;
  /** router_settings.timeout in seconds, used when a deployment sets no timeout. */
  timeoutSeconds: number;
  onSuccess?: (e: CallEvent) => void;
  onFailure?: (e: CallEvent) => void;
  /** Injectable pause between attempts (tests). */
  sleep?: (ms: number) => Promise<void>;
  /** Told about each failed attempt that is retried or falls back (metrics: fallbacks). */
  onRetry?: (plan: CallPlan, failed: DeploymentRuntime, error: GatewayError) => void;
  /** The response cache (litellm_settings.cache); absent = off, and the engine never touches it. */
  cache?: ResponseCacheHook | null;
}

export interface CallRequest {
  callType: CallType;
  body: Record<string, unknown>;
  auth: AuthContext;
  requestId: string;
  overrides?: PriceOverrides;
}

export interface CallPlan {
  readonly requestId: string;
  readonly callType: CallType;
  readonly modelGroup: string;
  /** The members of the model group that can serve this call type. */
  readonly group: ModelGroup<DeploymentRuntime>;
  readonly clientBody: Record<string, unknown>;
  /** Body to forward: gateway-only fields removed. */
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  /** The client asked for the final usage chunk (`stream_options.include_usage`). */
  readonly includeUsage: boolean;
  readonly tracking: TrackingInfo;
  readonly auth: AuthContext;
  readonly admission: Admission | null;
  readonly startTime: number;
  readonly overrides: PriceOverrides | undefined;
  /** mock_response given in the request body. */
  readonly mockResponse: string | undefined;
  /** Set once the call's spend event is recorded (exactly one per call). */
  recorded: boolean;
  /** The router's plan for this call (retries, fallbacks), set when the first attempt starts. */
  route?: RoutePlan<DeploymentRuntime>;
  /** How this call uses the response cache; null when the cache is off or not for this call. */
  readonly cache: CacheDirective | null;
}

export interface CompletedCall {
  /** JSON text of the response body (or plain text, see contentType). */
  body: string;
  /** Set when the body is not JSON (a transcription in text/srt/vtt). */
  contentType?: string;
  cost: Cost;
  costText: string;
  runtime: DeploymentRuntime;
  event: SpendEvent;
  /** Answered from the response cache. */
  cacheHit?: boolean;
}

/** What the client learns before the first streamed byte. */
export interface StreamHead {
  /** The decoder's content type (SSE when undefined). */
  contentType?: string;
  /** Set when the cost was known before streaming (speech): it goes into the response headers. */
  cost?: { text: string; source: string };
}

/** Where a streamed answer goes (the HTTP layer's raw response, or the library's iterator). */
export interface StreamOutput {
  /** Called once, before the first byte; the stream can no longer be retried after it. */
  start(runtime: DeploymentRuntime, head?: StreamHead): void;
  /** SSE text or bytes (audio). Returns a promise when the consumer applies back-pressure. */
  write(text: string | Uint8Array): void | Promise<void>;
  end(): void;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

export interface StreamSummary {
  cost: Cost;
  costText: string;
  runtime: DeploymentRuntime;
  event: SpendEvent;
  /** The call failed after the stream started (the client was told in-band). */
  error: GatewayError | null;
}

export interface Engine {
  /** Model groups with a fixed name (wildcard-made ones are not listed). */
  readonly groups: Map<string, ModelGroup<DeploymentRuntime>>;
  /** Exact names, aliases, wildcard resolution, disabled deployments. */
  readonly directory: ModelDirectory;
  modelNames(): string[];
  prepare(req: CallRequest): Promise<CallPlan>;
  complete(plan: CallPlan): Promise<CompletedCall>;
  stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary>;
  /** Reprices from the current catalog (after a cost-map reload); wildcards and disabled as in EngineOptions. */
  setRuntimes(
    runtimes: DeploymentRuntime[],
    more?: { wildcards?: DeploymentRuntime[]; disabled?: DisabledRuntime[] },
  ): void;
}

interface Recorded {
  usage: Usage | null;
  rawUsage?: unknown;
  cost: Cost | null;
  error: GatewayError | null;
  response?: unknown;
  /** The call was answered from the response cache with this stored answer. */
  hit?: CachedAnswer;
}

export function createEngine(opts: EngineOptions): Engine {
  const policy = opts.routerPolicy ?? defaultRouterPolicy();
  const directoryOf = (
    runtimes: DeploymentRuntime[],
    more: { wildcards?: DeploymentRuntime[]; disabled?: DisabledRuntime[] },
  ) =>
    new ModelDirectory({
      runtimes,
      wildcards: more.wildcards,
      disabled: more.disabled,
      aliases: policy.modelGroupAlias,
      catalog: opts.catalog,
      requirePricing: opts.requirePricing,
      logger: opts.logger,
    });
  let index = directoryOf(opts.runtimes, opts);
  const responseModelPricing = new Map<string, ResolvedPricing | null>();
  const { logger } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const unknownFallbacks = new Set<string>();
  const router = new Router<DeploymentRuntime>({
    policy,
    stats:
      opts.routingStats ??
      new MemoryRoutingStats({ latencyTtlMs: policy.latencyTtlSeconds * 1000, now: opts.now }),
    cooldowns: new Cooldowns({
      allowedFails: policy.allowedFails,
      allowedFailsPolicy: policy.allowedFailsPolicy,
      cooldownMs: policy.cooldownSeconds * 1000,
      disabled: policy.disableCooldowns,
      now: opts.now,
    }),
    numRetries: opts.numRetries,
    retriesOf: (rt) => rt.config.maxRetries,
    costOf: (rt) =>
      (rt.pricing.prices.input_cost_per_token ?? 0n) + (rt.pricing.prices.output_cost_per_token ?? 0n),
    random: opts.random,
    now: opts.now,
    onUnknownFallback: (from, name) => {
      const k = `${from}\0${name}`;
      if (unknownFallbacks.has(k)) return;
      unknownFallbacks.add(k);
      logger.warn(
        `fallback "${name}" of model "${from}" is not a model group that can serve this call: skipped`,
      );
    },
  });

  function unknownModel(model: unknown): GatewayError {
    const what =
      typeof model === 'string' ? `Model "${model}" is not configured` : 'Field "model" is required';
    const names = index.names();
    return new GatewayError(
      'TG_ERR_UNKNOWN_MODEL',
      `${what}. Available models: ${names.length ? names.join(', ') : '(none)'}.`,
      { param: 'model' },
    );
  }

  function disabledModel(name: string, disabled: readonly DisabledRuntime[]): GatewayError {
    const why = disabled.flatMap((d) => d.why);
    return new GatewayError(
      'TG_ERR_DEPLOYMENT_DISABLED',
      `Model "${name}" is not available: its deployment${disabled.length > 1 ? 's are' : ' is'} disabled by the gateway's configuration (${why.join('; ')}). The gateway's administrator has to fix config.yaml.`,
      { param: 'model' },
    );
  }

  function timeoutMsOf(rt: DeploymentRuntime, stream: boolean): number {
    const s = stream ? (rt.streamTimeout ?? policy.streamTimeout) : undefined;
    return (s ?? rt.config.timeout ?? opts.timeoutSeconds) * 1000;
  }

  function unsupportedCall(group: ModelGroup<DeploymentRuntime>, callType: CallType): GatewayError {
    const providers = [...new Set(group.members.map((m) => m.config.provider))].join(', ');
    const can = [...new Set(group.members.flatMap((m) => [...m.callTypes]))].join(', ');
    return new GatewayError(
      'TG_ERR_UNSUPPORTED',
      `Model "${group.name}" (provider ${providers}) does not support ${callType}; it serves: ${can}.`,
      { param: 'model' },
    );
  }

  async function prepare(req: CallRequest): Promise<CallPlan> {
    const { body, callType } = req;
    const name = typeof body.model === 'string' ? body.model : undefined;
    if (name === undefined) throw unknownModel(body.model);
    const found = index.resolve(name, callType);
    if (found.kind === 'unknown') throw unknownModel(name);
    if (found.kind === 'disabled') throw disabledModel(name, found.disabled);
    if (found.kind === 'unsupported') throw unsupportedCall(found.group, callType);
    const group = found.group;
    validateBody(callType, body);
    const cache = opts.cache ? opts.cache.directive(callType, body) : null;
    const tracking = readTracking(body, req.auth.tags);
    const streaming = STREAMING[callType];
    const stream = streaming === 'always' || (streaming === 'optional' && body.stream === true);
    let admission: Admission | null = null;
    if (opts.access) {
      let promptTokens: number | null = null;
      const countPrompt = () => {
        promptTokens ??= countPromptTokens(body, group.members[0].config.upstreamModel);
        return promptTokens;
      };
      let maxCost: string | null = null;
      let ceiling: string | null = null;
      // The worst case includes the fallback groups: a fallback may answer instead, at its price.
      const worstGroup = () => ({
        ...group,
        members: [...group.members, ...fallbackMembers(group.name, callType)],
      });
      admission = await opts.access.admit(req.auth, {
        requestId: req.requestId,
        callType,
        modelGroup: group.name,
        endUser: tracking.endUser,
        tags: tracking.tags,
        // Lazy: the tokenizer only runs when a budget actually needs the worst case.
        get maxCostUsd() {
          maxCost ??= worstCaseCost(worstGroup(), callType, body, countPrompt(), opts.timeoutSeconds);
          return maxCost;
        },
        get promptTokens() {
          return countPrompt();
        },
        // What it could cost if the upstream ignored max_tokens (the model's output limit).
        get ceilingCostUsd() {
          ceiling ??= worstCaseCost(worstGroup(), callType, body, countPrompt(), opts.timeoutSeconds, true);
          return ceiling;
        },
      });
    }
    const streamOptions = body.stream_options as { include_usage?: unknown } | undefined;
    return {
      requestId: req.requestId,
      callType,
      modelGroup: group.name,
      group,
      clientBody: body,
      body: stripGatewayFields(body, callType),
      stream,
      includeUsage: streamOptions?.include_usage === true,
      tracking,
      auth: req.auth,
      admission,
      startTime: Date.now(),
      overrides: req.overrides,
      mockResponse: typeof body.mock_response === 'string' ? body.mock_response : undefined,
      recorded: false,
      cache,
    };
  }

  function price(
    rt: DeploymentRuntime,
    usage: Usage,
    responseModel: string | undefined,
    plan: CallPlan,
  ): Cost {
    // The prices in effect when the request started (dated price versions).
    let resolved = rt.pricingAt ? rt.pricingAt(plan.startTime) : rt.pricing;
    if (resolved.unpriced && responseModel) {
      const k = `${rt.config.provider}\0${responseModel}`;
      let r = responseModelPricing.get(k);
      if (r === undefined) {
        r = resolveResponseModel(responseModel, rt.config.provider, opts.catalog());
        responseModelPricing.set(k, r);
      }
      if (r) resolved = r;
    }
    // The tier the provider reports having served wins; else the one the request asked for.
    if (usage.serviceTier === undefined && typeof plan.body.service_tier === 'string')
      usage.serviceTier = plan.body.service_tier;
    const cost = priceUsage(resolved, usage, plan.overrides);
    // One debug line per request; for an unpriced deployment it reads "source=unpriced".
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId: plan.requestId, deployment: rt.label }, `pricing: ${explainCost(cost)}`);
    }
    return cost;
  }

  /** The members of a group's fallback groups (general list) that can serve the call type. */
  function fallbackMembers(name: string, callType: CallType): DeploymentRuntime[] {
    const names = policy.fallbacks[name] ?? policy.fallbacks['*'] ?? policy.defaultFallbacks;
    const more = [
      ...(policy.contextWindowFallbacks[name] ?? []),
      ...(policy.contentPolicyFallbacks[name] ?? []),
    ];
    return [...new Set([...names, ...more])].flatMap((n) =>
      n === name ? [] : [...(index.lookup(n, callType) ?? [])],
    );
  }

  /**
   * Records the call's one spend event, settles the reservation and runs the callbacks. `route` is the routing
   * summary when the router already knows the outcome (a call given up after its last failed attempt); else the
   * attempt that ends the call here is added to it.
   */
  function record(
    plan: CallPlan,
    rt: DeploymentRuntime | null,
    r: Recorded,
    route?: RouteSummary,
  ): SpendEvent {
    plan.recorded = true;
    let routing = route;
    if (!routing && plan.route && rt) {
      routing = plan.route.summary(rt, r.error);
      if (r.error) plan.route.failed(rt, r.error, true);
      else
        plan.route.succeeded(
          rt,
          r.usage?.durationMs ?? 0,
          r.usage?.outputTokens ?? 0,
          totalTokensOf(r.usage),
        );
    }
    const event = buildSpendEvent({
      requestId: plan.requestId,
      callType: plan.callType,
      modelGroup: plan.modelGroup,
      auth: plan.auth,
      tracking: plan.tracking,
      runtime: rt,
      stream: plan.stream,
      startTime: plan.startTime,
      endTime: Date.now(),
      usage: r.usage,
      rawUsage: r.rawUsage,
      cost: r.cost,
      error: r.error,
      messages: opts.storePrompts ? promptOf(plan.clientBody) : undefined,
      response: opts.storePrompts ? r.response : undefined,
      routing,
    });
    if (plan.cache) {
      event.cacheKey = plan.cache.key;
      if (r.hit) {
        event.cacheHit = true;
        event.savedSpend = r.hit.costText;
      }
    }
    try {
      opts.sink?.record(event);
    } catch (err) {
      logger.error({ err, requestId: plan.requestId }, 'spend sink failed');
    }
    plan.admission?.settle(event.spend, event.totalTokens);
    const cb = r.error ? opts.onFailure : opts.onSuccess;
    if (cb) {
      try {
        cb({ event, responseCost: event.spend, cost: r.cost, error: r.error });
      } catch (err) {
        logger.error({ err }, 'callback threw');
      }
    }
    return event;
  }

  /** Logs an upstream error at debug (--detailed_debug): messages are redacted where the error was created. */
  function debugUpstream(plan: CallPlan, rt: DeploymentRuntime, ge: GatewayError): void {
    if (!logger.isLevelEnabled('debug')) return;
    logger.debug(
      { requestId: plan.requestId, deployment: rt.label, status: ge.status, code: ge.code },
      `upstream error: ${ge.message}`,
    );
  }

  /**
   * The one retry/fallback loop: the router's plan says which deployment each attempt goes to (retries inside
   * the group, then fallbacks). `attempt` may call `markStarted` once bytes reached the client: from then on
   * the call is never retried, nor once `signal` (the client) has gone. A call that ends in an error is
   * recorded once, here (failed attempts that were retried or fell back are not billed).
   */
  async function withRetries<T>(
    plan: CallPlan,
    attempt: (rt: DeploymentRuntime, markStarted: () => void) => Promise<T>,
    signal?: AbortSignal,
  ): Promise<T> {
    const route = router.plan({
      group: plan.modelGroup,
      members: plan.group.members,
      lookup: (name) => index.lookup(name, plan.callType),
      // Only usage-based routing needs this request's tokens (to keep each deployment under its tpm).
      estimatedTokens: policy.routingStrategy.startsWith('usage-based')
        ? countPromptTokens(plan.body, plan.group.members[0].config.upstreamModel)
        : 0,
      timeoutMs: timeoutMsOf(plan.group.members[0], plan.stream),
    });
    plan.route = route;
    let step: AttemptStep<DeploymentRuntime>;
    try {
      step = route.first();
    } catch (err) {
      const ge = asGatewayError(err);
      record(plan, null, { usage: null, cost: null, error: ge }, route.summary(null));
      throw ge;
    }
    for (;;) {
      if (step.delayMs > 0) await sleep(step.delayMs);
      const rt = step.deployment;
      let started = false;
      try {
        return await attempt(rt, () => {
          started = true;
        });
      } catch (err) {
        const ge = asGatewayError(err);
        if (ge.code !== 'TG_ERR_INTERNAL') debugUpstream(plan, rt, ge);
        const next = plan.recorded || signal?.aborted ? null : route.failed(rt, ge, started);
        if (next) {
          logger.warn(
            { requestId: plan.requestId, deployment: rt.label, err: ge.message },
            next.fallback && next.group !== step.group ? `falling back to "${next.group}"` : 'retrying',
          );
          if (opts.onRetry) {
            try {
              opts.onRetry(plan, rt, ge);
            } catch (err) {
              logger.error({ err }, 'onRetry callback threw');
            }
          }
          step = next;
          continue;
        }
        if (ge.code === 'TG_ERR_INTERNAL') logger.error({ err, requestId: plan.requestId }, 'call failed');
        if (!plan.recorded) record(plan, rt, { usage: null, cost: null, error: ge }, route.summary(null));
        throw ge;
      }
    }
  }

  async function completeOnce(plan: CallPlan, rt: DeploymentRuntime): Promise<CompletedCall> {
    const timeoutMs = timeoutMsOf(rt, false);
    const call = await openUpstream(plan, rt, timeoutMs, undefined);
    const { json, raw } = await readJsonBody(call, rt, timeoutMs);
    const durationMs = Math.round(performance.now() - call.sentAt);
    const parsed = call.handler.parse(json, raw, call.input);
    const usage =
      parsed.usage ?? estimateUsage(plan.body, rt.config.upstreamModel, responseText(parsed.body), null);
    usage.durationMs = durationMs;
    const cost = price(rt, usage, parsed.responseModel, plan);
    const event = record(plan, rt, {
      usage,
      rawUsage: parsed.rawUsage,
      cost,
      error: null,
      response: parsed.body,
    });
    return {
      body: parsed.text ?? JSON.stringify(parsed.body),
      contentType: parsed.contentType,
      cost,
      costText: event.spend,
      runtime: rt,
      event,
    };
  }

  async function streamOnce(
    plan: CallPlan,
    rt: DeploymentRuntime,
    out: StreamOutput,
    markStarted: () => void,
  ): Promise<StreamSummary> {
    // The client's signal aborts the upstream call when the client goes away.
    const call: UpstreamCall = await openUpstream(plan, rt, timeoutMsOf(rt, true), out.signal);
    const decoder = call.handler.decoder?.(call.input, call.reply);
    if (!decoder) throw new GatewayError('TG_ERR_UNSUPPORTED', `${rt.label} cannot stream ${plan.callType}.`);
    // Usage known from the request alone (speech characters) is priced now, for the headers.
    const known = decoder.knownUsage ? price(rt, { ...decoder.knownUsage }, undefined, plan) : null;
    markStarted();
    out.start(rt, {
      contentType: decoder.contentType,
      cost: known ? { text: formatMoney(known.costUsd), source: known.source } : undefined,
    });
    let broken: GatewayError | null = null;
    try {
      for await (const chunk of call.reply.body) {
        const text = decoder.push(chunk);
        if (text.length > 0) {
          const w = out.write(text);
          if (w) await w;
        }
      }
    } catch (err) {
      // Client gone (its signal aborted the upstream call), or the upstream broke mid-stream: bill what was generated.
      if (!out.signal.aborted) {
        broken = brokenStreamError(err, rt);
        logger.warn(
          { requestId: plan.requestId, deployment: rt.label, err: String(err) },
          'upstream stream broke',
        );
      }
    }
    const outcome = decoder.end();
    const error = outcome.error ?? broken;
    const clean = !error && !out.signal.aborted && outcome.usage !== null;
    const usage = clean
      ? (outcome.usage as Usage)
      : estimateUsage(plan.body, rt.config.upstreamModel, outcome.text, outcome.usage);
    usage.durationMs = Math.round(performance.now() - call.sentAt);
    const cost = known ?? price(rt, usage, outcome.responseModel, plan);
    const event = record(plan, rt, {
      usage,
      rawUsage: outcome.rawUsage,
      cost,
      error,
      response: { text: outcome.text },
    });
    if (error) {
      logger.warn(
        { requestId: plan.requestId, deployment: rt.label, err: error.message },
        'stream failed after start',
      );
    }
    if (!out.signal.aborted) {
      const w = out.write(
        decoder.finalize({
          usage,
          costText: event.spend,
          requestId: plan.requestId,
          includeUsage: plan.includeUsage,
          error,
        }),
      );
      if (w) await w;
    }
    out.end();
    return { cost, costText: event.spend, runtime: rt, event, error };
  }

  // The response cache, only reached when it is on for the call (cache/cached-calls.ts).
  const cached = opts.cache
    ? createCachedCalls({
        cache: opts.cache,
        record: (plan, rt, r) => record(plan, rt, r),
        complete: (plan) => withRetries(plan, (rt) => completeOnce(plan, rt)),
        stream: (plan, out) =>
          withRetries(plan, (rt, markStarted) => streamOnce(plan, rt, out, markStarted), out.signal),
      })
    : null;

  return {
    get groups() {
      return index.groups;
    },
    get directory() {
      return index;
    },
    modelNames: () => index.names(),
    prepare,
    complete: (plan) =>
      cached && plan.cache ? cached.complete(plan) : withRetries(plan, (rt) => completeOnce(plan, rt)),
    // A client that went away before the first byte is not retried for (its slot is released at once).
    stream: (plan, out) =>
      cached && plan.cache
        ? cached.stream(plan, out)
        : withRetries(plan, (rt, markStarted) => streamOnce(plan, rt, out, markStarted), out.signal),
    setRuntimes(runtimes, more) {
      index = directoryOf(
        runtimes,
        more ?? { wildcards: [...index.wildcards()], disabled: [...index.disabled] },
      );
      responseModelPricing.clear();
    },
  };
}

function asGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('TG_ERR_INTERNAL', 'Internal error while calling the upstream.', { cause: err });
}

function totalTokensOf(u: Usage | null): number {
  return u ? u.inputTokens + u.outputTokens : 0;
}

function promptOf(body: Record<string, unknown>): unknown {
  return body.messages ?? body.prompt ?? body.input ?? null;
}
