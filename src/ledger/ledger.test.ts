import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DB_KINDS, openTestDb, type TestDb } from '../../test/support/ledger-db.js';
import {
  ledgerMismatches,
  makeSpendEvent,
  randomSpendEvents,
  rowCounts,
} from '../../test/support/ledger-events.js';
import { registry } from '../metrics.js';
import { getSpendLog } from './batch-writer.js';
import { createLedger, type Ledger } from './ledger.js';
import { spoolPendingEvents } from './metrics.js';
import type { SpendEvent } from './spend-event.js';

const silent = pino({ level: 'silent' });

describe.each(DB_KINDS)('ledger on %s', (kind) => {
  let t: TestDb;
  let dir: string;
  const open: Ledger[] = [];
  const ledger = (over: Partial<Parameters<typeof createLedger>[0]> = {}) => {
    const l = createLedger({ db: t.db, spoolDir: dir, logger: silent, flushIntervalMs: 20, ...over });
    open.push(l);
    return l;
  };

  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-'));
    await t.db.exec('TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags');
  });
  afterEach(async () => {
    for (const l of open.splice(0)) await l.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records events to the spool and writes them in batches; flush waits for the commit', async () => {
    const l = ledger({ batchSize: 7, flushIntervalMs: 60_000 });
    await l.start();
    const events = randomSpendEvents(100, 1);
    const gauge = async () => (await spoolPendingEvents.get()).values[0].value;
    const before = await gauge();
    for (const e of events.slice(0, 3)) l.record(e); // below batchSize: waits for the interval
    expect((await gauge()) - before).toBe(3);
    for (const e of events.slice(3)) l.record(e);
    await l.flush();
    expect(await gauge()).toBe(before);
    const counts = await rowCounts(
      t.db,
      events.map((e) => e.requestId),
    );
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(l.stats()).toMatchObject({ pending: 0, written: 100, failedBatches: 0, dbHealthy: true });
    expect(await ledgerMismatches(t.db)).toEqual([]);
    const written = await registry.getSingleMetricAsString('tollgate_spend_events_written_total');
    expect(written).toMatch(/tollgate_spend_events_written_total \d+/);
  });

  it('writes on the interval without flush(), and frees the spool segments it committed', async () => {
    const l = ledger({ batchSize: 1000, flushIntervalMs: 10 });
    await l.start();
    const e = makeSpendEvent();
    l.record(e);
    while ((await getSpendLog(t.db, e.requestId)) === null) await new Promise((r) => setTimeout(r, 10));
    while (l.stats().pending > 0) await new Promise((r) => setTimeout(r, 10));
    const segs = readdirSync(dir).filter((f) => f.startsWith('seg-'));
    expect(segs.every((f) => readFileSync(join(dir, f), 'utf8') === '')).toBe(true);
  });

  it('a ledger that dies before writing is replayed exactly once by the next one on the same spool', async () => {
    const events = randomSpendEvents(250, 2);
    // "Crash": record without ever starting the writer, then abandon the instance.
    const crashed = createLedger({ db: t.db, spoolDir: dir, logger: silent });
    for (const e of events.slice(0, 150)) crashed.record(e);
    const l2 = ledger();
    await l2.start();
    await l2.flush();
    await l2.close();
    // A second crash whose spool overlaps rows already stored (as when a process dies between
    // COMMIT and deleting the segment): the replay must not double anything.
    const crashed2 = createLedger({ db: t.db, spoolDir: dir, logger: silent });
    for (const e of events.slice(100)) crashed2.record(e);
    const l3 = ledger();
    await l3.start();
    await l3.flush();
    const counts = await rowCounts(
      t.db,
      events.map((e) => e.requestId),
    );
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect(l2.stats().written).toBe(150);
    expect(l3.stats()).toMatchObject({ written: 100, duplicates: 50, pending: 0 });
    expect(await ledgerMismatches(t.db)).toEqual([]);
  });

  it('start() replays what a previous process left before resolving', async () => {
    const events = randomSpendEvents(40, 3);
    const crashed = createLedger({ db: t.db, spoolDir: dir, logger: silent });
    for (const e of events) crashed.record(e);
    const l = ledger();
    await l.start();
    expect(l.stats().pending).toBe(0);
    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs');
    expect(n.rows[0].n).toBe(40);
  });

  it('drops prompts unless storePrompts, and never throws on odd input', async () => {
    const l = ledger();
    await l.start();
    const withPrompt = makeSpendEvent({
      messages: [{ role: 'user', content: 'secret' }],
      response: { x: 1 },
    });
    l.record(withPrompt);
    const circular: Record<string, unknown> = { big: 10n };
    circular.self = circular;
    const odd = makeSpendEvent({ metadata: circular });
    expect(() => l.record(odd)).not.toThrow();
    expect(() => l.record(undefined as unknown as SpendEvent)).not.toThrow();
    await l.flush();
    expect((await getSpendLog(t.db, withPrompt.requestId))?.messages).toBeNull();
    expect(JSON.stringify(readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')))).not.toContain(
      'secret',
    );
    expect((await getSpendLog(t.db, odd.requestId))?.metadata).toEqual({
      big: '10',
      self: '[Circular]',
      tollgate_truncated: { metadata: ['cycle'] },
    });

    const keep = ledger({ spoolDir: mkdtempSync(join(tmpdir(), 'tg-ledger-')), storePrompts: true });
    await keep.start();
    const p = makeSpendEvent({ messages: [{ role: 'user', content: 'hi' }], response: { id: 'r' } });
    keep.record(p);
    await keep.flush();
    expect(await getSpendLog(t.db, p.requestId)).toMatchObject({
      messages: [{ role: 'user', content: 'hi' }],
      response: { id: 'r' },
    });
  });

  it('isolates an event the database rejects (dead-letter file) and writes the rest of its batch', async () => {
    const l = ledger({ batchSize: 50 });
    await l.start();
    const events = randomSpendEvents(30, 4);
    const poison = makeSpendEvent({ requestId: 'poison', spend: 'twelve dollars' });
    events.splice(13, 0, poison);
    for (const e of events) l.record(e);
    await l.flush();
    const counts = await rowCounts(
      t.db,
      events.map((e) => e.requestId),
    );
    expect(counts.get('poison')).toBe(0);
    expect([...counts.entries()].filter(([id, n]) => id !== 'poison' && n !== 1)).toEqual([]);
    expect(l.stats()).toMatchObject({ deadLettered: 1, pending: 0, dbHealthy: true });
    const dead = readFileSync(join(dir, 'dead-letter.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((x) => JSON.parse(x));
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0].line).requestId).toBe('poison');
  });

  it('close() flushes and releases the spool; flush() before start() is refused', async () => {
    const l = createLedger({ db: t.db, spoolDir: dir, logger: silent, flushIntervalMs: 60_000 });
    await expect(l.flush()).rejects.toThrow(/start/);
    await l.start();
    const e = makeSpendEvent();
    l.record(e);
    await l.close();
    expect(await getSpendLog(t.db, e.requestId)).not.toBeNull();
    expect(existsSync(join(dir, 'ledger.lock'))).toBe(false);
    await l.close(); // idempotent
  });
});
