/**
 * A poison batch on PostgreSQL: a few hundred events whose metadata is just under the stored
 * limit add up to more than jsonb's 268,435,455-byte limit for one statement. Batches are bounded
 * by bytes, so every event is written and later events do not wait behind them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSpendLog } from '../src/ledger/batch-writer.js';
import { listDeadLetters, replayDeadLetters } from '../src/ledger/dead-letters.js';
import { createLedger } from '../src/ledger/ledger.js';
import type { Db } from '../src/store/db.js';
import { openTestDb, type TestDb } from './support/ledger-db.js';
import { ledgerMismatches, makeSpendEvent, rowCounts } from './support/ledger-events.js';

const silent = pino({ level: 'silent' });
const MiB = 1024 * 1024;

let t: TestDb;
const dirs: string[] = [];
const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tg-poison-'));
  dirs.push(d);
  return d;
};
beforeAll(async () => {
  t = await openTestDb('postgres');
});
afterAll(async () => {
  await t?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A Db whose batch writes fail (as a broken connection would, not as data) while `failWhen` says so. */
function faultyDb(db: Db, failWhen: (params: unknown[] | undefined) => boolean): Db {
  return {
    kind: db.kind,
    query: (sql, params) =>
      sql.includes('jsonb_to_recordset') && failWhen(params)
        ? Promise.reject(new Error('Connection terminated unexpectedly'))
        : db.query(sql, params),
    exec: (sql) => db.exec(sql),
    transaction: (fn) => db.transaction(fn),
    close: () => Promise.resolve(),
  } as Db;
}

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('poison batch on PostgreSQL', () => {
  it('300 events × 0.94 MiB of metadata (282 MiB in one count-bounded batch) are all written, and so are the events after them', async () => {
    await t.db.exec('TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags');
    const ledger = createLedger({ db: t.db, spoolDir: newDir(), logger: silent, flushIntervalMs: 20 });
    await ledger.start();
    try {
      // 8 strings of 120 KiB: 0.94 MiB per event, under the stored limits (1 MiB, 128 KiB a string).
      const part = 'x'.repeat(120 * 1024);
      const metadata = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`k${i}`, part]));
      const big = Array.from({ length: 300 }, (_, i) =>
        makeSpendEvent({ requestId: `big-${i}`, spend: '0.001', metadata }),
      );
      const small = Array.from({ length: 200 }, (_, i) =>
        makeSpendEvent({ requestId: `small-${i}`, spend: '0.000001' }),
      );
      for (const e of big) ledger.record(e);
      for (const e of small) ledger.record(e);
      await ledger.flush(60_000);
      const counts = await rowCounts(
        t.db,
        [...big, ...small].map((e) => e.requestId),
      );
      expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const kept = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tg_spend_logs WHERE length(metadata->>'k7') = $1 AND NOT metadata ? 'tollgate_truncated'`,
        [part.length],
      );
      expect(kept.rows[0].n).toBe(300); // under the stored limit: kept whole, not flagged
      const spend = await t.db.query<{ s: string }>('SELECT sum(spend)::text AS s FROM tg_spend_logs');
      // 300 × 0.001 + 200 × 0.000001 = 0.3 + 0.0002
      expect(spend.rows[0].s).toBe('0.300200');
      expect(await ledgerMismatches(t.db)).toEqual([]);
      expect(ledger.stats()).toMatchObject({ pending: 0, deadLettered: 0, dbHealthy: true });
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('30 events × 9 MiB of metadata (the issue: 270 MiB) and 5,000-level metadata: stored with the metadata cut and flagged, money intact', async () => {
    await t.db.exec('TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags');
    const ledger = createLedger({ db: t.db, spoolDir: newDir(), logger: silent, flushIntervalMs: 20 });
    await ledger.start();
    try {
      const blob = 'y'.repeat(9 * MiB);
      const big = Array.from({ length: 30 }, (_, i) =>
        makeSpendEvent({ requestId: `huge-${i}`, spend: '0.01', metadata: { blob, team: 'ok' } }),
      );
      let deep: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 5000; i++) deep = { d: deep };
      const deepEvent = makeSpendEvent({
        requestId: 'deep',
        spend: '0.000000000000000000000007',
        metadata: deep,
      });
      for (const e of big) ledger.record(e);
      ledger.record(deepEvent);
      await ledger.flush(60_000);
      const counts = await rowCounts(
        t.db,
        [...big, deepEvent].map((e) => e.requestId),
      );
      expect([...counts.values()]).toEqual(Array(31).fill(1));
      const row = await getSpendLog(t.db, 'huge-7');
      const meta = row?.metadata as Record<string, unknown>;
      expect(meta.team).toBe('ok');
      expect(meta.tollgate_truncated).toEqual({ metadata: ['bytes'] });
      expect((meta.blob as string).length).toBeLessThan(MiB);
      const d = await getSpendLog(t.db, 'deep');
      expect(d?.spend).toBe('0.000000000000000000000007');
      expect((d?.metadata as Record<string, unknown> | undefined)?.tollgate_truncated).toEqual({
        metadata: ['depth'],
      });
      const spend = await t.db.query<{ s: string }>('SELECT sum(spend)::text AS s FROM tg_spend_logs');
      // 30 × 0.01 + 7e-24
      expect(spend.rows[0].s).toBe('0.300000000000000000000007');
      expect(await ledgerMismatches(t.db)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 120_000);

  it('an event that fails alone (not as data) while the database accepts others is dead-lettered, listed and replayable; the rest is written', async () => {
    await t.db.exec(
      'TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags, tg_spend_dead_letters',
    );
    let broken = true;
    const db = faultyDb(t.db, (p) => broken && String(p?.[0]).includes('"poison-1"'));
    const ledger = createLedger({
      db,
      spoolDir: newDir(),
      logger: silent,
      flushIntervalMs: 20,
      retryMinMs: 5,
      retryMaxMs: 20,
      isolateAfterFailures: 2,
    });
    await ledger.start();
    try {
      const events = Array.from({ length: 40 }, (_, i) =>
        makeSpendEvent({ requestId: `ok-${i}`, spend: '0.5' }),
      );
      events.splice(17, 0, makeSpendEvent({ requestId: 'poison-1', spend: '0.25' }));
      for (const e of events) ledger.record(e);
      await ledger.flush(20_000);
      const counts = await rowCounts(
        t.db,
        events.map((e) => e.requestId),
      );
      expect(counts.get('poison-1')).toBe(0);
      expect([...counts.entries()].filter(([id, n]) => id !== 'poison-1' && n !== 1)).toEqual([]);
      expect(ledger.stats()).toMatchObject({ deadLettered: 1, pending: 0 });
      await waitFor(async () => (await listDeadLetters(t.db, { limit: 10 })).pending === 1);
      const listed = await listDeadLetters(t.db, { limit: 10 });
      expect(listed.data[0]).toMatchObject({
        request_id: 'poison-1',
        replayed_at: null,
        event: { requestId: 'poison-1', spend: '0.25' },
      });
      expect(listed.data[0].reason).toMatch(/could not be stored alone/);

      // Still broken: the replay reports the failure and keeps it pending.
      const again = await replayDeadLetters(db, { limit: 10 });
      expect(again.failed.map((f) => f.request_id)).toEqual(['poison-1']);
      broken = false;
      const fixed = await replayDeadLetters(db, { limit: 10 });
      expect(fixed.replayed).toEqual([{ id: listed.data[0].id, request_id: 'poison-1', inserted: true }]);
      expect((await listDeadLetters(t.db, { limit: 10 })).pending).toBe(0);
      expect((await getSpendLog(t.db, 'poison-1'))?.spend).toBe('0.25');
      // A second replay finds nothing pending: the event is counted once.
      expect(await replayDeadLetters(db, { limit: 10 })).toEqual({ replayed: [], failed: [] });
      const total = await t.db.query<{ s: string }>(
        `SELECT spend::text AS s FROM tg_spend_totals WHERE entity_type = 'team'`,
      );
      // 40 × 0.5 + 0.25
      expect(total.rows[0].s).toBe('20.25');
      expect(await ledgerMismatches(t.db)).toEqual([]);
    } finally {
      await ledger.close();
    }
  }, 60_000);

  it('a database that refuses every write is reported as stalled (health, metrics) and never empties the spool into dead letters', async () => {
    await t.db.exec(
      'TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags, tg_spend_dead_letters',
    );
    let refusing = true;
    const db = faultyDb(t.db, () => refusing);
    const ledger = createLedger({
      db,
      spoolDir: newDir(),
      logger: silent,
      flushIntervalMs: 20,
      retryMinMs: 5,
      retryMaxMs: 20,
      isolateAfterFailures: 2,
      stallAfterMs: 200,
    });
    await ledger.start();
    try {
      const events = Array.from({ length: 25 }, (_, i) =>
        makeSpendEvent({ requestId: `s-${i}`, endTime: Date.now() - 5_000 }),
      );
      for (const e of events) ledger.record(e);
      await waitFor(() => ledger.stats().health.stalled);
      const h = ledger.stats().health;
      expect(h.consecutiveFailures).toBeGreaterThanOrEqual(2);
      // The batch says how old its oldest event is (it ended 5 s ago).
      expect(h.oldestPendingAgeMs).toBeGreaterThanOrEqual(5_000);
      expect(ledger.stats()).toMatchObject({ deadLettered: 0, pending: 25, dbHealthy: false });
      const { registry } = await import('../src/metrics.js');
      expect(await registry.getSingleMetricAsString('tollgate_spend_writer_stalled')).toMatch(
        /tollgate_spend_writer_stalled 1/,
      );
      refusing = false;
      await ledger.flush(20_000);
      expect(ledger.stats()).toMatchObject({ deadLettered: 0, pending: 0, dbHealthy: true });
      expect(ledger.stats().health).toEqual({
        oldestPendingAgeMs: 0,
        consecutiveFailures: 0,
        stalled: false,
        stalledForMs: 0,
      });
      const counts = await rowCounts(
        t.db,
        events.map((e) => e.requestId),
      );
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
    } finally {
      await ledger.close();
    }
  }, 60_000);
});
