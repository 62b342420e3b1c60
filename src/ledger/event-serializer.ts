/**
 * @module ledger/event-serializer
 * SpendEvent → one spool line, for an event the gateway already answered: it must never throw and
 * never lose the money. The client-controlled parts (metadata, tags, stored prompt and response)
 * are copied within bounds (boundJson: depth, size, keys — no recursion past the depth limit, so
 * 5,000-level metadata cannot overflow the stack); what was cut is flagged in
 * `metadata.tollgate_truncated`. Everything else is scalars the gateway produced. If even that
 * fails, a last-resort line with only the billing fields is written.
 */
import { boundJson, isPlainJsonWithin, type JsonCut, type JsonLimits } from '../bounded-json.js';
import type { SpendEvent } from './spend-event.js';

/** Bounds for what the ledger stores per event (looser than the edge's, which reject with 400). */
export interface StoredEventLimits {
  metadata: JsonLimits;
  /** messages / response when prompts are stored. */
  prompt: JsonLimits;
  maxTags: number;
  maxTagChars: number;
  /** Free-text scalar fields (ids, aliases, error messages). */
  maxTextChars: number;
}

export const STORED_EVENT_LIMITS: StoredEventLimits = {
  // One long string may use an eighth of the budget, so that its smaller siblings survive a cut.
  metadata: { maxDepth: 32, maxBytes: 1024 * 1024, maxKeys: 10_000, maxString: 128 * 1024 },
  prompt: { maxDepth: 64, maxBytes: 16 * 1024 * 1024, maxKeys: 100_000, maxString: 2 * 1024 * 1024 },
  maxTags: 1000,
  maxTagChars: 1024,
  maxTextChars: 64 * 1024,
};

/** The flag written into metadata when part of an event was cut to be storable. */
export const TRUNCATION_FLAG = 'tollgate_truncated';

export interface SerializeOptions {
  storePrompts: boolean;
  limits?: StoredEventLimits;
}

/** Fields whose value the gateway computed: always kept verbatim (scalars only). */
const BILLING_FIELDS = [
  'requestId',
  'callType',
  'apiKey',
  'keyAlias',
  'user',
  'teamId',
  'endUser',
  'modelGroup',
  'model',
  'provider',
  'apiBase',
  'deploymentId',
  'spend',
  'promptTokens',
  'completionTokens',
  'totalTokens',
  'cacheReadTokens',
  'cacheCreationTokens',
  'reasoningTokens',
  'durationMs',
  'startTime',
  'endTime',
  'status',
  'errorType',
  'errorMessage',
  'httpStatus',
  'stream',
  'estimated',
  'pricingSource',
] as const satisfies ReadonlyArray<keyof SpendEvent>;

/** One JSON line (without '\n'). Never throws. */
export function serializeSpendEvent(event: SpendEvent, opts: SerializeOptions): string {
  try {
    // Hot path: an event whose client parts are plain data within the limits is written as is.
    if (fitsAsIs(event, opts)) {
      const e =
        !opts.storePrompts && (event.messages !== undefined || event.response !== undefined)
          ? { ...event, messages: undefined, response: undefined }
          : event;
      const line = JSON.stringify(e);
      if (typeof line === 'string') return line;
    }
  } catch {
    // fall through to the bounded copy
  }
  try {
    return JSON.stringify(boundedEvent(event, opts));
  } catch (err) {
    return lastResort(event, err);
  }
}

/** Whether boundedEvent would change nothing that matters (checked without copying). */
export function fitsAsIs(event: SpendEvent, opts: SerializeOptions): boolean {
  const limits = opts.limits ?? STORED_EVENT_LIMITS;
  if (typeof event !== 'object' || event === null) return false;
  if (!isPlainJsonWithin(event.metadata, limits.metadata)) return false;
  if (!isPlainJsonWithin(event.unitPrices, GATEWAY_LIMITS)) return false;
  if (!isPlainJsonWithin(event.costBreakdown, GATEWAY_LIMITS)) return false;
  if (opts.storePrompts) {
    if (!isPlainJsonWithin(event.messages, limits.prompt)) return false;
    if (!isPlainJsonWithin(event.response, limits.prompt)) return false;
  }
  const tags = event.requestTags;
  if (!Array.isArray(tags) || tags.length > limits.maxTags) return false;
  for (const t of tags) if (typeof t !== 'string' || t.length > limits.maxTagChars) return false;
  for (const f of BILLING_FIELDS) {
    const v = event[f];
    if (typeof v === 'string' ? v.length > limits.maxTextChars : typeof v === 'object' && v !== null)
      return false;
    if (typeof v === 'bigint') return false;
  }
  return true;
}

const GATEWAY_LIMITS: JsonLimits = { maxDepth: 16, maxBytes: 256 * 1024, maxKeys: 10_000 };

/** A copy of the event that JSON.stringify cannot fail on and that fits the stored limits. */
export function boundedEvent(event: SpendEvent, opts: SerializeOptions): Record<string, unknown> {
  const limits = opts.limits ?? STORED_EVENT_LIMITS;
  const flags: Record<string, JsonCut[] | string> = {};
  const out: Record<string, unknown> = {};
  for (const f of BILLING_FIELDS) out[f] = scalar(event[f], limits.maxTextChars, f, flags);

  out.requestTags = tags(event.requestTags, limits, flags);
  out.unitPrices = gatewayJson(event.unitPrices, 'unitPrices', flags);
  out.costBreakdown = gatewayJson(event.costBreakdown, 'costBreakdown', flags);
  if (opts.storePrompts) {
    if (event.messages !== undefined)
      out.messages = clientJson(event.messages, limits.prompt, 'messages', flags);
    if (event.response !== undefined)
      out.response = clientJson(event.response, limits.prompt, 'response', flags);
  }
  let metadata = clientJson(event.metadata ?? {}, limits.metadata, 'metadata', flags);
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) metadata = {};
  if (Object.keys(flags).length > 0) (metadata as Record<string, unknown>)[TRUNCATION_FLAG] = flags;
  out.metadata = metadata;
  return out;
}

function clientJson(v: unknown, limits: JsonLimits, field: string, flags: Record<string, unknown>): unknown {
  const b = boundJson(v, limits);
  if (b.cuts.length > 0) flags[field] = b.cuts;
  return b.value;
}

/** Built by the gateway (exact decimal strings): bounded only as a safety net. */
function gatewayJson(v: unknown, field: string, flags: Record<string, unknown>): unknown {
  return clientJson(v, GATEWAY_LIMITS, field, flags);
}

function scalar(v: unknown, maxChars: number, field: string, flags: Record<string, unknown>): unknown {
  if (typeof v === 'string') {
    if (v.length <= maxChars) return v;
    flags[field] = 'too long';
    return v.slice(0, maxChars);
  }
  if (typeof v === 'number') return Number.isFinite(v) ? v : 0;
  if (typeof v === 'boolean' || v === null || v === undefined) return v;
  if (typeof v === 'bigint') return v.toString();
  flags[field] = 'not a scalar';
  return null;
}

function tags(v: unknown, limits: StoredEventLimits, flags: Record<string, unknown>): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const t of v) {
    if (typeof t !== 'string') continue;
    if (out.length >= limits.maxTags) {
      flags.requestTags = 'too many';
      break;
    }
    if (t.length > limits.maxTagChars) flags.requestTags = 'too long';
    out.push(t.length > limits.maxTagChars ? t.slice(0, limits.maxTagChars) : t);
  }
  return out;
}

/** Only the billing fields, written when even the bounded copy could not be serialized. */
function lastResort(event: SpendEvent, err: unknown): string {
  const out: Record<string, unknown> = {};
  for (const f of BILLING_FIELDS) {
    try {
      const v = (event as unknown as Record<string, unknown>)[f];
      out[f] =
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null ? v : null;
    } catch {
      out[f] = null;
    }
  }
  out.metadata = {
    [TRUNCATION_FLAG]: { event: `unserializable: ${String((err as Error)?.message ?? err).slice(0, 200)}` },
  };
  return JSON.stringify(out);
}
