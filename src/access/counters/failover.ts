/**
 * @module access/counters/failover
 * Chooses the counter backend per call: Redis while it is reachable, in-process otherwise. A
 * connection failure mid-call marks Redis down (one warning) and retries the call in-process;
 * a script error (a bug, not an outage) propagates.
 *
 * A request admitted on Redis whose settle cannot reach it leaves its reservation and parallel
 * slot in Redis ("orphaned"; they would only expire with the reservation TTL, 15 min). Those are
 * counted (tollgate_budget_reservations_orphaned, a gauge) and released in Redis as soon as it is
 * back (the spend itself reaches the Redis counter through reconciliation from tg_spend_totals).
 */
import { Counter, Gauge } from 'prom-client';
import type { Logger } from '../../logger.js';
import { registry } from '../../metrics.js';
import type { RedisLink } from '../redis-link.js';
import type { MemoryCounters } from './memory.js';
import type { RedisCounters } from './redis.js';
import type { CounterBackend, SettleInput, SettleResult } from './types.js';

const MAX_ORPHANS = 100_000;
const orphanSources = new Set<() => number>();

export const reservationsOrphaned = new Gauge({
  name: 'tollgate_budget_reservations_orphaned',
  help: 'Reservations and parallel slots left in Redis by requests that settled while Redis was unreachable (released when it is back; they expire with the reservation TTL otherwise)',
  registers: [registry],
  collect() {
    let n = 0;
    for (const f of orphanSources) n += f();
    this.set(n);
  },
});

export const reservationsOrphanedTotal = new Counter({
  name: 'tollgate_budget_reservations_orphaned_total',
  help: 'Settles that could not reach Redis (the reservation stayed there until released or expired)',
  registers: [registry],
});

export class FailoverCounters {
  /** Settles that fell back in-process for requests admitted on Redis: released there once it is back. */
  private orphans: SettleInput[] = [];
  /** Taken off `orphans` and being released in Redis right now: still orphaned until each settle lands. */
  private releasing = 0;
  private dropped = 0;
  readonly untrack: () => void;

  constructor(
    readonly memory: MemoryCounters,
    readonly redis: RedisCounters | null,
    private readonly link: RedisLink | null,
    private readonly logger: Logger,
  ) {
    const count = () => this.orphans.length + this.releasing + this.dropped;
    orphanSources.add(count);
    this.untrack = () => orphanSources.delete(count);
  }

  /** Reservations left in Redis by settles that could not reach it. */
  orphanedReservations(): number {
    return this.orphans.length + this.releasing + this.dropped;
  }

  /**
   * Settles on the backend the request was admitted on. When that is Redis and it fails, the
   * settle runs in-process and the Redis reservation is remembered as orphaned.
   */
  async settle(b: CounterBackend, input: SettleInput): Promise<SettleResult> {
    if (b === this.memory || !this.redis) return b.settle(input);
    try {
      return await b.settle(input);
    } catch (err) {
      if (isScriptError(err)) throw err;
      this.link?.markDown(err);
      reservationsOrphanedTotal.inc();
      if (this.orphans.length < MAX_ORPHANS) this.orphans.push(input);
      else this.dropped++; // still expire with their TTL; the gauge keeps saying so
      return this.memory.settle(input);
    }
  }

  /**
   * Redis is back: release the orphaned reservations and slots there (cost 0: the spend reaches
   * the counter through reconciliation, which must run after this). Returns how many were released.
   */
  async releaseOrphans(): Promise<number> {
    if (!this.redis || this.orphans.length === 0) {
      this.dropped = 0;
      return 0;
    }
    const batch = this.orphans.splice(0);
    this.releasing += batch.length;
    let done = 0;
    for (let i = 0; i < batch.length; i++) {
      try {
        await this.redis.settle({ ...batch[i], cost: 0n, extraTokens: 0 });
        done++;
        this.releasing--;
      } catch (err) {
        // Down again: keep the rest for the next recovery.
        this.releasing -= batch.length - i;
        this.orphans.unshift(...batch.slice(i));
        this.link?.markDown(err);
        break;
      }
    }
    if (this.orphans.length === 0) this.dropped = 0;
    if (done > 0)
      this.logger.warn(
        { released: done },
        'released budget reservations orphaned in Redis during its outage',
      );
    return done;
  }

  active(): CounterBackend {
    return this.redis && this.link?.up ? this.redis : this.memory;
  }

  /** Runs fn on the active backend, falling back to in-process if Redis fails. */
  async run<T>(fn: (b: CounterBackend) => Promise<T>): Promise<{ backend: CounterBackend; value: T }> {
    const b = this.active();
    if (b === this.memory) return { backend: b, value: await fn(b) };
    try {
      return { backend: b, value: await fn(b) };
    } catch (err) {
      if (isScriptError(err)) throw err;
      this.link?.markDown(err);
      return { backend: this.memory, value: await fn(this.memory) };
    }
  }

  /** Runs fn on a given backend, falling back to in-process if it is Redis and it fails. */
  async on<T>(b: CounterBackend, fn: (b: CounterBackend) => Promise<T>): Promise<T> {
    if (b === this.memory) return fn(b);
    try {
      return await fn(b);
    } catch (err) {
      if (isScriptError(err)) throw err;
      this.link?.markDown(err);
      return fn(this.memory);
    }
  }

  /** Applies a maintenance operation to both backends (in-process counters may hold fallback state). */
  async all(fn: (b: CounterBackend) => Promise<void>): Promise<void> {
    await fn(this.memory);
    if (this.redis && this.link?.up) {
      try {
        await fn(this.redis);
      } catch (err) {
        if (isScriptError(err)) this.logger.error({ err }, 'counter maintenance script failed');
        else this.link.markDown(err);
      }
    }
  }
}

function isScriptError(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ReplyError';
}
