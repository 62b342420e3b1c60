/**
 * @module ui/lib/range
 * The report range shared by Usage and Logs: inclusive calendar days in the chosen time zone and
 * an interval, read from and written to the hash. An invalid range is reported, never loaded.
 */
import { addDays, isDay, today } from './time';

export type Interval = 'day' | 'week' | 'month';

export interface Range {
  from: string;
  to: string;
  interval: Interval;
}

export const DEFAULT_DAYS = 30;

export function readRange(params: URLSearchParams, timeZone: string): Range {
  const to = params.get('to') ?? today(timeZone);
  const from = params.get('from') ?? addDays(isDay(to) ? to : today(timeZone), -(DEFAULT_DAYS - 1));
  const iv = params.get('interval');
  return { from, to, interval: iv === 'week' || iv === 'month' ? iv : 'day' };
}

/** Why a range cannot be shown, or null when it is fine. */
export function rangeProblem(r: { from: string; to: string }): string | null {
  if (!r.from || !r.to) return 'Choose both dates.';
  if (!isDay(r.from)) return `"${r.from}" is not a calendar date (YYYY-MM-DD).`;
  if (!isDay(r.to)) return `"${r.to}" is not a calendar date (YYYY-MM-DD).`;
  if (r.to < r.from)
    return `The end date ${r.to} is before the start date ${r.from}: the range is inclusive, start ≤ end.`;
  return null;
}

export function lastDays(days: number, timeZone: string): { from: string; to: string } {
  const to = today(timeZone);
  return { from: addDays(to, -(days - 1)), to };
}
