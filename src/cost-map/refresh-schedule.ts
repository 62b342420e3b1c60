/**
 * @module cost-map/refresh-schedule
 * When the next check of a cost map source is due: one refresh interval after a good check; after failures
 * sooner — 5 min, 10, 20… (doubling) — but never later than the interval, and never past setTimeout's limit.
 */

/** First retry after a failed check. */
export const RETRY_BASE_MS = 5 * 60 * 1000;
/** setTimeout's largest delay (~24.8 days); longer intervals are checked at this pace. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Delay in ms before the next check, given the interval (> 0) and the failures in a row so far. */
export function nextCheckDelay(intervalMs: number, failures: number): number {
  const delay =
    failures === 0 ? intervalMs : Math.min(intervalMs, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 20));
  return Math.min(delay, MAX_TIMER_MS);
}

/** `5 min`, `2 h`, `1 d` for log lines. */
export function formatDelay(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000} d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  return `${Math.round(ms / 60_000)} min`;
}
