/**
 * @module gateway/engine
 * The one path every LLM call takes, independent of HTTP, as orchestration only: find the model group
 * that can serve the call type, admit (budgets), pick a deployment, run one attempt through its provider
 * family (upstream-call.ts), retry or fall back on errors that say they are retryable, price the usage,
 * hand the spend event to the ledger, settle the reservation. Streaming and non-streaming share the
 * retry loop; wire formats (JSON, SSE framing, the final cost chunk) belong to the providers.
 */
import { performance } from 'node:perf_hooks';
import type { AccessControl, Admission, AuthContext } from '../access/types.js';
import { assembleStream } from '../cache/stream-assemble.js';
import { replayAsStream } from '../cache/stream-replay.js';
import type { CacheDirective, CachedAnswer, ResponseCacheHook } from '../cache/types.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { SpendEvent, SpendSink } from '../ledger/spend-event.js';
import type { Logger } from '../logger.js';
import {
  type Catalog,
  type Cost,
  explainCost,
  type PriceOverrides,
  priceUsage,
  type ResolvedPricing,
  resolveResponseModel,
  type Usage,
} from '../pricing/index.js';
import { countPromptTokens } from '../providers/token-count.js';
import type { CallType } from '../providers/types.js';
import { buildModelGroups, type ModelGroup, pickDeployment } from '../router/model-groups.js';
import { attemptBudget, backoffMs } from '../router/retry-policy.js';
import { readTracking, stripGatewayFields, type TrackingInfo } from './call-context.js';
import type { DeploymentRuntime } from './deployment-runtime.js';
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
  /** Told about each failed attempt that is retried on another deployment (metrics: fallbacks). */
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
  /** How this call uses the response cache; null when the cache is off or not for this call. */
  readonly cache: CacheDirective | null;
}

export interface CompletedCall {
  /** JSON text of the response body. */
  body: string;
  cost: Cost;
  costText: string;
  runtime: DeploymentRuntime;
  event: SpendEvent;
  /** Answered from the response cache. */
  cacheHit?: boolean;
}

/** Where a streamed answer goes (the HTTP layer's raw response, or the library's iterator). */
export interface StreamOutput {
  /** Called once, before the first byte; the stream can no longer be retried after it. */
  start(runtime: DeploymentRuntime): void;
  /** Returns a promise when the consumer applies back-pressure. */
  write(text: string): void | Promise<void>;
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
  readonly groups: Map<string, ModelGroup<DeploymentRuntime>>;
  modelNames(): string[];
  prepare(req: CallRequest): Promise<CallPlan>;
  complete(plan: CallPlan): Promise<CompletedCall>;
  stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary>;
  /** Reprices from the current catalog (after a cost-map reload). */
  setRuntimes(runtimes: DeploymentRuntime[]): void;
}

interface GroupIndex {
  all: Map<string, ModelGroup<DeploymentRuntime>>;
  /** Per call type: the groups restricted to members whose family serves it. */
  byCallType: Map<CallType, Map<string, ModelGroup<DeploymentRuntime>>>;
  names: string[];
}

function indexGroups(runtimes: DeploymentRuntime[]): GroupIndex {
  const all = buildModelGroups(runtimes);
  const byCallType = new Map<CallType, Map<string, ModelGroup<DeploymentRuntime>>>();
  const callTypes = new Set<CallType>();
  for (const rt of runtimes) for (const t of rt.callTypes) callTypes.add(t);
  for (const t of callTypes)
    byCallType.set(t, buildModelGroups(runtimes.filter((rt) => rt.callTypes.has(t))));
  return { all, byCallType, names: [...all.keys()] };
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
  let index = indexGroups(opts.runtimes);
  const responseModelPricing = new Map<string, ResolvedPricing | null>();
  const { logger } = opts;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  function unknownModel(model: unknown): GatewayError {
    const what =
      typeof model === 'string' ? `Model "${model}" is not configured` : 'Field "model" is required';
    return new GatewayError(
      'TG_ERR_UNKNOWN_MODEL',
      `${what}. Available models: ${index.names.length ? index.names.join(', ') : '(none)'}.`,
      { param: 'model' },
    );
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
    const any = name === undefined ? undefined : index.all.get(name);
    if (!any) throw unknownModel(body.model);
    const group = index.byCallType.get(callType)?.get(any.name);
    if (!group) throw unsupportedCall(any, callType);
    validateBody(callType, body);
    const cache = opts.cache ? opts.cache.directive(callType, body) : null;
    const tracking = readTracking(body, req.auth.tags);
    const stream = body.stream === true && callType !== 'embedding' && callType !== 'image_generation';
    let admission: Admission | null = null;
    if (opts.access) {
      let promptTokens: number | null = null;
      const countPrompt = () => {
        promptTokens ??= countPromptTokens(body, group.members[0].config.upstreamModel);
        return promptTokens;
      };
      let maxCost: string | null = null;
      admission = await opts.access.admit(req.auth, {
        requestId: req.requestId,
        callType,
        modelGroup: group.name,
        endUser: tracking.endUser,
        tags: tracking.tags,
        // Lazy: the tokenizer only runs when a budget actually needs the worst case.
        get maxCostUsd() {
          maxCost ??= worstCaseCost(group, callType, body, countPrompt(), opts.timeoutSeconds);
          return maxCost;
        },
        get promptTokens() {
          return countPrompt();
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
      body: stripGatewayFields(body, callType === 'anthropic_messages'),
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
    let resolved = rt.pricing;
    if (resolved.unpriced && responseModel) {
      const k = `${rt.config.provider}\0${responseModel}`;
      let r = responseModelPricing.get(k);
      if (r === undefined) {
        r = resolveResponseModel(responseModel, rt.config.provider, opts.catalog());
        responseModelPricing.set(k, r);
      }
      if (r) resolved = r;
    }
    const cost = priceUsage(resolved, usage, plan.overrides);
    // One debug line per request; for an unpriced deployment it reads "source=unpriced".
    if (logger.isLevelEnabled('debug')) {
      logger.debug({ requestId: plan.requestId, deployment: rt.label }, `pricing: ${explainCost(cost)}`);
    }
    return cost;
  }

  /** Records the call's one spend event, settles the reservation and runs the callbacks. */
  function record(plan: CallPlan, rt: DeploymentRuntime | null, r: Recorded): SpendEvent {
    plan.recorded = true;
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

  function timeoutMsOf(rt: DeploymentRuntime): number {
    return (rt.config.timeout ?? opts.timeoutSeconds) * 1000;
  }

  /**
   * The one retry/fallback loop. `attempt` may call `markStarted` once bytes reached the client: from
   * then on the call is never retried. A call that ends in an error is recorded once, here.
   */
  async function withRetries<T>(
    plan: CallPlan,
    attempt: (rt: DeploymentRuntime, markStarted: () => void) => Promise<T>,
  ): Promise<T> {
    const tried = new Set<DeploymentRuntime>();
    let rt = pickDeployment(plan.group, null);
    const budget = attemptBudget(rt.config.maxRetries ?? opts.numRetries, timeoutMsOf(rt) / 1000);
    for (let n = 1; ; n++) {
      tried.add(rt);
      let started = false;
      try {
        return await attempt(rt, () => {
          started = true;
        });
      } catch (err) {
        const ge = asGatewayError(err);
        if (!started && ge.retryable && n < budget.maxAttempts && Date.now() < budget.deadline) {
          logger.warn(
            { requestId: plan.requestId, deployment: rt.label, attempt: n, err: ge.message },
            'retrying',
          );
          if (opts.onRetry) {
            try {
              opts.onRetry(plan, rt, ge);
            } catch (err) {
              logger.error({ err }, 'onRetry callback threw');
            }
          }
          await sleep(backoffMs(n, ge.headers?.['retry-after']));
          rt = pickDeployment(plan.group, tried);
          continue;
        }
        if (ge.code === 'TG_ERR_INTERNAL') logger.error({ err, requestId: plan.requestId }, 'call failed');
        if (!plan.recorded) record(plan, rt, { usage: null, cost: null, error: ge });
        throw ge;
      }
    }
  }

  async function completeOnce(plan: CallPlan, rt: DeploymentRuntime): Promise<CompletedCall> {
    const t0 = performance.now();
    const call = await openUpstream(plan, rt, timeoutMsOf(rt), undefined);
    const { json, raw } = await readJsonBody(call, rt, timeoutMsOf(rt));
    const durationMs = Math.round(performance.now() - t0);
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
    const upstreamAbort = new AbortController();
    const onClientGone = () => upstreamAbort.abort();
    out.signal.addEventListener('abort', onClientGone, { once: true });
    try {
      const t0 = performance.now();
      const call: UpstreamCall = await openUpstream(plan, rt, timeoutMsOf(rt), upstreamAbort.signal);
      const decoder = call.handler.decoder?.(call.input);
      if (!decoder)
        throw new GatewayError('TG_ERR_UNSUPPORTED', `${rt.label} cannot stream ${plan.callType}.`);
      markStarted();
      out.start(rt);
      let broken: GatewayError | null = null;
      try {
        for await (const chunk of call.reply.body) {
          const text = decoder.push(chunk);
          if (text) {
            const w = out.write(text);
            if (w) await w;
          }
        }
      } catch (err) {
        // Client gone (we aborted upstream), or the upstream broke mid-stream: bill what was generated.
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
      usage.durationMs = Math.round(performance.now() - t0);
      const cost = price(rt, usage, outcome.responseModel, plan);
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
    } finally {
      out.signal.removeEventListener('abort', onClientGone);
    }
  }

  // ---- response cache (only reached when the cache is on for this call) ----

  /** The deployment that produced a cached answer, or the group's first member if it is gone. */
  function runtimeOf(plan: CallPlan, hit: CachedAnswer): DeploymentRuntime {
    return plan.group.members.find((m) => m.config.id === hit.deploymentId) ?? plan.group.members[0];
  }

  /** Records a cache hit: spend 0, the stored answer's tokens, what it saved. */
  function recordHit(plan: CallPlan, rt: DeploymentRuntime, hit: CachedAnswer): SpendEvent {
    const u = hit.usage;
    const usage: Usage = {
      inputTokens: u.inputTokens,
      cacheReadTokens: u.cacheReadTokens,
      cacheWriteTokens: u.cacheWriteTokens,
      audioInputTokens: 0,
      outputTokens: u.outputTokens,
      reasoningTokens: u.reasoningTokens,
      audioOutputTokens: 0,
      durationMs: 0,
      estimated: false,
    };
    return record(plan, rt, { usage, cost: zeroCost(), error: null, hit, response: undefined });
  }

  function answerOf(plan: CallPlan, body: string, event: SpendEvent): CachedAnswer {
    return {
      v: 1,
      callType: plan.callType,
      body,
      deploymentId: event.deploymentId ?? '',
      costText: event.spend,
      usage: {
        inputTokens: event.promptTokens,
        outputTokens: event.completionTokens,
        cacheReadTokens: event.cacheReadTokens,
        cacheWriteTokens: event.cacheCreationTokens,
        reasoningTokens: event.reasoningTokens,
      },
      createdAt: Date.now(),
    };
  }

  async function completeCached(plan: CallPlan): Promise<CompletedCall> {
    const cache = opts.cache as ResponseCacheHook;
    const d = plan.cache as CacheDirective;
    const hit = d.read ? await cache.lookup(d) : null;
    if (hit) {
      const rt = runtimeOf(plan, hit);
      const event = recordHit(plan, rt, hit);
      return { body: hit.body, cost: zeroCost(), costText: event.spend, runtime: rt, event, cacheHit: true };
    }
    const r = await withRetries(plan, (rt) => completeOnce(plan, rt));
    if (d.write && !r.event.estimated) cache.store(d, answerOf(plan, r.body, r.event));
    return r;
  }

  async function streamCached(plan: CallPlan, out: StreamOutput): Promise<StreamSummary> {
    const cache = opts.cache as ResponseCacheHook;
    const d = plan.cache as CacheDirective;
    const hit = d.read ? await cache.lookup(d) : null;
    if (hit) {
      const text = replayAsStream(plan.callType, hit.body, plan.includeUsage, plan.requestId);
      if (text !== null) {
        const rt = runtimeOf(plan, hit);
        const event = recordHit(plan, rt, hit);
        out.start(rt);
        if (!out.signal.aborted) {
          const w = out.write(text);
          if (w) await w;
        }
        out.end();
        return { cost: zeroCost(), costText: event.spend, runtime: rt, event, error: null };
      }
    }
    if (!d.write) return withRetries(plan, (rt, markStarted) => streamOnce(plan, rt, out, markStarted));
    // Keep what the client receives, to store the answer once the stream ended cleanly.
    const parts: string[] = [];
    let size = 0;
    const capture: StreamOutput = {
      signal: out.signal,
      start: (rt) => out.start(rt),
      write(text) {
        size += text.length;
        if (size <= cache.maxEntryChars) parts.push(text);
        return out.write(text);
      },
      end: () => out.end(),
    };
    const s = await withRetries(plan, (rt, markStarted) => streamOnce(plan, rt, capture, markStarted));
    if (!s.error && !s.event.estimated && !out.signal.aborted && size <= cache.maxEntryChars) {
      const body = assembleStream(plan.callType, parts.join(''));
      if (body !== null) cache.store(d, answerOf(plan, body, s.event));
    }
    return s;
  }

  return {
    get groups() {
      return index.all;
    },
    modelNames: () => index.names,
    prepare,
    complete: (plan) =>
      plan.cache ? completeCached(plan) : withRetries(plan, (rt) => completeOnce(plan, rt)),
    stream: (plan, out) =>
      plan.cache
        ? streamCached(plan, out)
        : withRetries(plan, (rt, markStarted) => streamOnce(plan, rt, out, markStarted)),
    setRuntimes(runtimes) {
      index = indexGroups(runtimes);
      responseModelPricing.clear();
    },
  };
}

function asGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('TG_ERR_INTERNAL', 'Internal error while calling the upstream.', { cause: err });
}

function zeroCost(): Cost {
  return { costUsd: 0n, source: 'cache_hit', unpriced: false, tier: null, lines: [], unitPrices: {} };
}

function promptOf(body: Record<string, unknown>): unknown {
  return body.messages ?? body.prompt ?? body.input ?? null;
}
