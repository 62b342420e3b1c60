/**
 * @module ledger/spend-row
 * Turns a SpendEvent (which may have come back from the spool, so it is only "JSON-shaped")
 * into the snake_case row that batch-writer sends to SQL, coercing every field to what the
 * column accepts so that one odd event cannot fail a whole batch. Money is never touched as a
 * number: spend stays exact decimal text and is cast to NUMERIC in SQL.
 */
import { formatMoney, parseMoney } from '../pricing/money.js';
import { boundedEvent, fitsAsIs } from './event-serializer.js';
import type { SpendEvent } from './spend-event.js';

/** The row shape that tg_spend_logs is filled from (keys = column names). */
export interface SpendRow {
  request_id: string;
  call_type: string;
  api_key: string;
  key_alias: string | null;
  user: string | null;
  team_id: string | null;
  end_user: string | null;
  request_tags: string[];
  metadata: Record<string, unknown>;
  model_group: string;
  model: string;
  provider: string;
  api_base: string | null;
  deployment_id: string | null;
  /** Exact decimal text, cast ::numeric in SQL. */
  spend: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  duration_ms: number;
  /** ISO-8601 UTC. */
  start_time: string;
  end_time: string;
  status: 'success' | 'failure';
  error_type: string | null;
  error_message: string | null;
  http_status: number | null;
  stream: boolean;
  estimated: boolean;
  pricing_source: string | null;
  unit_prices: Record<string, unknown>;
  cost_breakdown: unknown;
  raw_usage: unknown;
  messages: unknown;
  response: unknown;
  price_version: string | null;
  /** null when every class was priced. */
  unpriced_parts: unknown[] | null;
  usage: Record<string, unknown> | null;
  cache_hit: boolean;
  cache_key: string | null;
  /** Exact decimal text (what a cache hit saved), or null. */
  saved_spend: string | null;
}

/**
 * An event that cannot be stored as given (no request id, spend that is not a decimal number).
 * `code` is a PostgreSQL data-exception SQLSTATE so callers treat it like a row the database
 * rejected: isolate it, do not retry it forever.
 */
export class SpendEventError extends Error {
  readonly code = '22023';
  constructor(message: string) {
    super(message);
    this.name = 'SpendEventError';
  }
}

const INT32_MAX = 2_147_483_647;
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/** formatMoney's output: no leading zeros, no trailing fractional zeros, at most 24 decimals. */
const CANONICAL_MONEY_RE = /^-?(?:0|[1-9]\d*)(?:\.\d{0,23}[1-9])?$/;

function str(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

function int(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  if (!Number.isFinite(n)) return 0;
  const r = Math.round(n);
  return Math.min(INT32_MAX, Math.max(-INT32_MAX, r));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function iso(ms: unknown, fallback: number): string {
  const n = typeof ms === 'number' ? ms : typeof ms === 'string' ? Number(ms) : Number.NaN;
  const t = Number.isFinite(n) ? n : fallback;
  if (hasPlainIsoForm(t)) return isoOfMs(t);
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? new Date(fallback).toISOString() : d.toISOString();
}

/** 10000-01-01T00:00:00Z: below it toISOString has the plain `YYYY-MM-DDTHH:MM:SS.sssZ` shape. */
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_800_000;
const hasPlainIsoForm = (ms: number) => Number.isInteger(ms) && ms >= 0 && ms < MAX_FOUR_DIGIT_YEAR_MS;
/** The `YYYY-MM-DDTHH:MM:SS.` text of the last two seconds formatted (start and end of a call). */
const isoSeconds: { sec: number; head: string }[] = [
  { sec: -1, head: '' },
  { sec: -1, head: '' },
];

/**
 * `new Date(ms).toISOString()` for an integer ms in [0, year 10000), with the text up to the
 * second reused: every row has two timestamps, mostly within the same second as the rows around
 * it, and a Date plus its full formatting was a tenth of the row's cost.
 */
export function isoOfMs(ms: number): string {
  if (!hasPlainIsoForm(ms)) return new Date(ms).toISOString();
  const sec = Math.floor(ms / 1000);
  const frac = ms - sec * 1000;
  let slot = isoSeconds[0];
  if (slot.sec !== sec) {
    const other = isoSeconds[1];
    if (other.sec === sec) {
      isoSeconds[1] = slot;
      isoSeconds[0] = other;
      slot = other;
    } else {
      isoSeconds[1] = slot;
      slot = { sec, head: new Date(sec * 1000).toISOString().slice(0, 20) };
      isoSeconds[0] = slot;
    }
  }
  return `${slot.head}${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}Z`;
}

/**
 * Exact decimal text for NUMERIC. Shortest form when it fits Money (<= 24 decimals); longer
 * decimals pass through unchanged (NUMERIC is arbitrary precision). Anything else throws.
 */
export function spendText(v: unknown): string {
  if (v === undefined || v === null || v === '') return '0';
  // What formatMoney wrote (every event the gateway records) is already the shortest form.
  if (typeof v === 'string' && CANONICAL_MONEY_RE.test(v) && v !== '-0') return v;
  const text = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v).trim();
  if (!DECIMAL_RE.test(text))
    throw new SpendEventError(`spend is not a decimal number: ${JSON.stringify(v)}`);
  try {
    return formatMoney(parseMoney(text));
  } catch {
    return text;
  }
}

/** Distinct non-empty tags, in first-seen order. */
function tags(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const t of v) {
    const s = str(t);
    if (s !== null && s !== '' && !out.includes(s)) out.push(s);
  }
  return out;
}

export interface ToRowOptions {
  /**
   * The event is already within the stored limits (the spool line writer checked it): skip the
   * second walk over its client-controlled JSON.
   */
  bounded?: boolean;
  /** Keep messages / response (default true: what the event holds is what is stored). */
  storePrompts?: boolean;
}

/**
 * Coerces one event to a row. Throws SpendEventError only when it cannot be stored at all.
 * Client-controlled JSON (metadata, prompts) is bounded again here, so that a line written by an
 * older version (unbounded metadata) cannot fail a batch either.
 */
export function toSpendRow(event: SpendEvent, opts: ToRowOptions = {}): SpendRow {
  if (!isRecord(event)) throw new SpendEventError('spend event is not an object');
  const e =
    opts.bounded || fitsAsIs(event, { storePrompts: true })
      ? event
      : (boundedEvent(event, { storePrompts: true }) as unknown as SpendEvent);
  const prompts = opts.storePrompts !== false;
  const requestId = str(e.requestId);
  if (!requestId) throw new SpendEventError('spend event has no requestId');
  const now = Date.now();
  const startMs = typeof e.startTime === 'number' && Number.isFinite(e.startTime) ? e.startTime : now;
  return {
    request_id: requestId,
    call_type: str(e.callType) ?? 'unknown',
    api_key: str(e.apiKey) ?? '',
    key_alias: str(e.keyAlias),
    user: str(e.user),
    team_id: str(e.teamId),
    end_user: str(e.endUser),
    request_tags: tags(e.requestTags),
    metadata: isRecord(e.metadata) ? e.metadata : {},
    model_group: str(e.modelGroup) ?? '',
    model: str(e.model) ?? '',
    provider: str(e.provider) ?? '',
    api_base: str(e.apiBase),
    deployment_id: str(e.deploymentId),
    spend: spendText(event.spend),
    prompt_tokens: int(e.promptTokens),
    completion_tokens: int(e.completionTokens),
    total_tokens: int(e.totalTokens),
    cache_read_tokens: int(e.cacheReadTokens),
    cache_creation_tokens: int(e.cacheCreationTokens),
    reasoning_tokens: int(e.reasoningTokens),
    duration_ms: int(e.durationMs),
    start_time: iso(startMs, now),
    end_time: iso(e.endTime, startMs),
    status: e.status === 'failure' ? 'failure' : 'success',
    error_type: str(e.errorType),
    error_message: str(e.errorMessage),
    http_status: e.httpStatus === undefined || e.httpStatus === null ? null : int(e.httpStatus),
    stream: e.stream === true,
    estimated: e.estimated === true,
    pricing_source: str(e.pricingSource),
    unit_prices: isRecord(e.unitPrices) ? e.unitPrices : {},
    cost_breakdown: e.costBreakdown ?? null,
    raw_usage: e.rawUsage ?? null,
    messages: prompts ? (e.messages ?? null) : null,
    response: prompts ? (e.response ?? null) : null,
    price_version: str(e.priceVersion),
    unpriced_parts: Array.isArray(e.unpricedParts) && e.unpricedParts.length > 0 ? e.unpricedParts : null,
    usage: isRecord(e.usage) ? e.usage : null,
    cache_hit: e.cacheHit === true,
    cache_key: str(e.cacheKey),
    saved_spend: e.savedSpend === undefined || e.savedSpend === null ? null : spendText(e.savedSpend),
  };
}

// JSON.stringify escapes NUL and lone surrogates (well-formed stringify) as \uXXXX; PostgreSQL
// rejects both in jsonb/text. An escape is real only after an even number of backslashes.
const BAD_ESCAPE_RE = /(?<!\\)((?:\\\\)*)\\u(?:0000|d[89a-f][0-9a-f]{2})/gi;

/**
 * The JSON array of rows given as JSON text (spool row lines), as PostgreSQL's jsonb accepts it:
 * NUL and lone surrogates (which a well-formed JSON.stringify escapes as \uXXXX) become U+FFFD.
 */
export function rowsJsonOfTexts(texts: readonly string[]): string {
  const json = `[${texts.join(',')}]`;
  return json.includes('\\u') ? json.replace(BAD_ESCAPE_RE, '$1\\ufffd') : json;
}
