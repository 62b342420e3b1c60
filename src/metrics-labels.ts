/**
 * @module metrics-labels
 * Bounded Prometheus label values. Each label dimension keeps at most N distinct values (the first
 * N seen by this process); later values are reported as `__other__`, so a flood of new keys, users
 * or customers can never make /metrics grow without bound. Limits are documented in
 * docs/OPERATIONS.md.
 */

export const OVERFLOW_LABEL = '__other__';

export class LabelLimiter {
  private readonly seen = new Set<string>();

  constructor(readonly max: number) {}

  /** The value to report: itself while fewer than `max` distinct values were seen, else `__other__`. */
  value(v: string | null | undefined): string {
    if (v === null || v === undefined || v === '') return '';
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return OVERFLOW_LABEL;
    this.seen.add(v);
    return v;
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Per-dimension limits (distinct values per process). */
export const LABEL_LIMITS = {
  key: 1000,
  user: 1000,
  team: 500,
  endUser: 1000,
  model: 200,
  deployment: 500,
  route: 50,
} as const;
