/**
 * @module gateway/engine
 * The one path every LLM call takes, independent of HTTP: pick a deployment, admit (budgets),
 * call the provider (or the mock), retry on retryable failures, read usage, price it, hand the
 * spend event to the ledger, settle the reservation. Used by the HTTP routes and the library API.
 */
import { performance } from 'node:perf_hooks';
import type { AccessControl, Admission, AuthContext } from '../access/types.js';
import { GatewayError, isGatewayError } from '../errors.js';
import type { SpendEvent, SpendSink } from '../ledger/spend-event.js';
import type { Logger } from '../logger.js';
import {
  type Catalog,
  type Cost,
  emptyUsage,
  explainCost,
  formatMoney,
  type PriceOverrides,
  priceUsage,
  type ResolvedPricing,
  resolveResponseModel,
  type Usage,
} from '../pricing/index.js';
import { mockResponse, mockStream } from '../providers/mock/index.js';
import { usageToOpenAi } from '../providers/shared/openai-usage.js';
import { redactSecrets } from '../providers/shared/redact.js';
import { countPromptTokens, countTextTokens } from '../providers/token-count.js';
import type { CallType, ParsedResponse, StreamDecoder, StreamResult } from '../providers/types.js';
import { buildModelGroups, type ModelGroup, pickDeployment } from '../router/model-groups.js';
import { attemptBudget, backoffMs, isRetryableStatus } from '../router/retry-policy.js';
import { readTracking, stripGatewayFields, type TrackingInfo } from './call-context.js';
import type { DeploymentRuntime } from './deployment-runtime.js';
import { validateRequestParams } from './request-params.js';
import { buildSpendEvent } from './spend-event-builder.js';
import { classifyUpstreamFailure, sendUpstream } from './upstream-client.js';

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
  readonly group: ModelGroup<DeploymentRuntime>;
  readonly clientBody: Record<string, unknown>;
  /** Body to forward: gateway-only fields removed. */
  readonly body: Record<string, unknown>;
  readonly stream: boolean;
  readonly tracking: TrackingInfo;
  readonly auth: AuthContext;
  readonly admission: Admission | null;
  readonly startTime: number;
  readonly overrides: PriceOverrides | undefined;
  /** mock_response given in the request body. */
  readonly mockText: string | null;
}

export interface CompletedCall {
  /** JSON text of the response body. */
  body: string;
  cost: Cost;
  costText: string;
  runtime: DeploymentRuntime;
  event: SpendEvent;
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
}

/** Placeholder replaced by the exact cost text in the final chunk's JSON. */
const COST_MARK = '"__tollgate_cost__"';

export interface Engine {
  readonly groups: Map<string, ModelGroup<DeploymentRuntime>>;
  modelNames(): string[];
  prepare(req: CallRequest): Promise<CallPlan>;
  complete(plan: CallPlan): Promise<CompletedCall>;
  stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary>;
  /** Reprices from the current catalog (after a cost-map reload). */
  setRuntimes(runtimes: DeploymentRuntime[]): void;
}

export function createEngine(opts: EngineOptions): Engine {
  let groups = buildModelGroups(opts.runtimes);
  let names = [...groups.keys()];
  const responseModelPricing = new Map<string, ResolvedPricing | null>();
  const { logger } = opts;

  function unknownModel(model: unknown): GatewayError {
    const what =
      typeof model === 'string' ? `Model "${model}" is not configured` : 'Field "model" is required';
    return new GatewayError(
      'TG_ERR_UNKNOWN_MODEL',
      `${what}. Available models: ${names.length ? names.join(', ') : '(none)'}.`,
      { param: 'model' },
    );
  }

  async function prepare(req: CallRequest): Promise<CallPlan> {
    const { body, callType } = req;
    const group = typeof body.model === 'string' ? groups.get(body.model) : undefined;
    if (!group) throw unknownModel(body.model);
    validateBody(callType, body);
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
      let ceiling: string | null = null;
      admission = await opts.access.admit(req.auth, {
        requestId: req.requestId,
        callType,
        modelGroup: group.name,
        endUser: tracking.endUser,
        // Lazy: the tokenizer only runs when a budget actually needs the worst case.
        get maxCostUsd() {
          maxCost ??= worstCaseCost(group, callType, body, countPrompt(), opts.timeoutSeconds);
          return maxCost;
        },
        get promptTokens() {
          return countPrompt();
        },
        // What it could cost if the upstream ignored max_tokens (the model's output limit).
        get ceilingCostUsd() {
          ceiling ??= worstCaseCost(group, callType, body, countPrompt(), opts.timeoutSeconds, true);
          return ceiling;
        },
      });
    }
    return {
      requestId: req.requestId,
      callType,
      modelGroup: group.name,
      group,
      clientBody: body,
      body: stripGatewayFields(body, callType === 'anthropic_messages'),
      stream,
      tracking,
      auth: req.auth,
      admission,
      startTime: Date.now(),
      overrides: req.overrides,
      mockText: typeof body.mock_response === 'string' ? body.mock_response : null,
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

  function finish(
    plan: CallPlan,
    rt: DeploymentRuntime | null,
    usage: Usage | null,
    cost: Cost | null,
    error: GatewayError | null,
    response?: unknown,
  ): SpendEvent {
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
      usage,
      cost,
      error,
      messages: opts.storePrompts ? promptOf(plan.clientBody) : undefined,
      response: opts.storePrompts ? response : undefined,
    });
    try {
      opts.sink?.record(event);
    } catch (err) {
      logger.error({ err, requestId: plan.requestId }, 'spend sink failed');
    }
    const costText = event.spend;
    plan.admission?.settle(error ? '0' : costText, event.totalTokens);
    const cb = error ? opts.onFailure : opts.onSuccess;
    if (cb) {
      try {
        cb({ event, responseCost: costText, cost, error });
      } catch (err) {
        logger.error({ err }, 'callback threw');
      }
    }
    return event;
  }

  function maxAttemptsFor(rt: DeploymentRuntime): ReturnType<typeof attemptBudget> {
    return attemptBudget(rt.config.maxRetries ?? opts.numRetries, timeoutOf(rt));
  }

  function timeoutOf(rt: DeploymentRuntime): number {
    return rt.config.timeout ?? opts.timeoutSeconds;
  }

  async function attemptOnce(
    plan: CallPlan,
    rt: DeploymentRuntime,
  ): Promise<{ parsed: ParsedResponse; text: string }> {
    const mock = plan.mockText ?? rt.config.mockResponse;
    if (mock !== undefined && mock !== null) {
      const t0 = performance.now();
      const parsed = mockResponse(plan.callType, plan.body, rt.config, mock);
      fillImageRequest(plan, parsed.usage);
      parsed.usage.durationMs = Math.round(performance.now() - t0);
      return { parsed, text: JSON.stringify(parsed.body) };
    }
    const adapter = rt.adapter!;
    const prepared = adapter.buildRequest(plan.callType, plan.body, rt.config, false);
    const timeoutMs = timeoutOf(rt) * 1000;
    const t0 = performance.now();
    let res: Awaited<ReturnType<typeof sendUpstream>>;
    let raw: string;
    try {
      res = await sendUpstream(prepared, timeoutMs, undefined);
      raw = await res.body.text();
    } catch (err) {
      throw classifyUpstreamFailure(err, rt.label, timeoutMs);
    }
    const durationMs = Math.round(performance.now() - t0);
    if (res.statusCode >= 400) throw upstreamHttpError(rt, res.statusCode, raw, res.headers['retry-after']);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new GatewayError('TG_ERR_UPSTREAM', `Upstream deployment ${rt.label} returned invalid JSON.`);
    }
    const parsed = adapter.parseResponse(plan.callType, json, rt.config);
    if (parsed.usageMissing) parsed.usage = estimateUsage(plan, rt, responseText(parsed.body), null);
    fillImageRequest(plan, parsed.usage);
    parsed.usage.durationMs = durationMs;
    // OpenAI-compatible adapters hand the upstream object back unchanged: reuse its text.
    return { parsed, text: parsed.body === json ? raw : JSON.stringify(parsed.body) };
  }

  async function complete(plan: CallPlan): Promise<CompletedCall> {
    const tried = new Set<DeploymentRuntime>();
    let rt = pickDeployment(plan.group, null);
    const budget = maxAttemptsFor(rt);
    for (let attempt = 1; ; attempt++) {
      tried.add(rt);
      try {
        const { parsed, text } = await attemptOnce(plan, rt);
        const cost = price(rt, parsed.usage, parsed.responseModel, plan);
        const event = finish(plan, rt, parsed.usage, cost, null, parsed.body);
        return { body: text, cost, costText: event.spend, runtime: rt, event };
      } catch (err) {
        const ge = asGatewayError(err);
        if (attempt < budget.maxAttempts && retryable(ge) && Date.now() < budget.deadline) {
          logger.warn(
            { requestId: plan.requestId, deployment: rt.label, attempt, err: ge.message },
            'retrying',
          );
          await sleep(backoffMs(attempt, ge.headers?.['retry-after']));
          rt = pickDeployment(plan.group, tried);
          continue;
        }
        finish(plan, rt, null, null, ge);
        throw ge;
      }
    }
  }

  async function stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary> {
    const tried = new Set<DeploymentRuntime>();
    let rt = pickDeployment(plan.group, null);
    const budget = maxAttemptsFor(rt);
    for (let attempt = 1; ; attempt++) {
      tried.add(rt);
      let started = false;
      try {
        return await streamOnce(plan, rt, out, () => {
          started = true;
        });
      } catch (err) {
        const ge = asGatewayError(err);
        if (
          !started &&
          !out.signal.aborted &&
          attempt < budget.maxAttempts &&
          retryable(ge) &&
          Date.now() < budget.deadline
        ) {
          logger.warn(
            { requestId: plan.requestId, deployment: rt.label, attempt, err: ge.message },
            'retrying',
          );
          await sleep(backoffMs(attempt, ge.headers?.['retry-after']));
          rt = pickDeployment(plan.group, tried);
          continue;
        }
        if (!started) finish(plan, rt, null, null, ge);
        throw ge;
      }
    }
  }

  async function streamOnce(
    plan: CallPlan,
    rt: DeploymentRuntime,
    out: StreamOutput,
    markStarted: () => void,
  ): Promise<StreamSummary> {
    const mock = plan.mockText ?? rt.config.mockResponse;
    const t0 = performance.now();
    let result: StreamResult;
    let cutShort = false;
    if (mock !== undefined && mock !== null) {
      const m = mockStream(plan.callType, plan.body, rt.config, mock);
      markStarted();
      out.start(rt);
      for (const chunk of m.chunks) {
        if (out.signal.aborted) {
          cutShort = true;
          break;
        }
        const w = out.write(chunk);
        if (w) await w;
      }
      result = m.result;
    } else {
      const adapter = rt.adapter!;
      const prepared = adapter.buildRequest(plan.callType, plan.body, rt.config, true);
      const timeoutMs = timeoutOf(rt) * 1000;
      const upstreamAbort = new AbortController();
      const onClientGone = () => upstreamAbort.abort();
      out.signal.addEventListener('abort', onClientGone, { once: true });
      let decoder: StreamDecoder | null = null;
      try {
        let res: Awaited<ReturnType<typeof sendUpstream>>;
        try {
          res = await sendUpstream(prepared, timeoutMs, upstreamAbort.signal);
        } catch (err) {
          throw classifyUpstreamFailure(err, rt.label, timeoutMs);
        }
        if (res.statusCode >= 400) {
          const raw = await res.body.text().catch(() => '');
          throw upstreamHttpError(rt, res.statusCode, raw, res.headers['retry-after']);
        }
        decoder = adapter.createStreamDecoder(plan.callType, rt.config);
        markStarted();
        out.start(rt);
        const td = new TextDecoder();
        try {
          for await (const chunk of res.body) {
            const text = decoder.push(td.decode(chunk as Buffer, { stream: true }));
            if (text) {
              const w = out.write(text);
              if (w) await w;
            }
          }
          const rest = td.decode();
          if (rest) {
            const text = decoder.push(rest);
            if (text) out.write(text);
          }
        } catch (err) {
          // Client gone (we aborted upstream) or upstream broke mid-stream: bill what was generated.
          cutShort = true;
          if (!out.signal.aborted) {
            logger.warn(
              { requestId: plan.requestId, deployment: rt.label, err: String(err) },
              'upstream stream broke',
            );
          }
        }
        result = decoder.finish();
      } finally {
        out.signal.removeEventListener('abort', onClientGone);
      }
    }
    const durationMs = Math.round(performance.now() - t0);
    const usage: Usage =
      !result.usage || cutShort ? estimateUsage(plan, rt, result.text, result.usage) : result.usage;
    usage.durationMs = durationMs;
    const cost = price(rt, usage, result.responseModel, plan);
    const event = finish(plan, rt, usage, cost, null, { text: result.text });
    if (!out.signal.aborted) {
      if (result.tail) await out.write(result.tail);
      if (result.usageChunk) {
        const chunk = result.usageChunk as { usage?: Record<string, unknown> | null };
        const reported = usage === result.usage && chunk.usage ? chunk.usage : usageToOpenAi(usage);
        chunk.usage = { ...reported, cost: '__tollgate_cost__', request_id: plan.requestId };
        if (usage.estimated) chunk.usage.estimated = true;
        const json = JSON.stringify(chunk).replace(COST_MARK, event.spend);
        await out.write(`data: ${json}\n\ndata: [DONE]\n\n`);
      }
    }
    out.end();
    return { cost, costText: event.spend, runtime: rt, event };
  }

  return {
    get groups() {
      return groups;
    },
    modelNames: () => names,
    prepare,
    complete,
    stream,
    setRuntimes(runtimes) {
      groups = buildModelGroups(runtimes);
      names = [...groups.keys()];
      responseModelPricing.clear();
    },
  };
}

/** Counts what the upstream did not report (or what a cut stream generated), flagged as estimated. */
function estimateUsage(plan: CallPlan, rt: DeploymentRuntime, text: string, partial: Usage | null): Usage {
  const model = rt.config.upstreamModel;
  const input = partial?.inputTokens || countPromptTokens(plan.body, model);
  const output = Math.max(partial?.outputTokens ?? 0, countTextTokens(text, model));
  return {
    ...emptyUsage(),
    inputTokens: input,
    cacheReadTokens: partial?.cacheReadTokens ?? 0,
    cacheWriteTokens: partial?.cacheWriteTokens ?? 0,
    outputTokens: output,
    reasoningTokens: partial?.reasoningTokens ?? 0,
    estimated: true,
  };
}

/** The generated text of a non-streaming OpenAI-shaped response (for estimating its usage). */
function responseText(body: Record<string, unknown>): string {
  const choices = Array.isArray(body.choices) ? (body.choices as Array<Record<string, unknown>>) : [];
  let text = '';
  for (const c of choices) {
    const m = c.message as { content?: unknown } | undefined;
    if (typeof m?.content === 'string') text += m.content;
    else if (typeof c.text === 'string') text += c.text;
  }
  return text;
}

/** Image prices depend on the requested size/quality, which not every upstream echoes. */
function fillImageRequest(plan: CallPlan, usage: Usage): void {
  if (plan.callType !== 'image_generation') return;
  const n = typeof plan.body.n === 'number' ? plan.body.n : 1;
  const images = usage.images ?? { count: n };
  if (!images.size && typeof plan.body.size === 'string') images.size = plan.body.size;
  if (!images.quality && typeof plan.body.quality === 'string') images.quality = plan.body.quality;
  usage.images = images;
}

function upstreamHttpError(
  rt: DeploymentRuntime,
  status: number,
  raw: string,
  retryAfter: string | string[] | undefined,
): GatewayError {
  const parsed = rt.adapter ? rt.adapter.parseError(status, raw) : { message: raw.slice(0, 500) };
  const message = redactSecrets(`Upstream deployment ${rt.label} returned ${status}: ${parsed.message}`, [
    rt.config.apiKey,
  ]);
  const ra = Array.isArray(retryAfter) ? retryAfter[0] : retryAfter;
  return new GatewayError('TG_ERR_UPSTREAM', message, {
    status,
    headers: ra ? { 'retry-after': ra } : undefined,
  });
}

function retryable(e: GatewayError): boolean {
  if (e.code === 'TG_ERR_UPSTREAM_UNREACHABLE' || e.code === 'TG_ERR_UPSTREAM_TIMEOUT') return true;
  return e.code === 'TG_ERR_UPSTREAM' && isRetryableStatus(e.status);
}

function asGatewayError(err: unknown): GatewayError {
  if (isGatewayError(err)) return err;
  return new GatewayError('TG_ERR_INTERNAL', 'Internal error while calling the upstream.', { cause: err });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function validateBody(callType: CallType, body: Record<string, unknown>): void {
  const need = (field: string, ok: boolean, what: string) => {
    if (!ok) throw new GatewayError('TG_ERR_BAD_REQUEST', `Field "${field}" ${what}.`, { param: field });
  };
  switch (callType) {
    case 'chat':
    case 'anthropic_messages':
      need('messages', Array.isArray(body.messages) && body.messages.length > 0, 'must be a non-empty array');
      break;
    case 'completion':
      need(
        'prompt',
        typeof body.prompt === 'string' || Array.isArray(body.prompt),
        'must be a string or an array',
      );
      break;
    case 'embedding':
      need(
        'input',
        typeof body.input === 'string' || Array.isArray(body.input),
        'must be a string or an array',
      );
      break;
    case 'image_generation':
      need('prompt', typeof body.prompt === 'string', 'must be a string');
      break;
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') {
    need('stream', false, 'must be a boolean');
  }
  validateRequestParams(callType, body);
}

function promptOf(body: Record<string, unknown>): unknown {
  return body.messages ?? body.prompt ?? body.input ?? null;
}

/**
 * Worst-case cost of a request for budget reservation: every prompt token at the input price
 * plus max_tokens (or the model's output limit) at the output price, on the most expensive
 * deployment of the group.
 */
function worstCaseCost(
  group: ModelGroup<DeploymentRuntime>,
  callType: CallType,
  body: Record<string, unknown>,
  promptTokens: number,
  timeoutSeconds: number,
  ignoreRequested = false,
): string {
  const requested = num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens);
  let worst = 0n;
  for (const rt of group.members) {
    const modelMax = num(rt.config.modelInfo?.max_output_tokens) ?? rt.pricing.maxOutputTokens;
    const limit = ignoreRequested ? (modelMax ?? requested) : requested;
    const maxOut = callType === 'embedding' ? 0 : (limit ?? rt.pricing.maxOutputTokens ?? 4096);
    const images = num(body.n) ?? 1;
    const usage: Usage = {
      ...emptyUsage(),
      inputTokens: promptTokens,
      outputTokens: maxOut,
      durationMs: (rt.config.timeout ?? timeoutSeconds) * 1000,
      estimated: true,
      images:
        callType === 'image_generation'
          ? {
              count: images,
              size: body.size as string | undefined,
              quality: body.quality as string | undefined,
            }
          : undefined,
    };
    const c = priceUsage(rt.pricing, usage).costUsd;
    if (c > worst) worst = c;
  }
  return formatMoney(worst);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}
