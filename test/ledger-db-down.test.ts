/**
 * The database becomes unreachable (a TCP relay in front of PostgreSQL is cut): record() keeps
 * working, the spool grows, the ledger reports unhealthy; after the relay is restored everything
 * is written exactly once and the rollups match the rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger, type Ledger } from '../src/ledger/ledger.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { ledgerMismatches, randomSpendEvents, rowCounts } from './support/ledger-events.js';
import { startTcpRelay, type TcpRelay } from './support/ledger-relay.js';
import { createTestDatabase } from './support/services.js';

async function until(cond: () => boolean | Promise<boolean>, what: string, limitMs = 20_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('ledger with the database unreachable (PostgreSQL behind a TCP relay)', () => {
  let drop: () => Promise<void>;
  let direct: Db;
  let viaRelay: Db;
  let relay: TcpRelay;
  let dir: string;
  let ledger: Ledger;
  const warnings: string[] = [];

  beforeAll(async () => {
    const t = await createTestDatabase();
    drop = t.drop;
    direct = await openStore({ databaseUrl: t.url });
    relay = await startTcpRelay();
    viaRelay = await openStore({ databaseUrl: relay.urlFor(t.url), migrate: false });
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-down-'));
    const logger = pino({ level: 'warn' }, { write: (s: string) => warnings.push(JSON.parse(s).msg) });
    ledger = createLedger({
      db: viaRelay,
      spoolDir: dir,
      logger,
      batchSize: 40,
      flushIntervalMs: 20,
      retryMinMs: 20,
      retryMaxMs: 200,
    });
    await ledger.start();
  });
  afterAll(async () => {
    await ledger?.close();
    await viaRelay?.close().catch(() => {});
    await relay?.close();
    await direct?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps recording while cut, then writes everything exactly once when restored', async () => {
    const events = randomSpendEvents(900, 77);
    for (const e of events.slice(0, 200)) ledger.record(e);
    await ledger.flush();
    expect(ledger.stats()).toMatchObject({ written: 200, dbHealthy: true, pending: 0 });

    relay.cut();
    // Under load while the database is away: some events in the middle of a write when cut.
    for (const e of events.slice(200, 500)) ledger.record(e);
    await until(() => ledger.stats().failedBatches > 0, 'a failed batch');
    for (const e of events.slice(500, 800)) {
      expect(() => ledger.record(e)).not.toThrow();
    }
    await until(() => relay.refused > 3, 'retries against the cut relay');
    const during = ledger.stats();
    expect(during.dbHealthy).toBe(false);
    expect(during.written).toBe(200);
    expect(during.pending).toBe(600);
    await expect(ledger.flush(50)).rejects.toThrow(/timed out/);
    expect(warnings.some((m) => /write failed/.test(m))).toBe(true);

    relay.restore();
    for (const e of events.slice(800)) ledger.record(e);
    await ledger.flush();
    expect(ledger.stats()).toMatchObject({ dbHealthy: true, pending: 0 });
    expect(warnings.some((m) => /reachable again/.test(m))).toBe(true);

    const counts = await rowCounts(
      direct,
      events.map((e) => e.requestId),
    );
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const n = await direct.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs');
    expect(n.rows[0].n).toBe(900);
    expect(ledger.stats().written).toBe(900);
    expect(await ledgerMismatches(direct)).toEqual([]);
  });

  it('close() gives up within its time bound when the database is down and the next start writes the rest', async () => {
    const events = randomSpendEvents(120, 78);
    relay.cut();
    const l = createLedger({
      db: viaRelay,
      spoolDir: mkdtempSync(join(tmpdir(), 'tg-ledger-down2-')),
      logger: pino({ level: 'silent' }),
      closeTimeoutMs: 300,
      retryMinMs: 20,
      retryMaxMs: 100,
    });
    await l.start();
    for (const e of events) l.record(e);
    await l.close(); // bounded: resolves although nothing could be written
    relay.restore();
    const spoolDir = (l as unknown as { spool: { dir: string } }).spool.dir;
    const next = createLedger({ db: direct, spoolDir, logger: pino({ level: 'silent' }) });
    await next.start();
    await next.flush();
    await next.close();
    const counts = await rowCounts(
      direct,
      events.map((e) => e.requestId),
    );
    expect([...counts.values()].filter((c) => c !== 1)).toEqual([]);
    rmSync(spoolDir, { recursive: true, force: true });
  });
});
