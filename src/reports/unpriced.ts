/**
 * @module reports/unpriced
 * GET /spend/unpriced — how many successful requests in a range had no price (the gateway
 * recorded them at 0 and flagged them `pricing_source: 'unpriced'`), per model group, so a report
 * never lets such traffic look free. Reads tg_spend_logs through the partial index
 * tg_spend_logs_unpriced (migration 012), which holds only unpriced rows, so the cost follows the
 * unpriced traffic, not the whole range. Exact in every time zone (log timestamps, not rollups).
 */
import type { Db } from '../store/db.js';
import type { OpenDayRange } from './params.js';
import { UNPRICED_CONDITION } from './spend-logs.js';
import { Params, timeBounds, toInt } from './sql.js';
import type { ReportResult } from './types.js';

export interface UnpricedOptions {
  range: OpenDayRange;
  /** Only this key's requests (sha256 hex). */
  apiKey?: string;
}

export async function unpricedSummary(db: Db, o: UnpricedOptions): Promise<ReportResult> {
  const p = new Params();
  const where = [...timeBounds(p, o.range), UNPRICED_CONDITION];
  if (o.apiKey !== undefined) where.push(`api_key = ${p.add(o.apiKey)}`);
  const rows = (
    await db.query<{ model_group: string; requests: string | number }>(
      `SELECT model_group, count(*)::text AS requests FROM tg_spend_logs WHERE ${where.join(' AND ')}
       GROUP BY model_group ORDER BY count(*) DESC, model_group`,
      p.values,
    )
  ).rows;
  const groups = rows.map((r) => ({ model_group: r.model_group, requests: toInt(r.requests) }));
  const body = {
    start_date: o.range.start ?? null,
    end_date: o.range.end ?? null,
    timezone: o.range.timezone,
    requests: groups.reduce((n, g) => n + g.requests, 0),
    model_groups: groups,
  };
  return {
    body,
    table: () => ({
      columns: ['model_group', 'requests'],
      rows: groups.map((g) => [g.model_group, g.requests]),
    }),
  };
}
