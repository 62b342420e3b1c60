/**
 * @module ui/lib/time
 * Dates and times in the chosen IANA time zone. Report ranges are calendar days (YYYY-MM-DD,
 * inclusive) in that zone, as the spend API takes them; log times arrive as ISO UTC and are shown
 * in the zone. Day arithmetic is done on the calendar date only (UTC noon), never on local clocks.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, withTime: boolean): Intl.DateTimeFormat {
  const id = `${timeZone}|${withTime}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(withTime
        ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' as const }
        : {}),
    });
    formatters.set(id, f);
  }
  return f;
}

function parts(d: Date, timeZone: string, withTime: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of formatter(timeZone, withTime).formatToParts(d)) out[p.type] = p.value;
  return out;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The browser's own zone (falls back to UTC). */
export function browserTimeZone(): string {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && isValidTimeZone(tz) ? tz : 'UTC';
}

/** Every zone the browser knows, UTC first. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [];
  return ['UTC', ...all.filter((z) => z !== 'UTC')];
}

/** Today's date in `timeZone` plus `days`, as YYYY-MM-DD. */
export function today(timeZone: string, days = 0, now = Date.now()): string {
  const p = parts(new Date(now), timeZone, false);
  return addDays(`${p.year}-${p.month}-${p.day}`, days);
}

export function addDays(day: string, n: number): string {
  const t = Date.parse(`${day}T12:00:00Z`) + n * 86_400_000;
  return new Date(t).toISOString().slice(0, 10);
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isDay(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const t = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === s;
}

/** "2024-05-01T10:00:00.123456Z" → "2024-05-01 12:00:00" in Europe/Paris. */
export function formatTime(iso: unknown, timeZone: string): string {
  if (typeof iso !== 'string') return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = parts(d, timeZone, true);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Milliseconds as "850 ms" or "2.35 s" (durations are whole milliseconds). */
export function formatDuration(ms: unknown): string {
  const n = Number(String(ms ?? ''));
  if (!Number.isFinite(n)) return '–';
  if (n < 1000) return `${n} ms`;
  return `${(n / 1000).toFixed(2)} s`;
}
