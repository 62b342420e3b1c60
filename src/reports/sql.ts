/**
 * @module reports/sql
 * A tiny parameter collector and the SQL fragments that turn inclusive local-day ranges into
 * index-friendly bounds. Hourly rollups are bucketed by the local date at which each UTC hour
 * starts; for whole-hour zones that is exact, for half-hour zones (Asia/Kolkata, +05:30) a day's
 * bounds are moved to the next whole UTC hour (see docs/REPORTS.md).
 */
import type { Db } from '../store/db.js';
import { addDays, type DayRange, type OpenDayRange } from './params.js';

export class Params {
  readonly values: unknown[] = [];
  /** Adds a parameter, returns its placeholder ($n). */
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export const isUtc = (tz: string) => tz === 'UTC' || tz === 'Etc/UTC' || tz === 'GMT' || tz === 'Etc/GMT';

/** Rounds a timestamptz expression up to the next whole UTC hour (unchanged when already whole). */
const ceilHour = (expr: string) => `date_trunc('hour', ${expr} + interval '3599.999999 seconds', 'UTC')`;

/** The UTC instant at which local day `day` starts in `tz`, as SQL. */
function localMidnight(p: Params, day: string, tz: string): string {
  if (isUtc(tz)) return `${p.add(`${day}T00:00:00Z`)}::timestamptz`;
  return `(${p.add(day)}::date::timestamp AT TIME ZONE ${p.add(tz)})`;
}

/** `col` (an hour bucket) inside the inclusive local-day range. */
export function hourBounds(p: Params, r: DayRange, col = 'hour'): string {
  const lo = localMidnight(p, r.start, r.timezone);
  const hi = localMidnight(p, addDays(r.end, 1), r.timezone);
  if (isUtc(r.timezone)) return `${col} >= ${lo} AND ${col} < ${hi}`;
  return `${col} >= ${ceilHour(lo)} AND ${col} < ${ceilHour(hi)}`;
}

/** `col` (an exact timestamp) inside the local-day range; either end may be open. */
export function timeBounds(p: Params, r: OpenDayRange, col = 'start_time'): string[] {
  const out: string[] = [];
  if (r.start) out.push(`${col} >= ${localMidnight(p, r.start, r.timezone)}`);
  if (r.end) out.push(`${col} < ${localMidnight(p, addDays(r.end, 1), r.timezone)}`);
  return out;
}

/** The local calendar date (as YYYY-MM-DD text) of a timestamptz column. */
export function localDay(p: Params, tz: string, col = 'hour'): string {
  return `(${col} AT TIME ZONE ${p.add(tz)})::date::text`;
}

/** Offset from UTC, in seconds, at the start of local day `dayExpr` (a date expression). */
export function offsetAtMidnight(p: Params, tz: string, dayExpr: string): string {
  if (isUtc(tz)) return '0';
  const t = p.add(tz);
  return `extract(epoch from (${dayExpr}::timestamp - ((${dayExpr}::timestamp AT TIME ZONE ${t}) AT TIME ZONE 'UTC')))::int`;
}

/** "+05:30" from seconds. */
export function formatOffset(seconds: number): string {
  const sign = seconds < 0 ? '-' : '+';
  const abs = Math.abs(seconds);
  const h = Math.floor(abs / 3600);
  const m = Math.floor((abs % 3600) / 60);
  return `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** ISO text of a timestamptz column in UTC, microseconds kept. */
export const isoUtc = (col: string) =>
  `to_char((${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const toInt = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

/**
 * Runs one aggregate report query with a larger work_mem (transaction-local), so hash aggregates
 * over a month of rollup rows stay in memory instead of spilling to disk.
 */
export async function reportRows<T>(db: Db, sql: string, params: unknown[]): Promise<T[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT set_config('work_mem', '64MB', true)`);
    return (await tx.query<T>(sql, params)).rows;
  });
}
