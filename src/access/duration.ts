/**
 * @module access/duration
 * LiteLLM duration strings (`30s`, `30m`/`30min`, `1h`, `1d`, `2w`, `1mo`) for key expiry and budget
 * periods, and the budget-period grid: a period ends at `budget_reset_at` and the next one ends one
 * duration later, so every process computes the same boundaries from the same anchor.
 */

export interface Duration {
  /** Fixed length in ms (0 when `months` is set). */
  ms: number;
  /** Calendar months (UTC), for `mo`. */
  months: number;
  text: string;
}

const DURATION_RE =
  /^(\d+)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|w|weeks?|mo|months?)?$/i;

/** Longest accepted duration: 100 years (a key that never expires is set with no duration). */
export const MAX_DURATION_MS = 100 * 366 * 86_400_000;
const MAX_MONTHS = 1200;

/** Parses a duration; throws RangeError with a readable message on anything else. */
export function parseDuration(text: string): Duration {
  const m = DURATION_RE.exec(text.trim());
  if (!m) {
    throw new RangeError(
      `invalid duration "${text}": use a number followed by s, m, h, d, w or mo (e.g. "30s", "1h", "7d", "1mo")`,
    );
  }
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new RangeError(`invalid duration "${text}": must be positive`);
  const unit = (m[2] ?? 's').toLowerCase();
  const tooLong = () => new RangeError(`invalid duration "${text}": longer than 100 years`);
  if (unit.startsWith('mo')) {
    if (n > MAX_MONTHS) throw tooLong();
    return { ms: 0, months: n, text };
  }
  const factor = unit.startsWith('s')
    ? 1_000
    : unit.startsWith('m')
      ? 60_000
      : unit.startsWith('h')
        ? 3_600_000
        : unit.startsWith('d')
          ? 86_400_000
          : 604_800_000;
  if (n * factor > MAX_DURATION_MS) throw tooLong();
  return { ms: n * factor, months: 0, text };
}

export function isValidDuration(text: string): boolean {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** `from` + duration, in epoch ms (calendar months in UTC, day clamped to the month's end). */
export function addDuration(from: number, d: Duration): number {
  if (d.months === 0) return from + d.ms;
  const date = new Date(from);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + d.months);
  const last = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, last));
  return date.getTime();
}

/**
 * End of the budget period containing `now`, on the grid anchored at `resetAt` (the stored
 * `budget_reset_at`): `resetAt` itself while now < resetAt, else advanced by whole durations.
 */
export function currentPeriodEnd(resetAt: number, d: Duration, now: number): number {
  let end = resetAt;
  if (now < end) return end;
  if (d.months === 0) {
    const steps = Math.floor((now - end) / d.ms) + 1;
    return end + steps * d.ms;
  }
  // Month arithmetic: step from the anchor (few iterations in practice: resets run every second).
  let i = 0;
  while (end <= now && i < 100_000) {
    end = addDuration(end, d);
    i++;
  }
  return end;
}

/** Start of the budget period containing `now` (the last boundary <= now) on the same grid. */
export function currentPeriodStart(resetAt: number, d: Duration, now: number): number {
  if (now < resetAt) return resetAt; // not yet past the anchor: callers only ask after a boundary
  if (d.months === 0) return currentPeriodEnd(resetAt, d, now) - d.ms;
  let start = resetAt;
  let next = addDuration(start, d);
  let i = 0;
  while (next <= now && i < 100_000) {
    start = next;
    next = addDuration(start, d);
    i++;
  }
  return start;
}
