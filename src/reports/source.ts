/**
 * @module reports/source
 * Picks the rollup a report reads: the UTC-daily tables (migration 004, ~20x fewer rows) when the
 * report is in UTC and needs no customer dimension, else the hourly tables (any whole-hour time
 * zone; customer = end_user). Both are written in the same transaction as the logs.
 */
import type { DayRange } from './params.js';
import { hourBounds, isUtc, localDay, type Params } from './sql.js';

export interface RollupSource {
  table: string;
  /** Range condition (index-friendly). */
  where: string;
  /** Local calendar date of a row, as YYYY-MM-DD text (adds its parameters when called). */
  day: () => string;
  /** First day (YYYY-MM-DD text) of the row's week (ISO, Monday) or month. */
  period: (interval: 'week' | 'month') => string;
  daily: boolean;
}

export function rollupSource(
  p: Params,
  range: DayRange,
  o: { tags?: boolean; needsEndUser?: boolean; forceHourly?: boolean } = {},
): RollupSource {
  if (isUtc(range.timezone) && !o.needsEndUser && !o.forceHourly) {
    return {
      table: o.tags ? 'tg_spend_daily_tags' : 'tg_spend_daily',
      where: `day >= ${p.add(range.start)}::date AND day <= ${p.add(range.end)}::date`,
      day: () => 'day::text',
      period: (interval) => `date_trunc('${interval}', day::timestamp)::date::text`,
      daily: true,
    };
  }
  return {
    table: o.tags ? 'tg_spend_hourly_tags' : 'tg_spend_hourly',
    where: hourBounds(p, range),
    day: () => localDay(p, range.timezone),
    period: (interval) => `date_trunc('${interval}', hour AT TIME ZONE ${p.add(range.timezone)})::date::text`,
    daily: false,
  };
}
