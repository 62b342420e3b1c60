/**
 * @module reports/global-spend
 * LiteLLM's /global/spend* endpoints, read from the hourly rollups (tg_spend_hourly,
 * tg_spend_hourly_tags): total, top keys, top models, daily spend per team, top end users and
 * spend per tag. Default window where LiteLLM has none: the last 30 days (UTC), inclusive.
 */

import { compareDecimal, DecimalSum } from '../pricing/decimal.js';
import { exact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import type { DayRange } from './params.js';
import { rollupSource } from './source.js';
import { keyInfo, teamAliases } from './spend-report.js';
import { Params, reportRows, toInt } from './sql.js';
import type { ReportResult } from './types.js';

/** GET /global/spend → {spend, max_budget}. */
export async function globalSpend(db: Db, range: DayRange, maxBudget: string | null): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const r = await db.query<{ spend: string }>(
    `SELECT coalesce(sum(spend), 0)::text AS spend FROM ${src.table} WHERE ${src.where}`,
    p.values,
  );
  const spend = r.rows[0]?.spend ?? '0';
  return {
    body: { spend: exact(spend), max_budget: maxBudget === null ? null : exact(maxBudget) },
    table: () => ({
      columns: ['start_date', 'end_date', 'spend'],
      rows: [[range.start, range.end, exact(spend)]],
    }),
  };
}

/** GET /global/spend/keys → [{api_key, key_alias, key_name, team_id, total_spend}] by spend. */
export async function globalSpendKeys(
  db: Db,
  range: DayRange,
  limit: number | undefined,
): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const sql = `SELECT api_key, sum(spend)::text AS total_spend FROM ${src.table}
    WHERE ${src.where} GROUP BY api_key ORDER BY sum(spend) DESC, api_key
    ${limit !== undefined ? `LIMIT ${p.add(limit)}` : ''}`;
  const rows = await reportRows<{ api_key: string; total_spend: string }>(db, sql, p.values);
  const info = await keyInfo(
    db,
    rows.map((r) => r.api_key),
  );
  const body = rows.map((r) => {
    const k = info.get(r.api_key);
    return {
      api_key: r.api_key,
      key_alias: k?.key_alias ?? null,
      key_name: k?.key_name ?? null,
      team_id: k?.team_id ?? null,
      total_spend: exact(r.total_spend),
    };
  });
  return {
    body,
    table: () => ({
      columns: ['api_key', 'key_alias', 'key_name', 'team_id', 'total_spend'],
      rows: body.map((b) => [b.api_key, b.key_alias, b.key_name, b.team_id, b.total_spend]),
    }),
  };
}

/** GET /global/spend/models → [{model, total_spend}] by spend (deployment model, '' excluded). */
export async function globalSpendModels(db: Db, range: DayRange, limit: number): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const sql = `SELECT model, sum(spend)::text AS total_spend FROM ${src.table}
    WHERE ${src.where} AND model <> '' GROUP BY model ORDER BY sum(spend) DESC, model LIMIT ${p.add(limit)}`;
  const rows = await reportRows<{ model: string; total_spend: string }>(db, sql, p.values);
  const body = rows.map((r) => ({ model: r.model, total_spend: exact(r.total_spend) }));
  return {
    body,
    table: () => ({ columns: ['model', 'total_spend'], rows: body.map((b) => [b.model, b.total_spend]) }),
  };
}

/**
 * GET /global/spend/teams → {daily_spend:[{date, <team name>: spend…}], teams:[names],
 * total_spend_per_team:[{team_id: <name>, total_spend}] (top 10)}. Exact, not rounded.
 */
export async function globalSpendTeams(db: Db, range: DayRange): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range);
  const sql = `SELECT ${src.day()} AS day, team_id, sum(spend)::text AS spend
    FROM ${src.table} WHERE ${src.where} GROUP BY 1, 2 ORDER BY 1, 2`;
  const rows = await reportRows<{ day: string; team_id: string; spend: string }>(db, sql, p.values);
  const aliases = await teamAliases(
    db,
    rows.map((r) => r.team_id),
  );
  const name = (id: string) => (id === '' ? 'Unassigned' : (aliases.get(id) ?? id));
  const daily = new Map<string, Record<string, unknown>>();
  const totals = new Map<string, DecimalSum>();
  const perDay = new Map<string, Map<string, DecimalSum>>();
  for (const r of rows) {
    const n = name(r.team_id);
    let d = perDay.get(r.day);
    if (!d) {
      d = new Map();
      perDay.set(r.day, d);
    }
    // Two teams sharing one alias are shown together, as LiteLLM groups by alias.
    d.set(n, (d.get(n) ?? new DecimalSum()).add(r.spend));
    totals.set(n, (totals.get(n) ?? new DecimalSum()).add(r.spend));
  }
  for (const [day, teams] of perDay) {
    const entry: Record<string, unknown> = { date: day };
    for (const [n, s] of teams) entry[n] = exact(s.toString());
    daily.set(day, entry);
  }
  const ranked = [...totals.entries()]
    .map(([n, s]) => ({ n, s: s.toString() }))
    .sort((a, b) => compareDecimal(b.s, a.s) || (a.n < b.n ? -1 : 1));
  const body = {
    daily_spend: [...daily.values()],
    teams: [...totals.keys()].sort(),
    total_spend_per_team: ranked.slice(0, 10).map((t) => ({ team_id: t.n, total_spend: exact(t.s) })),
  };
  return {
    body,
    table: () => ({
      columns: ['date', 'team_id', 'team_name', 'spend'],
      rows: rows.map((r) => [r.day, r.team_id, name(r.team_id), exact(r.spend)]),
    }),
  };
}

/** /global/spend/end_users → [{end_user, total_count, total_spend}] top 100 (requests without a customer excluded). */
export async function globalSpendEndUsers(
  db: Db,
  range: DayRange,
  apiKey: string | undefined,
  limit = 100,
): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range, { needsEndUser: true });
  const where = [src.where, `end_user <> ''`];
  if (apiKey !== undefined) where.push(`api_key = ${p.add(apiKey)}`);
  const sql = `SELECT end_user, sum(requests)::text AS total_count, sum(spend)::text AS total_spend
    FROM ${src.table} WHERE ${where.join(' AND ')}
    GROUP BY end_user ORDER BY sum(spend) DESC, end_user LIMIT ${p.add(limit)}`;
  const rows = await reportRows<{ end_user: string; total_count: string; total_spend: string }>(
    db,
    sql,
    p.values,
  );
  const body = rows.map((r) => ({
    end_user: r.end_user,
    total_count: toInt(r.total_count),
    total_spend: exact(r.total_spend),
  }));
  return {
    body,
    table: () => ({
      columns: ['end_user', 'total_count', 'total_spend'],
      rows: body.map((b) => [b.end_user, b.total_count, b.total_spend]),
    }),
  };
}

/**
 * GET /global/spend/tags → {spend_per_tag:[{name, spend, log_count}]} by spend. A request with
 * several tags counts once under each, so the tag totals may add up to more than the total spend.
 */
export async function globalSpendTags(
  db: Db,
  range: DayRange,
  tags: string[] | undefined,
): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, range, { tags: true });
  const where = [src.where];
  if (tags && !tags.includes('all-tags')) where.push(`tag = ANY(${p.add(tags)}::text[])`);
  const sql = `SELECT tag, sum(spend)::text AS spend, sum(requests)::text AS log_count
    FROM ${src.table} WHERE ${where.join(' AND ')}
    GROUP BY tag ORDER BY sum(spend) DESC, tag`;
  const rows = await reportRows<{ tag: string; spend: string; log_count: string }>(db, sql, p.values);
  const list = rows.map((r) => ({ name: r.tag, spend: exact(r.spend), log_count: toInt(r.log_count) }));
  return {
    body: { spend_per_tag: list },
    table: () => ({
      columns: ['name', 'spend', 'log_count'],
      rows: list.map((t) => [t.name, t.spend, t.log_count]),
    }),
  };
}
