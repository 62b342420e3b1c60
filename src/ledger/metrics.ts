/**
 * @module ledger/metrics
 * Prometheus metrics of the spend ledger, registered once per process on the shared registry.
 * Gauges are computed at scrape time from the live ledgers (a process normally has one).
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { registry } from '../metrics.js';

export interface LedgerGaugeSource {
  pendingEvents(): number;
  isDbHealthy(): boolean;
  health(): { oldestPendingAgeMs: number; consecutiveFailures: number; stalled: boolean };
}

const sources = new Set<LedgerGaugeSource>();

export function trackLedger(s: LedgerGaugeSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

export const spoolPendingEvents = new Gauge({
  name: 'tollgate_spool_pending_events',
  help: 'Spend events recorded in the local spool and not yet committed to the database',
  registers: [registry],
  collect() {
    let n = 0;
    for (const s of sources) n += s.pendingEvents();
    this.set(n);
  },
});

export const spendDbUp = new Gauge({
  name: 'tollgate_spend_db_up',
  help: '1 when the last spend batch write succeeded, 0 while the ledger is retrying',
  registers: [registry],
  collect() {
    let up = 1;
    for (const s of sources) if (!s.isDbHealthy()) up = 0;
    this.set(up);
  },
});

export const spendOldestPendingSeconds = new Gauge({
  name: 'tollgate_spend_oldest_pending_seconds',
  help: 'Age of the oldest spend event recorded and not yet committed to the database (0 when none)',
  registers: [registry],
  collect() {
    let age = 0;
    for (const s of sources) age = Math.max(age, s.health().oldestPendingAgeMs);
    this.set(age / 1000);
  },
});

export const spendWriterConsecutiveFailures = new Gauge({
  name: 'tollgate_spend_writer_consecutive_failures',
  help: 'Spend batch write attempts that failed in a row (0 after a commit)',
  registers: [registry],
  collect() {
    let n = 0;
    for (const s of sources) n = Math.max(n, s.health().consecutiveFailures);
    this.set(n);
  },
});

export const spendWriterStalled = new Gauge({
  name: 'tollgate_spend_writer_stalled',
  help: '1 while spend events are pending and nothing was committed for longer than the stall threshold',
  registers: [registry],
  collect() {
    let stalled = 0;
    for (const s of sources) if (s.health().stalled) stalled = 1;
    this.set(stalled);
  },
});

export const spendEventsTruncated = new Counter({
  name: 'tollgate_spend_events_truncated_total',
  help: 'Spend events stored with part of their metadata or prompt cut to fit the stored limits (flagged in metadata.tollgate_truncated)',
  registers: [registry],
});

export const spendEventsWritten = new Counter({
  name: 'tollgate_spend_events_written_total',
  help: 'Spend-log rows inserted (first time a request id was seen)',
  registers: [registry],
});

export const spendEventsDuplicate = new Counter({
  name: 'tollgate_spend_events_duplicate_total',
  help: 'Spend events skipped because their request id was already stored (spool replays)',
  registers: [registry],
});

export const spendBatchFailures = new Counter({
  name: 'tollgate_spend_batch_failures_total',
  help: 'Spend batch write attempts that failed (retried with backoff)',
  registers: [registry],
});

export const spendEventsDeadLettered = new Counter({
  name: 'tollgate_spend_events_dead_lettered_total',
  help: 'Spend events that could not be stored (kept in dead-letter.jsonl in the spool folder and tg_spend_dead_letters)',
  registers: [registry],
});

export const spendEventsDropped = new Counter({
  name: 'tollgate_spend_events_dropped_total',
  help: 'Spend events lost because neither the spool file nor the in-memory fallback could take them',
  registers: [registry],
});

export const spendBatchWriteSeconds = new Histogram({
  name: 'tollgate_spend_batch_write_seconds',
  help: 'Duration of successful spend batch writes (one SQL statement per batch)',
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});
