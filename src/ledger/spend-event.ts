/**
 * @module ledger/spend-event
 * What the gateway hands the ledger after every request, success or failure. Plain JSON-able
 * data (money as exact decimal strings) so it can be appended to the spool as one line.
 */
import type { CallType } from '../providers/types.js';

export interface SpendEvent {
  requestId: string;
  callType: CallType;
  /** sha256 hex of the virtual key; '' when the master key / open mode was used. */
  apiKey: string;
  keyAlias: string | null;
  /** Internal user owning the key. */
  user: string | null;
  teamId: string | null;
  /** The request's `user` (customer). */
  endUser: string | null;
  requestTags: string[];
  /** The request's other metadata keys. */
  metadata: Record<string, unknown>;
  /** The `model` the client asked for. */
  modelGroup: string;
  /** The model sent to the provider (litellm_params.model without its provider prefix), as LiteLLM records it. */
  model: string;
  provider: string;
  /** Upstream base URL, without credentials. */
  apiBase: string | null;
  deploymentId: string | null;
  /** Exact decimal string, e.g. "0.0021". "0" for failures. */
  spend: string;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  reasoningTokens: number;
  durationMs: number;
  /** Epoch milliseconds. */
  startTime: number;
  endTime: number;
  status: 'success' | 'failure';
  errorType: string | null;
  errorMessage: string | null;
  httpStatus: number;
  stream: boolean;
  estimated: boolean;
  /** custom | base_model:NAME | catalog:KEY@SNAPSHOT | response_model:NAME | unpriced */
  pricingSource: string;
  /** Unit prices used, LiteLLM key names → exact decimal strings. */
  unitPrices: Record<string, string>;
  /** The explanation lines (token class, quantity, unit price, amount). */
  costBreakdown: unknown;
  /** The provider's usage object exactly as it was sent (null when none), for audits and re-pricing. */
  rawUsage?: unknown;
  /** Id of the price version that priced the request (issue 14); null when not versioned. */
  priceVersion?: string | null;
  /** Usage classes with a quantity and no price: `[{kind, quantity, unit, reason}]`; null/absent when none. */
  unpricedParts?: Array<{ kind: string; quantity: number; unit: string; reason: string }> | null;
  /** The normalised usage (pricing/usage.ts field names), kept so history can be re-priced exactly. */
  usage?: Record<string, unknown> | null;
  /** Answered from the response cache (spend "0"). (additive, issue 17) */
  cacheHit?: boolean;
  /** The response-cache key of the request, when the cache was used. */
  cacheKey?: string | null;
  /** On a cache hit: what the cached answer cost when it was produced (exact decimal text). */
  savedSpend?: string | null;
  /** Only when general_settings.store_prompts_in_spend_logs is true. */
  messages?: unknown;
  response?: unknown;
}

/** The ledger's input: must not block and must not throw on the request path. */
export interface SpendSink {
  record(event: SpendEvent): void;
}
