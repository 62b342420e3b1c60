/**
 * @module reports/spend-logs
 * GET /spend/logs — individual spend-log rows, newest first, with keyset pagination on
 * (start_time, request_id): the body is a JSON array of LiteLLM_SpendLogs-shaped objects (plus
 * Tollgate's extra fields) and, when more rows exist, the `x-tollgate-next-cursor` response header
 * holds the opaque cursor for the next page (`?cursor=`). Filters use the tg_spend_logs indexes.
 */

import { exact, rawJson } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import { badRequest, type OpenDayRange } from './params.js';
import { isoUtc, Params, timeBounds } from './sql.js';
import type { ReportResult } from './types.js';

export const NEXT_CURSOR_HEADER = 'x-tollgate-next-cursor';

export interface SpendLogsOptions {
  range: OpenDayRange;
  /** sha256 hex. */
  apiKey?: string;
  userId?: string;
  endUser?: string;
  teamId?: string;
  requestId?: string;
  /** Logs carrying any of these tags. */
  tags?: string[];
  /** Matches the deployment model or the requested model group. */
  model?: string;
  status?: 'success' | 'failure';
  /** Only successful requests that had no price (recorded as 0, flagged pricing_source 'unpriced'). */
  unpriced?: boolean;
  limit: number;
  cursor?: string;
}

interface LogRow {
  request_id: string;
  call_type: string;
  api_key: string;
  key_alias: string | null;
  user: string | null;
  team_id: string | null;
  end_user: string | null;
  request_tags: string;
  metadata: string;
  model_group: string;
  model: string;
  provider: string;
  api_base: string | null;
  deployment_id: string | null;
  spend: string;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  duration_ms: number;
  start_iso: string;
  end_iso: string;
  status: string;
  error_type: string | null;
  error_message: string | null;
  http_status: number | null;
  stream: boolean;
  estimated: boolean;
  pricing_source: string | null;
  unit_prices: string;
  cost_breakdown: string | null;
  raw_usage: string | null;
  messages: string | null;
  response: string | null;
  price_version: string | null;
  unpriced_parts: string | null;
}

export function encodeCursor(startTime: string, requestId: string): string {
  return Buffer.from(JSON.stringify([startTime, requestId])).toString('base64url');
}

export function decodeCursor(cursor: string): { startTime: string; requestId: string } {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      !Number.isNaN(Date.parse(v[0]))
    ) {
      return { startTime: v[0], requestId: v[1] };
    }
  } catch {
    // fall through
  }
  throw badRequest(
    'Invalid cursor: pass the x-tollgate-next-cursor value of the previous page unchanged.',
    'cursor',
  );
}

const LOG_COLUMNS = `request_id, call_type, api_key, key_alias, "user", team_id, end_user,
  request_tags::text AS request_tags, metadata::text AS metadata, model_group, model, provider, api_base,
  deployment_id, spend::text AS spend, prompt_tokens, completion_tokens, total_tokens, cache_read_tokens,
  cache_creation_tokens, reasoning_tokens, duration_ms, ${isoUtc('start_time')} AS start_iso,
  ${isoUtc('end_time')} AS end_iso, status, error_type, error_message, http_status, stream, estimated,
  pricing_source, unit_prices::text AS unit_prices, cost_breakdown::text AS cost_breakdown,
  raw_usage::text AS raw_usage, messages::text AS messages, response::text AS response, price_version,
  unpriced_parts::text AS unpriced_parts`;

/** A successful request priced at 0 for want of a price (partial index tg_spend_logs_unpriced, 012). */
export const UNPRICED_CONDITION = "pricing_source = 'unpriced' AND status = 'success'";

export function spendLogsWhere(p: Params, o: Omit<SpendLogsOptions, 'limit' | 'cursor'>): string[] {
  const where = timeBounds(p, o.range);
  if (o.apiKey !== undefined) where.push(`api_key = ${p.add(o.apiKey)}`);
  if (o.userId !== undefined) where.push(`"user" = ${p.add(o.userId)}`);
  if (o.endUser !== undefined) where.push(`end_user = ${p.add(o.endUser)}`);
  if (o.teamId !== undefined) where.push(`team_id = ${p.add(o.teamId)}`);
  if (o.requestId !== undefined) where.push(`request_id = ${p.add(o.requestId)}`);
  if (o.tags?.length) where.push(`request_tags ?| ${p.add(o.tags)}::text[]`);
  if (o.model !== undefined) {
    const m = p.add(o.model);
    where.push(`(model = ${m} OR model_group = ${m})`);
  }
  if (o.status !== undefined) where.push(`status = ${p.add(o.status)}`);
  if (o.unpriced) where.push(UNPRICED_CONDITION);
  return where;
}

export async function spendLogs(db: Db, o: SpendLogsOptions): Promise<ReportResult> {
  const p = new Params();
  const where = spendLogsWhere(p, o);
  if (o.cursor) {
    const c = decodeCursor(o.cursor);
    const t = p.add(c.startTime);
    where.push(
      `start_time <= ${t}::timestamptz AND (start_time < ${t}::timestamptz OR request_id < ${p.add(c.requestId)})`,
    );
  }
  const sql = `SELECT ${LOG_COLUMNS} FROM tg_spend_logs
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY start_time DESC, request_id DESC
    LIMIT ${p.add(o.limit + 1)}`;
  const rows = (await db.query<LogRow>(sql, p.values)).rows;
  const more = rows.length > o.limit;
  const page = more ? rows.slice(0, o.limit) : rows;
  const headers: Record<string, string> = {};
  if (more) {
    const last = page[page.length - 1];
    headers[NEXT_CURSOR_HEADER] = encodeCursor(last.start_iso, last.request_id);
  }
  return { body: page.map(toLiteLLMLog), table: () => logsTable(page), headers };
}

/** A log row in LiteLLM's LiteLLM_SpendLogs field names, plus Tollgate's extras. */
export function toLiteLLMLog(r: LogRow): Record<string, unknown> {
  return {
    request_id: r.request_id,
    call_type: r.call_type,
    api_key: r.api_key,
    spend: exact(r.spend),
    total_tokens: r.total_tokens,
    prompt_tokens: r.prompt_tokens,
    completion_tokens: r.completion_tokens,
    startTime: r.start_iso,
    endTime: r.end_iso,
    model: r.model,
    model_id: r.deployment_id,
    model_group: r.model_group,
    custom_llm_provider: r.provider,
    api_base: r.api_base,
    user: r.user,
    metadata: rawJson(r.metadata),
    request_tags: rawJson(r.request_tags),
    team_id: r.team_id,
    end_user: r.end_user,
    status: r.status,
    messages: rawJson(r.messages),
    response: rawJson(r.response),
    key_alias: r.key_alias,
    cache_read_tokens: r.cache_read_tokens,
    cache_creation_tokens: r.cache_creation_tokens,
    reasoning_tokens: r.reasoning_tokens,
    duration_ms: r.duration_ms,
    error_type: r.error_type,
    error_message: r.error_message,
    http_status: r.http_status,
    stream: r.stream,
    estimated: r.estimated,
    pricing_source: r.pricing_source,
    unit_prices: rawJson(r.unit_prices),
    cost_breakdown: rawJson(r.cost_breakdown),
    raw_usage: rawJson(r.raw_usage),
    // The price version that priced the row, and what it could not price ([] when everything).
    price_version: r.price_version,
    unpriced_parts: r.unpriced_parts === null ? [] : rawJson(r.unpriced_parts),
  };
}

export const LOG_CSV_COLUMNS = [
  'request_id',
  'start_time',
  'end_time',
  'status',
  'call_type',
  'api_key',
  'key_alias',
  'user',
  'team_id',
  'end_user',
  'model_group',
  'model',
  'provider',
  'spend',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cache_read_tokens',
  'cache_creation_tokens',
  'reasoning_tokens',
  'duration_ms',
  'request_tags',
  'error_type',
  'http_status',
  'pricing_source',
  'price_version',
  'unpriced_parts',
];

export function logsTable(rows: LogRow[]) {
  return {
    columns: LOG_CSV_COLUMNS,
    rows: rows.map((r) => [
      r.request_id,
      r.start_iso,
      r.end_iso,
      r.status,
      r.call_type,
      r.api_key,
      r.key_alias,
      r.user,
      r.team_id,
      r.end_user,
      r.model_group,
      r.model,
      r.provider,
      exact(r.spend),
      r.prompt_tokens,
      r.completion_tokens,
      r.total_tokens,
      r.cache_read_tokens,
      r.cache_creation_tokens,
      r.reasoning_tokens,
      r.duration_ms,
      rawJson(r.request_tags),
      r.error_type,
      r.http_status,
      r.pricing_source,
      r.price_version,
      r.unpriced_parts ?? '',
    ]),
  };
}

/** All log rows in a range, oldest first, for the CLI export (no pagination). */
export async function allLogs(db: Db, range: OpenDayRange): Promise<LogRow[]> {
  const p = new Params();
  const where = timeBounds(p, range);
  const sql = `SELECT ${LOG_COLUMNS} FROM tg_spend_logs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY start_time, request_id`;
  return (await db.query<LogRow>(sql, p.values)).rows;
}
