/**
 * @module ledger/spend-log-json
 * A tg_spend_logs row → the JSON shape of a LiteLLM_SpendLogs row (request_id, call_type,
 * api_key (hash), spend, tokens, startTime/endTime, model, model_id, model_group,
 * custom_llm_provider, api_base, user, metadata, request_tags, team_id, end_user, messages,
 * response, status) plus Tollgate's own columns. Spend is an exact decimal string.
 */
import { formatMoney, parseMoney } from '../pricing/money.js';

/** NUMERIC text (or number) → shortest exact decimal text ("0.00210" → "0.0021"). */
export function decimalText(v: unknown): string {
  if (v === null || v === undefined) return '0';
  const s = String(v);
  try {
    return formatMoney(parseMoney(s));
  } catch {
    return s; // more than 24 decimals: NUMERIC's own text is exact too
  }
}

function isoTime(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

function num(v: unknown): number {
  return v === null || v === undefined ? 0 : Number(v);
}

/** Maps one tg_spend_logs row (as the Db returns it) to the API shape. */
export function spendLogRowToJson(row: Record<string, unknown>): Record<string, unknown> {
  return {
    request_id: row.request_id,
    call_type: row.call_type,
    api_key: row.api_key ?? '',
    key_alias: row.key_alias ?? null,
    spend: decimalText(row.spend),
    total_tokens: num(row.total_tokens),
    prompt_tokens: num(row.prompt_tokens),
    completion_tokens: num(row.completion_tokens),
    cache_read_input_tokens: num(row.cache_read_tokens),
    cache_creation_input_tokens: num(row.cache_creation_tokens),
    reasoning_tokens: num(row.reasoning_tokens),
    startTime: isoTime(row.start_time),
    endTime: isoTime(row.end_time),
    duration_ms: num(row.duration_ms),
    model: row.model,
    model_id: row.deployment_id ?? null,
    model_group: row.model_group,
    custom_llm_provider: row.provider,
    api_base: row.api_base ?? null,
    user: row.user ?? null,
    team_id: row.team_id ?? null,
    end_user: row.end_user ?? null,
    request_tags: row.request_tags ?? [],
    metadata: row.metadata ?? {},
    status: row.status,
    error_type: row.error_type ?? null,
    error_message: row.error_message ?? null,
    http_status: row.http_status ?? null,
    stream: row.stream === true,
    estimated: row.estimated === true,
    pricing_source: row.pricing_source ?? null,
    unit_prices: row.unit_prices ?? {},
    cost_breakdown: row.cost_breakdown ?? null,
    raw_usage: row.raw_usage ?? null,
    messages: row.messages ?? null,
    response: row.response ?? null,
    price_version: row.price_version ?? null,
    unpriced_parts: row.unpriced_parts ?? [],
    cache_hit: row.cache_hit === true,
    cache_key: row.cache_key ?? null,
    saved_spend:
      row.saved_spend === null || row.saved_spend === undefined ? null : decimalText(row.saved_spend),
  };
}
