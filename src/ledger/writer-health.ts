/**
 * @module ledger/writer-health
 * Whether the spend writer keeps up: how old the oldest unwritten event is, how many batch writes
 * failed in a row, and whether the ledger is stalled (events pending and no commit for longer than
 * `stallAfterMs`). Readiness and the metrics read this, so a ledger that stopped writing — a
 * database that is down, or a batch it keeps refusing — is visible rather than "healthy".
 */

export interface WriterHealth {
  /** Age of the oldest event not yet committed (0 when nothing is pending). */
  oldestPendingAgeMs: number;
  consecutiveFailures: number;
  /** Events pending and no progress (commit) for longer than stallAfterMs. */
  stalled: boolean;
  /** ms since the last commit while events are pending (0 when nothing is pending). */
  stalledForMs: number;
}

export class WriterHealthTracker {
  consecutiveFailures = 0;
  /** Oldest known pending event time (epoch ms), or null when nothing is pending. */
  private pendingSince: number | null = null;
  /** Last commit, or when events started to be pending after an idle spool. */
  private progressAt: number;

  constructor(
    private readonly stallAfterMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.progressAt = this.now();
  }

  /** An event was appended. */
  recorded(): void {
    if (this.pendingSince === null) {
      this.pendingSince = this.now();
      this.progressAt = this.pendingSince;
    }
  }

  /** The writer read a batch whose oldest event ended at `oldestMs` (from the events). */
  batchRead(oldestMs: number): void {
    const t = Number.isFinite(oldestMs) ? Math.min(oldestMs, this.now()) : this.now();
    this.pendingSince = this.pendingSince === null ? t : Math.min(this.pendingSince, t);
  }

  /** A batch write attempt failed. */
  failed(): void {
    this.consecutiveFailures++;
  }

  /** A batch was committed; `pendingLeft` events remain. */
  committed(pendingLeft: number): void {
    this.consecutiveFailures = 0;
    this.progressAt = this.now();
    // The next read tells how old the remaining ones are; until then count from now.
    this.pendingSince = pendingLeft > 0 ? this.progressAt : null;
  }

  snapshot(pending: number): WriterHealth {
    if (pending <= 0) {
      return {
        oldestPendingAgeMs: 0,
        consecutiveFailures: this.consecutiveFailures,
        stalled: false,
        stalledForMs: 0,
      };
    }
    const now = this.now();
    const stalledForMs = Math.max(0, now - this.progressAt);
    return {
      oldestPendingAgeMs: Math.max(0, now - (this.pendingSince ?? now)),
      consecutiveFailures: this.consecutiveFailures,
      stalled: stalledForMs > this.stallAfterMs,
      stalledForMs,
    };
  }
}
