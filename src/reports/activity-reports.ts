/**
 * @module reports/activity-reports
 * More of LiteLLM's spend endpoints, from the rollups (never a scan of the logs):
 * GET /global/activity ({daily_data:[{date, api_requests, total_tokens}], sum_api_requests,
 * sum_total_tokens}), GET /global/spend/logs (spend per day, optionally for one key),
 * GET /spend/tags ([{individual_request_tag, log_count, total_spend}]), GET /spend/keys and
 * GET /spend/users (the keys / internal users with their running spend from tg_spend_totals).
 */
import { exact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import type { Cell } from './csv.js';
import type { DayRange } from './params.js';
import { rollupSource } from './source.js';
import { Params, reportRows, toInt } from './sql.js';
import type { ReportResult } from './types.js';

export async function globalActivity(db: Db, range: DayRange, model?: string): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const where = [src.where];
  if (model) {
    const m = p.add(model);
    where.push(`(model_group = ${m} OR model = ${m})`);
  }
  const rows = await reportRows<{ day: string; requests: string; tokens: string }>(
    db,
    `SELECT ${src.day()} AS day, sum(requests)::text AS requests, sum(total_tokens)::text AS tokens
       FROM ${src.table} WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
    p.values,
  );
  const daily = rows.map((r) => ({
    date: r.day,
    api_requests: toInt(r.requests),
    total_tokens: toInt(r.tokens),
  }));
  const body = {
    daily_data: daily,
    sum_api_requests: daily.reduce((s, d) => s + d.api_requests, 0),
    sum_total_tokens: daily.reduce((s, d) => s + d.total_tokens, 0),
  };
  return {
    body,
    table: () => ({
      columns: ['date', 'api_requests', 'total_tokens'],
      rows: daily.map((d) => [d.date, d.api_requests, d.total_tokens]),
    }),
  };
}

export async function globalSpendLogs(db: Db, range: DayRange, apiKey?: string): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const where = [src.where];
  if (apiKey !== undefined) where.push(`api_key = ${p.add(apiKey)}`);
  const rows = await reportRows<{ day: string; spend: string; requests: string }>(
    db,
    `SELECT ${src.day()} AS day, sum(spend)::text AS spend, sum(requests)::text AS requests
       FROM ${src.table} WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
    p.values,
  );
  const body = rows.map((r) => ({
    date: r.day,
    spend: exact(r.spend),
    total_requests: toInt(r.requests),
    ...(apiKey !== undefined ? { api_key: apiKey } : {}),
  }));
  return {
    body,
    table: () => ({
      columns: ['date', 'spend', 'total_requests'],
      rows: body.map((b) => [b.date, b.spend, b.total_requests]),
    }),
  };
}

export async function spendTags(db: Db, range: DayRange): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range, { tags: true });
  const rows = await reportRows<{ tag: string; n: string; spend: string }>(
    db,
    `SELECT tag, sum(requests)::text AS n, sum(spend)::text AS spend FROM ${src.table}
      WHERE ${src.where} GROUP BY tag ORDER BY sum(spend) DESC, tag`,
    p.values,
  );
  const body = rows.map((r) => ({
    individual_request_tag: r.tag,
    log_count: toInt(r.n),
    total_spend: exact(r.spend),
  }));
  return {
    body,
    table: () => ({
      columns: ['individual_request_tag', 'log_count', 'total_spend'],
      rows: body.map((b) => [b.individual_request_tag, b.log_count, b.total_spend]),
    }),
  };
}

const money = (v: unknown) => (v === null || v === undefined ? null : exact(String(v)));

export async function spendKeys(db: Db): Promise<ReportResult> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT k.token_hash, k.key_name, k.key_alias, k.user_id, k.team_id, k.models, k.max_budget::text AS max_budget,
            k.expires_at, k.created_at, coalesce(s.spend, 0)::text AS spend
       FROM tg_keys k LEFT JOIN tg_spend_totals s ON s.entity_type = 'key' AND s.entity_id = k.token_hash
      ORDER BY coalesce(s.spend, 0) DESC, k.created_at`,
  );
  const body = r.rows.map((k) => ({
    token: k.token_hash,
    key_name: k.key_name ?? null,
    key_alias: k.key_alias ?? null,
    spend: money(k.spend),
    max_budget: money(k.max_budget),
    user_id: k.user_id ?? null,
    team_id: k.team_id ?? null,
    models: k.models ?? [],
    expires: k.expires_at ? new Date(String(k.expires_at)).toISOString() : null,
    created_at: new Date(String(k.created_at)).toISOString(),
  }));
  return {
    body,
    table: () => ({
      columns: ['token', 'key_alias', 'user_id', 'team_id', 'spend', 'max_budget'],
      rows: body.map((b) => [b.token, b.key_alias, b.user_id, b.team_id, b.spend, b.max_budget] as Cell[]),
    }),
  };
}

export async function spendUsers(db: Db, userId?: string): Promise<ReportResult> {
  const params: unknown[] = [];
  let where = '';
  if (userId) {
    params.push(userId);
    where = 'WHERE u.user_id = $1';
  }
  const r = await db.query<Record<string, unknown>>(
    `SELECT u.user_id, u.user_email, u.user_role, u.models, u.max_budget::text AS max_budget, u.created_at,
            coalesce(s.spend, 0)::text AS spend
       FROM tg_users u LEFT JOIN tg_spend_totals s ON s.entity_type = 'user' AND s.entity_id = u.user_id
       ${where} ORDER BY coalesce(s.spend, 0) DESC, u.user_id`,
    params,
  );
  const body = r.rows.map((u) => ({
    user_id: u.user_id,
    user_email: u.user_email ?? null,
    user_role: u.user_role,
    spend: money(u.spend),
    max_budget: money(u.max_budget),
    models: u.models ?? [],
    created_at: new Date(String(u.created_at)).toISOString(),
  }));
  return {
    body,
    table: () => ({
      columns: ['user_id', 'user_email', 'user_role', 'spend', 'max_budget'],
      rows: body.map((b) => [b.user_id, b.user_email, b.user_role, b.spend, b.max_budget] as Cell[]),
    }),
  };
}
