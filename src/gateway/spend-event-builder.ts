/**
 * @module gateway/spend-event-builder
 * Turns a finished call (success or failure) into the SpendEvent the ledger stores. As LiteLLM records them:
 * `model` is the model sent to the provider (without the `provider/` prefix, which is in `provider`), `api_base`
 * the base URL the call went to (from the config, the provider's environment variable or its default). When the
 * router retried or fell back, `metadata.tollgate_routing` lists the attempts and the fallback path; the
 * deployment columns name the one that answered.
 */
import type { AuthContext } from '../access/types.js';
import type { GatewayError } from '../errors.js';
import type { SpendEvent } from '../ledger/spend-event.js';
import { type Cost, costToJSON, formatMoney, type Usage } from '../pricing/index.js';
import type { CallType } from '../providers/types.js';
import type { RouteSummary } from '../router/attempt-plan.js';
import type { TrackingInfo } from './call-context.js';
import type { DeploymentRuntime } from './deployment-runtime.js';

export interface FinishedCall {
  requestId: string;
  callType: CallType;
  modelGroup: string;
  auth: AuthContext;
  tracking: TrackingInfo;
  runtime: DeploymentRuntime | null;
  stream: boolean;
  startTime: number;
  endTime: number;
  usage: Usage | null;
  /** The provider's usage object as it was sent. */
  rawUsage?: unknown;
  cost: Cost | null;
  error: GatewayError | null;
  messages?: unknown;
  response?: unknown;
  /** What the router did (attempts, fallback path), when it did more than one attempt. */
  routing?: RouteSummary;
}

/** The normalised usage as stored for re-pricing (only the fields that are set). */
function usageRecord(u: Usage): Record<string, unknown> {
  const r: Record<string, unknown> = {
    inputTokens: u.inputTokens,
    cacheReadTokens: u.cacheReadTokens,
    cacheWriteTokens: u.cacheWriteTokens,
    audioInputTokens: u.audioInputTokens,
    outputTokens: u.outputTokens,
    reasoningTokens: u.reasoningTokens,
    audioOutputTokens: u.audioOutputTokens,
    durationMs: u.durationMs,
  };
  if (u.cacheWrite1hTokens) r.cacheWrite1hTokens = u.cacheWrite1hTokens;
  if (u.images) r.images = u.images;
  if (u.serviceTier !== undefined) r.serviceTier = u.serviceTier;
  if (u.batch) r.batch = true;
  if (u.estimated) r.estimated = true;
  return r;
}

export function buildSpendEvent(c: FinishedCall): SpendEvent {
  const u = c.usage;
  const rt = c.runtime;
  let metadata = Object.keys(c.auth.metadata).length
    ? { ...c.tracking.metadata, key_metadata: c.auth.metadata }
    : c.tracking.metadata;
  const routing = c.routing;
  if (routing && (routing.attempts.length > 1 || routing.fallback_path)) {
    metadata = { ...metadata, tollgate_routing: routing };
  }
  const ev: SpendEvent = {
    requestId: c.requestId,
    callType: c.callType,
    apiKey: c.auth.keyHash,
    keyAlias: c.auth.keyAlias,
    user: c.auth.userId,
    teamId: c.auth.teamId,
    endUser: c.tracking.endUser,
    requestTags: c.tracking.tags,
    metadata,
    modelGroup: c.modelGroup,
    model: rt ? rt.config.upstreamModel : '',
    provider: rt ? rt.config.provider : '',
    apiBase: rt ? rt.apiBase : null,
    deploymentId: rt ? rt.config.id : null,
    // A call that failed after tokens were generated (mid-stream error) is billed for them.
    spend: c.cost ? formatMoney(c.cost.costUsd) : '0',
    promptTokens: u?.inputTokens ?? 0,
    completionTokens: u?.outputTokens ?? 0,
    totalTokens: (u?.inputTokens ?? 0) + (u?.outputTokens ?? 0),
    cacheReadTokens: u?.cacheReadTokens ?? 0,
    cacheCreationTokens: u?.cacheWriteTokens ?? 0,
    reasoningTokens: u?.reasoningTokens ?? 0,
    durationMs: u?.durationMs ?? Math.max(0, c.endTime - c.startTime),
    startTime: c.startTime,
    endTime: c.endTime,
    status: c.error ? 'failure' : 'success',
    errorType: c.error ? c.error.type : null,
    errorMessage: c.error ? c.error.message : null,
    httpStatus: c.error ? c.error.status : 200,
    stream: c.stream,
    estimated: u?.estimated ?? false,
    pricingSource: c.cost?.source ?? rt?.pricing.source ?? 'unpriced',
    unitPrices: c.cost?.unitPrices ?? {},
    costBreakdown: c.cost ? costToJSON(c.cost) : null,
    rawUsage: c.rawUsage ?? null,
    priceVersion: c.cost?.priceVersion ?? rt?.pricing.priceVersion ?? null,
    unpricedParts: c.cost && c.cost.unpricedParts.length > 0 ? c.cost.unpricedParts : null,
    usage: u ? usageRecord(u) : null,
  };
  if (c.messages !== undefined) ev.messages = c.messages;
  if (c.response !== undefined) ev.response = c.response;
  return ev;
}
