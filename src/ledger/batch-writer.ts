/**
 * @module ledger/batch-writer
 * Writes a batch of spend events in ONE SQL statement (hence one transaction): the spend-log rows
 * (ON CONFLICT DO NOTHING on the (request_id, start_time) key, so replays are idempotent: a replay is
 * the same spool line, hence the same start_time; migration 008 partitions the table by month) and, for the rows actually
 * inserted, the running totals (key/user/team/end_user/tag), the hourly rollup and the hourly
 * per-tag rollup. Spend travels as text inside one jsonb parameter (binary format: store/jsonb-param)
 * and is summed as NUMERIC.
 */
import type { Db } from '../store/db.js';
import { jsonbParam } from '../store/jsonb-param.js';
import type { SpendEvent } from './spend-event.js';
import { spendLogRowToJson } from './spend-log-json.js';
import { rowsJsonOfTexts, SpendEventError, toSpendRow } from './spend-row.js';

const HOUR = `date_trunc('hour', start_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;
const TAGS_OF = `CROSS JOIN LATERAL (SELECT DISTINCT x AS tag FROM jsonb_array_elements_text(i.request_tags) AS x) t`;
/** Rows without tags skip the lateral expansion (most traffic is untagged; it ran once per row). */
const TAGGED = `i.request_tags <> '[]'::jsonb`;

/**
 * Data-modifying CTEs all run in the statement's single transaction. Upsert inputs are grouped
 * (a row may be updated only once per statement) and every insert is ordered by its key, so
 * concurrent writers (replicas, overlapping replays) take row locks in one global order and
 * cannot deadlock each other.
 */
export const WRITE_BATCH_SQL = `
WITH input AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(
    request_id text, call_type text, api_key text, key_alias text, "user" text, team_id text, end_user text,
    request_tags jsonb, metadata jsonb, model_group text, model text, provider text, api_base text,
    deployment_id text, spend text, prompt_tokens integer, completion_tokens integer, total_tokens integer,
    cache_read_tokens integer, cache_creation_tokens integer, reasoning_tokens integer, duration_ms integer,
    start_time timestamptz, end_time timestamptz, status text, error_type text, error_message text,
    http_status integer, stream boolean, estimated boolean, pricing_source text, unit_prices jsonb,
    cost_breakdown jsonb, raw_usage jsonb, messages jsonb, response jsonb, price_version text, unpriced_parts jsonb,
    usage jsonb, cache_hit boolean, cache_key text, saved_spend text)
), ins AS (
  INSERT INTO tg_spend_logs (
    request_id, call_type, api_key, key_alias, "user", team_id, end_user, request_tags, metadata,
    model_group, model, provider, api_base, deployment_id, spend, prompt_tokens, completion_tokens,
    total_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ms, start_time,
    end_time, status, error_type, error_message, http_status, stream, estimated, pricing_source,
    unit_prices, cost_breakdown, raw_usage, messages, response, price_version, unpriced_parts, usage, cache_hit,
    cache_key, saved_spend)
  SELECT
    request_id, call_type, api_key, key_alias, "user", team_id, end_user, request_tags, metadata,
    model_group, model, provider, api_base, deployment_id, spend::numeric, prompt_tokens, completion_tokens,
    total_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ms, start_time,
    end_time, status, error_type, error_message, http_status, stream, estimated, pricing_source,
    unit_prices, cost_breakdown, raw_usage, messages, response, price_version, unpriced_parts, usage,
    coalesce(cache_hit, false), cache_key, saved_spend::numeric
  FROM input ORDER BY request_id
  ON CONFLICT DO NOTHING
  RETURNING request_id, api_key, coalesce("user", '') AS "user", coalesce(team_id, '') AS team_id,
    coalesce(end_user, '') AS end_user, request_tags, model_group, model, provider, spend, prompt_tokens,
    completion_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, status, ${HOUR} AS hour
), entities AS (
            SELECT 'key'::text AS entity_type, api_key AS entity_id, spend FROM ins WHERE api_key <> ''
  UNION ALL SELECT 'user', "user", spend FROM ins WHERE "user" <> ''
  UNION ALL SELECT 'team', team_id, spend FROM ins WHERE team_id <> ''
  UNION ALL SELECT 'end_user', end_user, spend FROM ins WHERE end_user <> ''
  UNION ALL SELECT 'tag', t.tag, i.spend FROM ins i ${TAGS_OF} WHERE ${TAGGED} AND t.tag <> ''
), totals AS (
  INSERT INTO tg_spend_totals AS o (entity_type, entity_id, spend, request_count, updated_at)
  SELECT entity_type, entity_id, sum(spend), count(*), now() FROM entities
  GROUP BY entity_type, entity_id ORDER BY entity_type, entity_id
  ON CONFLICT (entity_type, entity_id) DO UPDATE SET
    spend = o.spend + EXCLUDED.spend,
    request_count = o.request_count + EXCLUDED.request_count,
    updated_at = EXCLUDED.updated_at
), hourly AS (
  INSERT INTO tg_spend_hourly AS o (hour, api_key, "user", team_id, end_user, model_group, model, provider,
    spend, prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, cache_creation_tokens,
    requests, failed_requests)
  SELECT hour, api_key, "user", team_id, end_user, model_group, model, provider,
    sum(spend), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(cache_read_tokens),
    sum(cache_creation_tokens), count(*), count(*) FILTER (WHERE status = 'failure')
  FROM ins
  GROUP BY hour, api_key, "user", team_id, end_user, model_group, model, provider
  ORDER BY hour, api_key, "user", team_id, end_user, model_group, model, provider
  ON CONFLICT (hour, api_key, "user", team_id, end_user, model_group, model, provider) DO UPDATE SET
    spend = o.spend + EXCLUDED.spend,
    prompt_tokens = o.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = o.completion_tokens + EXCLUDED.completion_tokens,
    total_tokens = o.total_tokens + EXCLUDED.total_tokens,
    cache_read_tokens = o.cache_read_tokens + EXCLUDED.cache_read_tokens,
    cache_creation_tokens = o.cache_creation_tokens + EXCLUDED.cache_creation_tokens,
    requests = o.requests + EXCLUDED.requests,
    failed_requests = o.failed_requests + EXCLUDED.failed_requests
), hourly_tags AS (
  INSERT INTO tg_spend_hourly_tags AS o (hour, tag, api_key, team_id, model_group, spend, prompt_tokens,
    completion_tokens, total_tokens, requests)
  SELECT i.hour, t.tag, i.api_key, i.team_id, i.model_group, sum(i.spend), sum(i.prompt_tokens),
    sum(i.completion_tokens), sum(i.total_tokens), count(*)
  FROM ins i ${TAGS_OF} WHERE ${TAGGED} AND t.tag <> ''
  GROUP BY i.hour, t.tag, i.api_key, i.team_id, i.model_group
  ORDER BY i.hour, t.tag, i.api_key, i.team_id, i.model_group
  ON CONFLICT (hour, tag, api_key, team_id, model_group) DO UPDATE SET
    spend = o.spend + EXCLUDED.spend,
    prompt_tokens = o.prompt_tokens + EXCLUDED.prompt_tokens,
    completion_tokens = o.completion_tokens + EXCLUDED.completion_tokens,
    total_tokens = o.total_tokens + EXCLUDED.total_tokens,
    requests = o.requests + EXCLUDED.requests
)
SELECT count(*)::int AS inserted FROM ins`;

/**
 * Inserts logs and, for the rows actually inserted (request_id not seen before), adds to
 * tg_spend_totals (entity types 'key' (api_key hash, only when non-empty), 'user', 'team',
 * 'end_user', 'tag'), tg_spend_hourly and tg_spend_hourly_tags — all in ONE transaction.
 * Idempotent by request_id (also within the batch: the first event with an id wins).
 * Throws SpendEventError (code 22023) for an event that cannot be stored; database errors
 * propagate unchanged (their `code` is the SQLSTATE).
 */
export async function writeSpendBatch(
  db: Db,
  events: SpendEvent[],
): Promise<{ inserted: number; duplicates: number }> {
  if (events.length === 0) return { inserted: 0, duplicates: 0 };
  const rows: RowText[] = [];
  try {
    for (const e of events) {
      const row = toSpendRow(e);
      rows.push({ requestId: row.request_id, json: JSON.stringify(row) });
    }
  } catch (err) {
    // Our own coercion failed (e.g. a batch too large for one string): about the data, not the database.
    if (err instanceof SpendEventError) throw err;
    throw new SpendEventError(`spend batch could not be prepared: ${(err as Error)?.message ?? err}`);
  }
  return writeSpendRows(db, rows);
}

/** A row as JSON text (a spool row line, or a coerced event) with its request id. */
export interface RowText {
  requestId: string;
  json: string;
}

/**
 * writeSpendBatch for rows already in JSON text (ledger/spool-line): the spool's row lines go to
 * the statement without being parsed again. The first row with a request id wins.
 */
export async function writeSpendRows(
  db: Db,
  rows: readonly RowText[],
): Promise<{ inserted: number; duplicates: number }> {
  if (rows.length === 0) return { inserted: 0, duplicates: 0 };
  const texts: string[] = [];
  const seen = new Set<string>();
  let param: Buffer;
  try {
    for (const r of rows) {
      if (seen.has(r.requestId)) continue;
      seen.add(r.requestId);
      texts.push(r.json);
    }
    param = jsonbParam(rowsJsonOfTexts(texts));
  } catch (err) {
    throw new SpendEventError(`spend batch could not be prepared: ${(err as Error)?.message ?? err}`);
  }
  const r = await db.query<{ inserted: number }>(WRITE_BATCH_SQL, [param]);
  const inserted = Number(r.rows[0]?.inserted ?? 0);
  return { inserted, duplicates: rows.length - inserted };
}

/** The spend-log row for a request id in the LiteLLM-like JSON shape, or null. */
export async function getSpendLog(db: Db, requestId: string): Promise<Record<string, unknown> | null> {
  const r = await db.query('SELECT * FROM tg_spend_logs WHERE request_id = $1', [requestId]);
  return r.rows[0] ? spendLogRowToJson(r.rows[0]) : null;
}
