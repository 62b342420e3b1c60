/**
 * @module reports/summary
 * GET /spend/summary — spend time series for charts, grouped by any of model, team, tag, key,
 * customer, user, provider, per day/week/month in a time zone; and the same grouping without time
 * (interval 'total') for the CLI report. Reads tg_spend_hourly, or tg_spend_hourly_tags when
 * grouping by tag (which only carries tag, key, team and model).
 */

import { compareDecimal, DecimalSum } from '../pricing/decimal.js';
import { exact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import { addDays, badRequest, type DayRange } from './params.js';
import { rollupSource } from './source.js';
import { keyInfo, teamAliases } from './spend-report.js';
import { Params, reportRows, toInt } from './sql.js';
import type { ReportResult } from './types.js';

export type SummaryDim = 'model' | 'team' | 'tag' | 'key' | 'customer' | 'user' | 'provider';
export type SummaryInterval = 'day' | 'week' | 'month' | 'total';

const DIM_ALIASES: Record<string, SummaryDim> = {
  model: 'model',
  model_group: 'model',
  team: 'team',
  team_id: 'team',
  tag: 'tag',
  tags: 'tag',
  key: 'key',
  api_key: 'key',
  customer: 'customer',
  end_user: 'customer',
  user: 'user',
  internal_user: 'user',
  provider: 'provider',
};

/** Column of each dimension. model = the model group the client asked for. */
const DIM_COLUMN: Record<SummaryDim, string> = {
  model: 'model_group',
  team: 'team_id',
  tag: 'tag',
  key: 'api_key',
  customer: 'end_user',
  user: '"user"',
  provider: 'provider',
};

const TAG_DIMS: ReadonlySet<SummaryDim> = new Set(['tag', 'key', 'team', 'model']);

export function parseDims(value: string | undefined, def: SummaryDim[] = []): SummaryDim[] {
  if (value === undefined) return def;
  const dims: SummaryDim[] = [];
  for (const raw of value
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)) {
    const d = DIM_ALIASES[raw];
    if (!d) {
      throw badRequest(
        `Unknown group_by "${raw}": expected a comma-separated list of model, team, tag, key, customer, user, provider.`,
        'group_by',
      );
    }
    if (!dims.includes(d)) dims.push(d);
  }
  if (dims.includes('tag')) {
    const bad = dims.filter((d) => !TAG_DIMS.has(d));
    if (bad.length) {
      throw badRequest(
        `group_by tag can be combined only with key, team and model (tag rollups do not carry ${bad.join(', ')}).`,
        'group_by',
      );
    }
  }
  return dims;
}

export function parseInterval(value: string | undefined, def: SummaryInterval = 'day'): SummaryInterval {
  if (value === undefined) return def;
  if (value === 'day' || value === 'week' || value === 'month') return value;
  throw badRequest(`Invalid interval "${value}": expected day, week or month.`, 'interval');
}

/** Every period label (YYYY-MM-DD of its first day) touching the range. */
export function periodsOf(range: DayRange, interval: SummaryInterval): string[] {
  if (interval === 'total') return [];
  const out: string[] = [];
  for (let d = range.start; d <= range.end; d = addDays(d, 1)) {
    const label = periodStart(d, interval);
    if (out[out.length - 1] !== label) out.push(label);
  }
  return out;
}

function periodStart(day: string, interval: SummaryInterval): string {
  if (interval === 'month') return `${day.slice(0, 7)}-01`;
  if (interval === 'week') {
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay(); // 0 = Sunday; ISO weeks start Monday
    return addDays(day, -((dow + 6) % 7));
  }
  return day;
}

export interface SummaryOptions {
  range: DayRange;
  groupBy: SummaryDim[];
  interval: SummaryInterval;
  /** Only this key's spend (sha256 hex): a virtual key reading its own usage. */
  apiKey?: string;
}

interface Row {
  period: string | null;
  [dim: string]: string | null;
}

export async function spendSummary(db: Db, o: SummaryOptions): Promise<ReportResult> {
  const byTag = o.groupBy.includes('tag');
  const p = new Params();
  const selects: string[] = [];
  const groups: string[] = [];
  const src = rollupSource(p, o.range, { tags: byTag, needsEndUser: o.groupBy.includes('customer') });
  if (o.interval !== 'total') {
    selects.push(`${o.interval === 'day' ? src.day() : src.period(o.interval)} AS period`);
    groups.push('period');
  }
  o.groupBy.forEach((d, i) => {
    selects.push(`${DIM_COLUMN[d]} AS d${i}`);
    groups.push(`d${i}`);
  });
  const sql = `SELECT ${[...selects, 'sum(spend)::text AS spend', 'sum(requests)::text AS requests', byTag ? '0 AS failed' : 'sum(failed_requests)::text AS failed', 'sum(prompt_tokens)::text AS prompt_tokens', 'sum(completion_tokens)::text AS completion_tokens', 'sum(total_tokens)::text AS total_tokens'].join(', ')}
    FROM ${src.table}
    WHERE ${src.where}${o.apiKey !== undefined ? ` AND api_key = ${p.add(o.apiKey)}` : ''}
    ${groups.length ? `GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}` : ''}`;
  const rows = await reportRows<Row>(db, sql, p.values);

  const teamIdx = o.groupBy.indexOf('team');
  const keyIdx = o.groupBy.indexOf('key');
  const teams =
    teamIdx >= 0
      ? await teamAliases(
          db,
          rows.map((r) => r[`d${teamIdx}`] ?? ''),
        )
      : new Map<string, string>();
  const keys =
    keyIdx >= 0
      ? await keyInfo(
          db,
          rows.map((r) => r[`d${keyIdx}`] ?? ''),
        )
      : new Map();

  interface Series {
    group: Record<string, string | null>;
    labels: Record<string, string>;
    spend: DecimalSum;
    requests: number;
    failed: number;
    prompt: number;
    completion: number;
    tokens: number;
    data: Record<string, unknown>[];
  }
  const series = new Map<string, Series>();
  const totals = { spend: new DecimalSum(), requests: 0, failed: 0, prompt: 0, completion: 0, tokens: 0 };
  for (const r of rows) {
    const values = o.groupBy.map((_, i) => r[`d${i}`] ?? '');
    const id = JSON.stringify(values);
    let s = series.get(id);
    if (!s) {
      const group: Record<string, string | null> = {};
      const labels: Record<string, string> = {};
      o.groupBy.forEach((d, i) => {
        group[d] = values[i] === '' ? null : values[i];
        if (d === 'team' && teams.get(values[i])) labels.team = teams.get(values[i])!;
        if (d === 'key' && keys.get(values[i])?.key_alias) labels.key = keys.get(values[i])!.key_alias!;
      });
      s = {
        group,
        labels,
        spend: new DecimalSum(),
        requests: 0,
        failed: 0,
        prompt: 0,
        completion: 0,
        tokens: 0,
        data: [],
      };
      series.set(id, s);
    }
    const requests = toInt(r.requests);
    const failed = toInt(r.failed);
    const prompt = toInt(r.prompt_tokens);
    const completion = toInt(r.completion_tokens);
    const tokens = toInt(r.total_tokens);
    s.spend.add(r.spend);
    s.requests += requests;
    s.failed += failed;
    s.prompt += prompt;
    s.completion += completion;
    s.tokens += tokens;
    totals.spend.add(r.spend);
    totals.requests += requests;
    totals.failed += failed;
    totals.prompt += prompt;
    totals.completion += completion;
    totals.tokens += tokens;
    if (o.interval !== 'total') {
      s.data.push({
        period: r.period,
        spend: exact(r.spend),
        requests,
        failed_requests: failed,
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: tokens,
      });
    }
  }
  const ordered = [...series.values()]
    .map((s) => ({ s, spend: s.spend.toString() }))
    .sort((a, b) => compareDecimal(b.spend, a.spend));
  const body = {
    interval: o.interval,
    group_by: o.groupBy,
    start_date: o.range.start,
    end_date: o.range.end,
    timezone: o.range.timezone,
    ...(o.interval === 'total' ? {} : { periods: periodsOf(o.range, o.interval) }),
    totals: {
      spend: exact(totals.spend.toString()),
      requests: totals.requests,
      ...(byTag ? {} : { failed_requests: totals.failed }),
      prompt_tokens: totals.prompt,
      completion_tokens: totals.completion,
      total_tokens: totals.tokens,
    },
    series: ordered.map(({ s, spend }) => ({
      group: s.group,
      labels: s.labels,
      spend: exact(spend),
      requests: s.requests,
      ...(byTag ? {} : { failed_requests: s.failed }),
      prompt_tokens: s.prompt,
      completion_tokens: s.completion,
      total_tokens: s.tokens,
      ...(o.interval === 'total' ? {} : { data: s.data }),
    })),
  };
  return {
    body,
    table: () => {
      const columns = [
        ...(o.interval === 'total' ? [] : ['period']),
        ...o.groupBy,
        ...o.groupBy.filter((d) => d === 'team' || d === 'key').map((d) => `${d}_name`),
        'spend',
        'requests',
        'prompt_tokens',
        'completion_tokens',
        'total_tokens',
      ];
      if (o.interval === 'total') {
        return {
          columns,
          rows: ordered.map(({ s, spend }) => [
            ...o.groupBy.map((d) => s.group[d]),
            ...o.groupBy.filter((d) => d === 'team' || d === 'key').map((d) => s.labels[d] ?? null),
            exact(spend),
            s.requests,
            s.prompt,
            s.completion,
            s.tokens,
          ]),
        };
      }
      return {
        columns,
        rows: ordered.flatMap(({ s }) =>
          s.data.map((pt) => [
            pt.period as string,
            ...o.groupBy.map((d) => s.group[d]),
            ...o.groupBy.filter((d) => d === 'team' || d === 'key').map((d) => s.labels[d] ?? null),
            pt.spend as never,
            pt.requests as number,
            pt.prompt_tokens as number,
            pt.completion_tokens as number,
            pt.total_tokens as number,
          ]),
        ),
      };
    },
  };
}
