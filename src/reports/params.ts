/**
 * @module reports/params
 * Parsing and validating report query parameters: dates (YYYY-MM-DD, inclusive), IANA time zones,
 * API keys (raw sk-… keys are hashed like the logs store them), limits and output formats. Every
 * bad value becomes a 400 GatewayError('TG_ERR_BAD_REQUEST') with a message naming the parameter.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from '../errors.js';

export type Query = Record<string, unknown>;

/** An inclusive range of calendar days in `timezone`. */
export interface DayRange {
  /** YYYY-MM-DD, inclusive. */
  start: string;
  /** YYYY-MM-DD, inclusive. */
  end: string;
  /** IANA name; 'UTC' by default. */
  timezone: string;
}

/** Same as DayRange with either end optional (open range). */
export interface OpenDayRange {
  start?: string;
  end?: string;
  timezone: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TZ_RE = /^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/;

export function badRequest(message: string, param?: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST', message, param ? { param } : {});
}

/** The single string value of a query parameter ('' and absent → undefined). */
export function str(q: Query, name: string): string | undefined {
  let v = q[name];
  if (Array.isArray(v)) v = v[v.length - 1];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

/** Validates YYYY-MM-DD as a real calendar date; returns it unchanged. */
export function parseDate(value: string, param: string): string {
  const m = DATE_RE.exec(value);
  const bad = () =>
    badRequest(
      `Invalid ${param} "${value}": expected a calendar date as YYYY-MM-DD (e.g. 2024-05-31).`,
      param,
    );
  if (!m) throw bad();
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (y < 1970 || t.getUTCFullYear() !== y || t.getUTCMonth() !== mo - 1 || t.getUTCDate() !== d) throw bad();
  return value;
}

/** Validates an IANA time zone name (default UTC). Offsets like "+05:30" are refused (ambiguous signs). */
export function parseTimezone(value: string | undefined): string {
  if (value === undefined) return 'UTC';
  const bad = () =>
    badRequest(
      `Invalid timezone "${value}": expected an IANA time zone name such as UTC, Europe/Paris or America/New_York.`,
      'timezone',
    );
  if (!TZ_RE.test(value)) throw bad();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    throw bad();
  }
  return value;
}

/** Today (UTC) minus `days`, as YYYY-MM-DD. */
export function utcDay(offsetDays = 0, now = Date.now()): string {
  return new Date(now + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T00:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

function checkOrder(start: string, end: string): void {
  if (end < start) {
    throw badRequest(
      `end_date ${end} is before start_date ${start}: the range is inclusive, start <= end.`,
      'end_date',
    );
  }
}

/** Required start_date and end_date (inclusive), optional timezone. */
export function requiredRange(q: Query, names = { start: 'start_date', end: 'end_date' }): DayRange {
  const s = str(q, names.start);
  const e = str(q, names.end);
  if (!s || !e) {
    throw badRequest(
      `Please provide ${names.start} and ${names.end} (YYYY-MM-DD, both inclusive).`,
      !s ? names.start : names.end,
    );
  }
  const start = parseDate(s, names.start);
  const end = parseDate(e, names.end);
  checkOrder(start, end);
  return { start, end, timezone: parseTimezone(str(q, 'timezone')) };
}

/** start_date/end_date when given, else the last `days` days up to today (UTC calendar, inclusive). */
export function rangeOrLastDays(q: Query, days = 30, now = Date.now()): DayRange {
  const s = str(q, 'start_date');
  const e = str(q, 'end_date');
  const end = e ? parseDate(e, 'end_date') : utcDay(0, now);
  const start = s ? parseDate(s, 'start_date') : addDays(end, -days);
  checkOrder(start, end);
  return { start, end, timezone: parseTimezone(str(q, 'timezone')) };
}

/** Either end optional. */
export function openRange(q: Query): OpenDayRange {
  const s = str(q, 'start_date');
  const e = str(q, 'end_date');
  const start = s ? parseDate(s, 'start_date') : undefined;
  const end = e ? parseDate(e, 'end_date') : undefined;
  if (start && end) checkOrder(start, end);
  return { start, end, timezone: parseTimezone(str(q, 'timezone')) };
}

/**
 * The value the logs store for a key: sha256 hex. A 64-hex string is taken as already hashed;
 * anything else (sk-…, or another key format) is hashed.
 */
export function apiKeyHash(value: string): string {
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase();
  return createHash('sha256').update(value).digest('hex');
}

export function optionalApiKey(q: Query, name = 'api_key'): string | undefined {
  const v = str(q, name);
  return v === undefined ? undefined : apiKeyHash(v);
}

export function intParam(q: Query, name: string, def: number, min: number, max: number): number {
  const v = str(q, name);
  if (v === undefined) return def;
  if (!/^\d+$/.test(v))
    throw badRequest(`Invalid ${name} "${v}": expected a whole number from ${min} to ${max}.`, name);
  const n = Number(v);
  if (n < min || n > max)
    throw badRequest(`Invalid ${name} ${n}: expected a whole number from ${min} to ${max}.`, name);
  return n;
}

/** Comma-separated list (also repeated parameters). */
export function listParam(q: Query, name: string): string[] | undefined {
  const raw = q[name];
  if (raw === undefined || raw === null) return undefined;
  const parts = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return parts.length ? parts : undefined;
}

export type OutputFormat = 'json' | 'csv';

export function formatParam(q: Query): OutputFormat {
  const v = str(q, 'format');
  if (v === undefined || v === 'json') return 'json';
  if (v === 'csv') return 'csv';
  throw badRequest(`Invalid format "${v}": expected json or csv.`, 'format');
}

export function boolParam(q: Query, name: string, def: boolean): boolean {
  const v = str(q, name);
  if (v === undefined) return def;
  const l = v.toLowerCase();
  if (l === 'true' || l === '1' || l === 'yes') return true;
  if (l === 'false' || l === '0' || l === 'no') return false;
  throw badRequest(`Invalid ${name} "${v}": expected true or false.`, name);
}
