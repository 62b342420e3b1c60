/**
 * @module reports/spend-report
 * GET /global/spend/report — LiteLLM's daily spend report, read from the hourly rollup:
 * - group_by=team|customer → [{group_by_day, teams|customers:[{team_name|customer, total_spend,
 *   metadata:[{model, spend, total_tokens, api_key}]}]}] (spend per unique key + model per day);
 * - group_by=api_key, or api_key=…, or internal_user_id=… → [{api_key, total_cost,
 *   total_input_tokens, total_output_tokens, model_details:[{model, total_cost, …}]}].
 */

import { compareDecimal, DecimalSum } from '../pricing/decimal.js';
import { exact, RawJson } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import type { DayRange } from './params.js';
import { rollupSource } from './source.js';
import { formatOffset, offsetAtMidnight, Params, reportRows, toInt } from './sql.js';
import type { ReportResult } from './types.js';

export type ReportGroupBy = 'team' | 'customer' | 'api_key';
export const REPORT_GROUP_BY: readonly ReportGroupBy[] = ['team', 'customer', 'api_key'];

export interface SpendReportOptions {
  range: DayRange;
  groupBy: ReportGroupBy;
  /** sha256 hex: report for this one key (api_key shape). */
  apiKey?: string;
  /** Report for the keys owned by this internal user (api_key shape). */
  internalUserId?: string;
  /** Optional filters for the team/customer shapes. */
  teamId?: string;
  customerId?: string;
}

export async function spendReport(db: Db, o: SpendReportOptions): Promise<ReportResult> {
  if (o.apiKey !== undefined || o.internalUserId !== undefined || o.groupBy === 'api_key') {
    return perKeyReport(db, o);
  }
  // The JSON is built by the database (it is large: one line per team × key × model × day); the
  // row form below serves CSV.
  const body = await dailyGroupReportJson(db, o);
  return { body, table: async () => (await dailyGroupReport(db, o)).table() };
}

/**
 * The team/customer report as JSON text, assembled in SQL from the rollup (json_agg keeps the
 * order; NUMERIC goes into JSON as its exact text, trim_scale gives the shortest form).
 */
async function dailyGroupReportJson(db: Db, o: SpendReportOptions): Promise<RawJson> {
  const p = new Params();
  const isTeam = o.groupBy === 'team';
  const dim = isTeam ? 'team_id' : 'end_user';
  const src = rollupSource(p, o.range, { needsEndUser: !isTeam || o.customerId !== undefined });
  const where = [src.where];
  if (o.teamId !== undefined) where.push(`team_id = ${p.add(o.teamId)}`);
  if (o.customerId !== undefined) where.push(`end_user = ${p.add(o.customerId)}`);
  const day = src.day();
  const off = offsetAtMidnight(p, o.range.timezone, 'g.day::date');
  const entry = isTeam
    ? `json_build_object('team_name', CASE WHEN g.grp = '' THEN 'Unassigned Team' ELSE coalesce(tt.team_alias, g.grp) END,
         'team_id', nullif(g.grp, ''), 'total_spend', trim_scale(g.total), 'metadata', g.metadata)`
    : `json_build_object('customer', nullif(g.grp, ''), 'total_spend', trim_scale(g.total), 'metadata', g.metadata)`;
  const sql = `
    WITH l AS (
      SELECT ${day} AS day, ${dim} AS grp, model, api_key, sum(spend) AS spend, sum(total_tokens) AS tok
      FROM ${src.table} WHERE ${where.join(' AND ')}
      GROUP BY 1, 2, 3, 4
    ), g AS (
      SELECT day, grp, sum(spend) AS total,
        json_agg(json_build_object('model', model, 'spend', trim_scale(spend), 'total_tokens', tok, 'api_key', api_key)
                 ORDER BY spend DESC, model COLLATE "C", api_key COLLATE "C") AS metadata
      FROM l GROUP BY day, grp
    ), d AS (
      SELECT g.day, ${off} AS off,
        json_agg(${entry} ORDER BY g.total DESC, g.grp COLLATE "C") AS entries
      FROM g ${isTeam ? "LEFT JOIN tg_teams tt ON tt.team_id = g.grp AND g.grp <> ''" : ''}
      GROUP BY g.day
    )
    SELECT coalesce(json_agg(json_build_object(
      'group_by_day', d.day || 'T00:00:00' || CASE WHEN d.off < 0 THEN '-' ELSE '+' END
        || to_char(make_interval(secs => abs(d.off)), 'HH24:MI'),
      '${isTeam ? 'teams' : 'customers'}', d.entries) ORDER BY d.day), '[]')::text AS body
    FROM d`;
  const rows = await reportRows<{ body: string }>(db, sql, p.values);
  return new RawJson(rows[0]?.body ?? '[]');
}

interface DayRow {
  day: string;
  off: number;
  grp: string;
  model: string;
  api_key: string;
  spend: string;
  total_tokens: string;
}

async function dailyGroupReport(db: Db, o: SpendReportOptions): Promise<ReportResult> {
  const p = new Params();
  const isTeam = o.groupBy === 'team';
  const dim = isTeam ? 'team_id' : 'end_user';
  const src = rollupSource(p, o.range, { needsEndUser: !isTeam || o.customerId !== undefined });
  const where = [src.where];
  if (o.teamId !== undefined) where.push(`team_id = ${p.add(o.teamId)}`);
  if (o.customerId !== undefined) where.push(`end_user = ${p.add(o.customerId)}`);
  const day = src.day();
  const sql = `
    SELECT d.day, ${offsetAtMidnight(p, o.range.timezone, 'd.day::date')} AS off, d.grp, d.model, d.api_key,
           d.spend::text AS spend, d.total_tokens::text AS total_tokens
    FROM (
      SELECT ${day} AS day, ${dim} AS grp, model, api_key, sum(spend) AS spend, sum(total_tokens) AS total_tokens
      FROM ${src.table}
      WHERE ${where.join(' AND ')}
      GROUP BY 1, 2, 3, 4
    ) d
    ORDER BY d.day, d.grp COLLATE "C", d.spend DESC, d.model COLLATE "C", d.api_key COLLATE "C"`;
  const rows = await reportRows<DayRow>(db, sql, p.values);

  const teamNames = isTeam
    ? await teamAliases(
        db,
        rows.map((r) => r.grp),
      )
    : new Map<string, string>();
  interface Group {
    id: string;
    total: DecimalSum;
    metadata: DayRow[];
  }
  const days = new Map<string, { off: number; groups: Map<string, Group> }>();
  for (const r of rows) {
    let d = days.get(r.day);
    if (!d) {
      d = { off: toInt(r.off), groups: new Map() };
      days.set(r.day, d);
    }
    let g = d.groups.get(r.grp);
    if (!g) {
      g = { id: r.grp, total: new DecimalSum(), metadata: [] };
      d.groups.set(r.grp, g);
    }
    g.total.add(r.spend);
    g.metadata.push(r);
  }

  const listKey = isTeam ? 'teams' : 'customers';
  const body = [...days.entries()].map(([dayText, d]) => {
    const groups = [...d.groups.values()]
      .map((g) => ({ ...g, totalText: g.total.toString() }))
      .sort((a, b) => compareDecimal(b.totalText, a.totalText) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return {
      group_by_day: `${dayText}T00:00:00${formatOffset(d.off)}`,
      [listKey]: groups.map((g) => {
        const metadata = g.metadata.map((m) => ({
          model: m.model,
          spend: exact(m.spend),
          total_tokens: toInt(m.total_tokens),
          api_key: m.api_key,
        }));
        return isTeam
          ? {
              team_name: g.id === '' ? 'Unassigned Team' : (teamNames.get(g.id) ?? g.id),
              team_id: g.id === '' ? null : g.id,
              total_spend: exact(g.totalText),
              metadata,
            }
          : { customer: g.id === '' ? null : g.id, total_spend: exact(g.totalText), metadata };
      }),
    };
  });

  return {
    body,
    table: () => ({
      columns: [
        'group_by_day',
        isTeam ? 'team_name' : 'customer',
        ...(isTeam ? ['team_id'] : []),
        'model',
        'api_key',
        'spend',
        'total_tokens',
      ],
      rows: rows.map((r) => [
        r.day,
        isTeam ? (r.grp === '' ? 'Unassigned Team' : (teamNames.get(r.grp) ?? r.grp)) : r.grp,
        ...(isTeam ? [r.grp] : []),
        r.model,
        r.api_key,
        exact(r.spend),
        toInt(r.total_tokens),
      ]),
    }),
  };
}

interface KeyRow {
  api_key: string;
  model: string;
  cost: string;
  input: string;
  output: string;
}

async function perKeyReport(db: Db, o: SpendReportOptions): Promise<ReportResult> {
  const p = new Params();
  const src = rollupSource(p, o.range, { needsEndUser: o.customerId !== undefined });
  const where = [src.where];
  if (o.apiKey !== undefined) where.push(`api_key = ${p.add(o.apiKey)}`);
  else if (o.internalUserId !== undefined) where.push(`"user" = ${p.add(o.internalUserId)}`);
  if (o.teamId !== undefined) where.push(`team_id = ${p.add(o.teamId)}`);
  if (o.customerId !== undefined) where.push(`end_user = ${p.add(o.customerId)}`);
  const sql = `
    SELECT api_key, model, sum(spend)::text AS cost, sum(prompt_tokens)::text AS input,
           sum(completion_tokens)::text AS output
    FROM ${src.table}
    WHERE ${where.join(' AND ')}
    GROUP BY api_key, model
    ORDER BY api_key, sum(spend) DESC, model`;
  const rows = await reportRows<KeyRow>(db, sql, p.values);
  const keys = new Map<string, { cost: DecimalSum; input: number; output: number; models: KeyRow[] }>();
  for (const r of rows) {
    let k = keys.get(r.api_key);
    if (!k) {
      k = { cost: new DecimalSum(), input: 0, output: 0, models: [] };
      keys.set(r.api_key, k);
    }
    k.cost.add(r.cost);
    k.input += toInt(r.input);
    k.output += toInt(r.output);
    k.models.push(r);
  }
  const body = [...keys.entries()]
    .map(([apiKey, k]) => ({ apiKey, k, total: k.cost.toString() }))
    .sort((a, b) => compareDecimal(b.total, a.total) || (a.apiKey < b.apiKey ? -1 : 1))
    .map(({ apiKey, k, total }) => ({
      api_key: apiKey,
      total_cost: exact(total),
      total_input_tokens: k.input,
      total_output_tokens: k.output,
      model_details: k.models.map((m) => ({
        model: m.model,
        total_cost: exact(m.cost),
        total_input_tokens: toInt(m.input),
        total_output_tokens: toInt(m.output),
      })),
    }));
  return {
    body,
    table: () => ({
      columns: ['api_key', 'model', 'total_cost', 'total_input_tokens', 'total_output_tokens'],
      rows: rows.map((r) => [r.api_key, r.model, exact(r.cost), toInt(r.input), toInt(r.output)]),
    }),
  };
}

/** team_id → team_alias for the given ids (ids without an alias are left out). */
export async function teamAliases(db: Db, ids: Iterable<string>): Promise<Map<string, string>> {
  const list = [...new Set([...ids].filter((i) => i !== ''))];
  const out = new Map<string, string>();
  if (list.length === 0) return out;
  const r = await db.query<{ team_id: string; team_alias: string | null }>(
    'SELECT team_id, team_alias FROM tg_teams WHERE team_id = ANY($1::text[])',
    [list],
  );
  for (const row of r.rows) if (row.team_alias) out.set(row.team_id, row.team_alias);
  return out;
}

/** token_hash → {key_alias, key_name, team_id, user_id} for the given hashes. */
export async function keyInfo(
  db: Db,
  hashes: Iterable<string>,
): Promise<
  Map<
    string,
    { key_alias: string | null; key_name: string | null; team_id: string | null; user_id: string | null }
  >
> {
  const list = [...new Set([...hashes].filter((i) => i !== ''))];
  const out = new Map();
  if (list.length === 0) return out;
  const r = await db.query<{
    token_hash: string;
    key_alias: string | null;
    key_name: string | null;
    team_id: string | null;
    user_id: string | null;
  }>(
    'SELECT token_hash, key_alias, key_name, team_id, user_id FROM tg_keys WHERE token_hash = ANY($1::text[])',
    [list],
  );
  for (const row of r.rows) out.set(row.token_hash, row);
  return out;
}
