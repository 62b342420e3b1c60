/**
 * @module ledger/ledger
 * The spend ledger: record() appends the event's row to the spool (synchronous, never throws,
 * never touches the database); one background writer reads the spool back in batches and commits
 * them with writeSpendRows (the lines are the rows: ledger/spool-line), retrying with backoff
 * while the database is slow or down, then frees the committed spool segments. On start, what a
 * previous process left in the spool is replayed (idempotent by request_id).
 */
import { join } from 'node:path';
import type pino from 'pino';
import { logger as defaultLogger } from '../logger.js';
import type { Db } from '../store/db.js';
import { writeSpendRows } from './batch-writer.js';
import {
  DEAD_LETTER_FILE,
  type DeadLetter,
  newDeadLetter,
  readDeadLetterFile,
  storeDeadLetters,
} from './dead-letters.js';
import { TRUNCATION_FLAG } from './event-serializer.js';
import {
  spendBatchFailures,
  spendBatchWriteSeconds,
  spendEventsDeadLettered,
  spendEventsDuplicate,
  spendEventsTruncated,
  spendEventsWritten,
  trackLedger,
} from './metrics.js';
import type { SpendEvent, SpendSink } from './spend-event.js';
import { Spool, type SpoolMark } from './spool.js';
import { type PreparedRow, prepareLine, spoolLineOf } from './spool-line.js';
import { type WriterHealth, WriterHealthTracker } from './writer-health.js';

export interface LedgerOptions {
  db: Db;
  spoolDir: string;
  /** Events per SQL statement; also the count that triggers a write before the interval (default 500). */
  batchSize?: number;
  /**
   * Spool bytes per SQL statement (default 16 MiB): PostgreSQL refuses a jsonb parameter over
   * 256 MiB, so a count bound alone lets a few hundred large events poison a batch.
   */
  batchMaxBytes?: number;
  /** Stalled = events pending and no commit for longer than this (default 60,000 ms). */
  stallAfterMs?: number;
  /**
   * After this many failed attempts of the same batch with an error that is not about the data,
   * the writer splits the batch while the database answers, to find an event that cannot be
   * stored alone (default 3).
   */
  isolateAfterFailures?: number;
  /** Write at least this often when events are pending (default 1000 ms). */
  flushIntervalMs?: number;
  logger?: pino.Logger;
  /** Keep `messages` / `response` (general_settings.store_prompts_in_spend_logs). Default false. */
  storePrompts?: boolean;
  /** How long close() keeps trying to write before leaving the rest in the spool (default 10,000 ms). */
  closeTimeoutMs?: number;
  /** How long start() waits for the replay of a previous process's spool (default 5,000 ms). */
  replayWaitMs?: number;
  /** Retry delay bounds while the database fails (defaults 100 ms → 5,000 ms, doubling, with jitter). */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Spool segment rotation size (default 16 MiB). */
  segmentMaxBytes?: number;
}

export interface LedgerStats {
  pending: number;
  /** Rows inserted by this ledger (request ids not seen before). */
  written: number;
  failedBatches: number;
  dbHealthy: boolean;
  /** Events skipped as already stored (replays). */
  duplicates: number;
  /** Events that could not be stored, kept in <spoolDir>/dead-letter.jsonl and tg_spend_dead_letters. */
  deadLettered: number;
  /** Age of the oldest unwritten event, failures in a row, stalled. */
  health: WriterHealth;
}

export interface Ledger extends SpendSink {
  /** Replays un-committed spool entries (waits up to replayWaitMs), then starts the periodic writer. */
  start(): Promise<void>;
  /** Writes everything recorded before the call. Rejects after timeoutMs (default: no limit). */
  flush(timeoutMs?: number): Promise<void>;
  /** Flushes (bounded by closeTimeoutMs, the rest stays in the spool) and stops. Does not close the Db. */
  close(): Promise<void>;
  stats(): LedgerStats;
}

export function createLedger(opts: LedgerOptions): Ledger {
  return new SpendLedger(opts);
}

interface Waiter {
  done(): boolean;
  resolve(): void;
}

/**
 * Errors about the rows themselves, never about the connection: PostgreSQL data exceptions (22),
 * constraint violations (23), program limits (54: e.g. "total size of jsonb array elements
 * exceeds the maximum"), and SpendEventError (22023). A batch failing so is split at once.
 */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return (
    typeof code === 'string' &&
    code.length === 5 &&
    (code.startsWith('22') || code.startsWith('23') || code.startsWith('54'))
  );
}

function errorText(err: unknown): string {
  return String((err as Error)?.message ?? err).slice(0, 300);
}

class SpendLedger implements Ledger {
  private readonly db: Db;
  private readonly spool: Spool;
  private readonly log: pino.Logger;
  private readonly batchSize: number;
  private readonly batchMaxBytes: number;
  private readonly isolateAfter: number;
  private readonly flushIntervalMs: number;
  private readonly storePrompts: boolean;
  private readonly closeTimeoutMs: number;
  private readonly replayWaitMs: number;
  private readonly retryMinMs: number;
  private readonly retryMaxMs: number;
  private started = false;
  private stopped = false;
  private closed = false;
  private loop: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private kicked = false;
  private urgent = false;
  private wakeIdle: (() => void) | null = null;
  private wakeRetry: (() => void) | null = null;
  private waiters: Waiter[] = [];
  private healthy = true;
  private written = 0;
  private duplicates = 0;
  private deadLettered = 0;
  private failedBatches = 0;
  private lastRecordError = 0;
  private readonly untrack: () => void;
  private readonly health: WriterHealthTracker;
  /** Dead letters written to the file and not yet copied to the table. */
  private deadToStore: DeadLetter[] = [];
  /** Time of the last successful batch write (evidence that the database accepts rows). */
  private lastWriteOkAt = 0;

  constructor(opts: LedgerOptions) {
    this.db = opts.db;
    this.log = opts.logger ?? defaultLogger;
    this.batchSize = Math.max(1, opts.batchSize ?? 500);
    this.batchMaxBytes = Math.max(1, opts.batchMaxBytes ?? 16 * 1024 * 1024);
    this.isolateAfter = Math.max(1, opts.isolateAfterFailures ?? 3);
    this.health = new WriterHealthTracker(opts.stallAfterMs ?? 60_000);
    this.flushIntervalMs = Math.max(1, opts.flushIntervalMs ?? 1000);
    this.storePrompts = opts.storePrompts === true;
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 10_000;
    this.replayWaitMs = opts.replayWaitMs ?? 5_000;
    this.retryMinMs = opts.retryMinMs ?? 100;
    this.retryMaxMs = opts.retryMaxMs ?? 5_000;
    this.spool = new Spool({ dir: opts.spoolDir, logger: this.log, segmentMaxBytes: opts.segmentMaxBytes });
    this.spool.open();
    this.untrack = trackLedger({
      pendingEvents: () => this.spool.pending(),
      isDbHealthy: () => this.healthy,
      health: () => this.health.snapshot(this.spool.pending()),
    });
  }

  record(event: SpendEvent): void {
    try {
      if (this.closed && Date.now() - this.lastRecordError > 10_000) {
        this.lastRecordError = Date.now();
        this.log.warn('spend event recorded after ledger.close(): kept in the spool for the next start');
      }
      const line = spoolLineOf(event, { storePrompts: this.storePrompts });
      if (line.includes(TRUNCATION_FLAG)) this.noteTruncation(event, line);
      this.health.recorded();
      this.spool.appendLine(line);
      if (this.wakeIdle && this.spool.pending() >= this.batchSize) this.kick();
    } catch (err) {
      // Never throw to the request path.
      if (Date.now() - this.lastRecordError > 1000) {
        this.lastRecordError = Date.now();
        this.log.error({ err }, 'could not record spend event');
      }
    }
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.importDeadLetterFile();
    const replay = await this.spool.count();
    const backlog = this.spool.mark();
    if (replay > 0) this.log.info({ events: replay, dir: this.spool.dir }, 'replaying spooled spend events');
    this.timer = setInterval(() => this.kick(), this.flushIntervalMs);
    this.timer.unref();
    this.loop = this.run();
    this.kick();
    if (replay > 0) {
      // Wait for the replay, but never hold up the gateway's start for a down database.
      const ok = await this.waitFor(() => this.spool.reached(backlog) || !this.healthy, this.replayWaitMs);
      if (!ok || !this.spool.reached(backlog)) {
        this.log.warn(
          { pending: this.spool.pending() },
          'spend spool replay continues in the background (database slow or unreachable)',
        );
      }
    }
  }

  async flush(timeoutMs?: number): Promise<void> {
    if (!this.started || this.stopped) throw new Error('ledger is not running (call start() first)');
    const mark: SpoolMark = this.spool.mark();
    if (this.spool.reached(mark)) return;
    this.kick(true);
    const ok = await this.waitFor(() => this.spool.reached(mark), timeoutMs);
    if (!ok) {
      throw new Error(
        `spend ledger flush timed out after ${timeoutMs} ms (${this.spool.pending()} events remain in the spool)`,
      );
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const deadline = Date.now() + this.closeTimeoutMs;
    if (this.started && !this.stopped) {
      try {
        await this.flush(this.closeTimeoutMs);
      } catch {
        this.log.warn(
          { pending: this.spool.pending(), dir: this.spool.dir },
          'spend database unreachable at shutdown: events stay in the spool and are written on next start',
        );
      }
    }
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.kick(true);
    if (this.loop) await this.waitPromise(this.loop, Math.max(0, deadline - Date.now()));
    this.spool.close();
    this.untrack();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  stats(): LedgerStats {
    return {
      pending: this.spool.pending(),
      written: this.written,
      failedBatches: this.failedBatches,
      dbHealthy: this.healthy,
      duplicates: this.duplicates,
      deadLettered: this.deadLettered,
      health: this.health.snapshot(this.spool.pending()),
    };
  }

  /** Counts an event stored with a part cut (the flag is in its metadata); logs without the data. */
  private noteTruncation(event: SpendEvent, line: string): void {
    // The flag key may also occur in client text; the bounded copy's metadata is authoritative.
    try {
      const meta = (JSON.parse(line) as { metadata?: Record<string, unknown> }).metadata;
      if (!meta || !(TRUNCATION_FLAG in meta)) return;
      spendEventsTruncated.inc();
      if (Date.now() - this.lastRecordError > 1000) {
        this.lastRecordError = Date.now();
        this.log.warn(
          { requestId: event?.requestId, cut: meta[TRUNCATION_FLAG] },
          'spend event stored with part of its metadata cut to fit the stored limits',
        );
      }
    } catch {
      // the line is ours and valid JSON; nothing to do
    }
  }

  /** Dead letters a previous process wrote to the file but may not have copied to the table. */
  private importDeadLetterFile(): void {
    const recs = readDeadLetterFile(join(this.spool.dir, DEAD_LETTER_FILE));
    if (recs.length > 0) this.deadToStore.push(...recs);
  }

  /** Copies dead letters to the table; on failure they stay queued (and in the file). */
  private async storePendingDeadLetters(): Promise<void> {
    if (this.deadToStore.length === 0) return;
    const batch = this.deadToStore.splice(0);
    try {
      await storeDeadLetters(this.db, batch);
    } catch (err) {
      this.deadToStore.unshift(...batch);
      this.log.warn(
        { err: errorText(err), count: batch.length },
        'could not copy dead letters to the database yet',
      );
    }
  }

  /**
   * Wakes the writer. A normal kick (interval tick, a full batch) ends only the idle wait; an
   * urgent one (flush, close) also cuts a retry backoff short.
   */
  private kick(urgent = false): void {
    this.kicked = true;
    if (urgent) this.urgent = true;
    const idle = this.wakeIdle;
    this.wakeIdle = null;
    idle?.();
    if (urgent) {
      const retry = this.wakeRetry;
      this.wakeRetry = null;
      retry?.();
    }
  }

  /** The writer's wait between drains: until kicked or ms elapse. */
  private sleepIdle(ms: number): Promise<void> {
    if (this.kicked || this.stopped) {
      this.kicked = false;
      this.urgent = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => wake(), ms);
      t.unref();
      const wake = () => {
        clearTimeout(t);
        if (this.wakeIdle === wake) this.wakeIdle = null;
        this.kicked = false;
        this.urgent = false;
        resolve();
      };
      this.wakeIdle = wake;
    });
  }

  /** Backoff between failed attempts: only an urgent kick (flush, close) ends it early. */
  private sleepRetry(ms: number): Promise<void> {
    if (this.urgent || this.stopped) {
      this.urgent = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const t = setTimeout(() => wake(), ms);
      t.unref();
      const wake = () => {
        clearTimeout(t);
        if (this.wakeRetry === wake) this.wakeRetry = null;
        this.urgent = false;
        resolve();
      };
      this.wakeRetry = wake;
    });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.sleepIdle(this.flushIntervalMs);
      try {
        await this.drain();
      } catch (err) {
        // A bug or a file-system error while reading: keep the writer alive.
        this.log.error({ err }, 'spend writer error');
        await this.sleepRetry(this.retryMaxMs);
      }
    }
  }

  /** Writes batches until the spool has nothing left (or the ledger stops). */
  private async drain(): Promise<void> {
    await this.storePendingDeadLetters();
    while (!this.stopped) {
      const r = await this.spool.read(this.batchSize, this.batchMaxBytes);
      if (r.lines.length === 0 && r.torn.length === 0) return;
      let oldest = Number.POSITIVE_INFINITY;
      const rows: PreparedRow[] = [];
      for (const t of r.torn) this.reject(t, 'torn line (process died while writing it)');
      for (const line of r.lines) {
        let row: PreparedRow;
        try {
          row = prepareLine(line);
        } catch (err) {
          this.reject(line, errorText(err));
          continue;
        }
        rows.push(row);
        if (row.endMs < oldest) oldest = row.endMs;
      }
      this.health.batchRead(oldest);
      if (rows.length > 0 && !(await this.writeWithRetry(rows))) return;
      this.spool.commit(r);
      this.health.committed(this.spool.pending());
      await this.storePendingDeadLetters();
      this.settleWaiters();
      // Under a steady trickle, writing what arrived during the last write would mean one small
      // statement after another (each costs the database far more than a row does): a partial
      // batch waits for the next tick or a full batch, unless someone waits for it (flush, close).
      if (this.waiters.length === 0 && this.spool.pending() < this.batchSize) return;
    }
  }

  /** true when committed; false when the ledger stopped first (the events stay in the spool). */
  private async writeWithRetry(rows: PreparedRow[]): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.writeIsolating(rows, attempt >= this.isolateAfter ? Date.now() : null);
        if (!this.healthy) {
          this.healthy = true;
          this.log.warn(
            { pending: this.spool.pending() },
            'spend database reachable again; draining the spool',
          );
        }
        return true;
      } catch (err) {
        this.failedBatches++;
        this.health.failed();
        spendBatchFailures.inc();
        if (this.healthy) {
          this.healthy = false;
          this.log.warn(
            { err, pending: this.spool.pending() },
            'spend database write failed; requests continue, events are kept in the spool and retried',
          );
        }
        this.settleWaiters();
        if (this.stopped) return false;
        const backoff = Math.min(this.retryMaxMs, this.retryMinMs * 2 ** Math.min(attempt, 20));
        await this.sleepRetry(backoff / 2 + Math.random() * (backoff / 2));
        if (this.stopped) return false;
      }
    }
  }

  /**
   * Writes a batch. A batch failing on its data (isDataError) is split in halves until the event
   * that cannot be stored is alone, and that one is dead-lettered. Any other error is retried as a
   * whole with backoff, unless `isolating` (the time isolation started: the batch already failed
   * isolateAfterFailures times) and the database answers: then it is split as well, and an event
   * still failing alone is dead-lettered only if the database accepted other rows since isolation
   * started — so a database that refuses every write never empties the spool into dead letters.
   */
  private async writeIsolating(rows: PreparedRow[], isolating: number | null): Promise<void> {
    const t0 = process.hrtime.bigint();
    try {
      const res = await writeSpendRows(this.db, rows);
      spendBatchWriteSeconds.observe(Number(process.hrtime.bigint() - t0) / 1e9);
      this.lastWriteOkAt = Date.now();
      this.written += res.inserted;
      this.duplicates += res.duplicates;
      spendEventsWritten.inc(res.inserted);
      if (res.duplicates > 0) spendEventsDuplicate.inc(res.duplicates);
    } catch (err) {
      const data = isDataError(err);
      if (!data && (isolating === null || !(await this.dbAnswers()))) throw err;
      if (rows.length === 1) {
        if (data) {
          this.reject(rows[0].line, `rejected by the database: ${errorText(err)}`);
          return;
        }
        if (this.lastWriteOkAt >= isolating!) {
          this.reject(
            rows[0].line,
            `could not be stored alone while the database accepted other events: ${errorText(err)}`,
          );
          return;
        }
        throw err;
      }
      const mid = rows.length >>> 1;
      await this.writeIsolating(rows.slice(0, mid), isolating);
      await this.writeIsolating(rows.slice(mid), isolating);
    }
  }

  /** True when the database answers a trivial query (an outage is not a poison event). */
  private async dbAnswers(): Promise<boolean> {
    try {
      await this.db.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private reject(line: string, reason: string): void {
    this.deadLettered++;
    spendEventsDeadLettered.inc();
    const rec = newDeadLetter(line, reason);
    this.spool.deadLetter(rec);
    this.deadToStore.push(rec);
    this.log.error(
      { reason, id: rec.id, file: join(this.spool.dir, DEAD_LETTER_FILE) },
      'spend event could not be stored; kept as a dead letter (GET /ledger/dead-letters)',
    );
  }

  private waitFor(done: () => boolean, timeoutMs?: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        done,
        resolve: () => {
          if (timer) clearTimeout(timer);
          resolve(done());
        },
      };
      this.waiters.push(w);
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve(done());
        }, timeoutMs);
      }
    });
  }

  private settleWaiters(): void {
    const keep: Waiter[] = [];
    const ready: Waiter[] = [];
    for (const w of this.waiters) (w.done() ? ready : keep).push(w);
    this.waiters = keep;
    for (const w of ready) w.resolve();
  }

  private waitPromise(p: Promise<unknown>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      p.then(
        () => {
          clearTimeout(t);
          resolve();
        },
        () => {
          clearTimeout(t);
          resolve();
        },
      );
    });
  }
}
