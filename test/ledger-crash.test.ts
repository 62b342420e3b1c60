/**
 * kill -9 of a process that is recording spend events against PostgreSQL: every event whose
 * record() returned (the point where the gateway answers 2xx) has exactly one spend-log row with
 * its exact spend after a new ledger starts on the same spool, and the rollups match the rows.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLedger } from '../src/ledger/ledger.js';
import { parseMoney } from '../src/pricing/money.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { ledgerMismatches } from './support/ledger-events.js';
import { createTestDatabase } from './support/services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('ledger survives kill -9 (PostgreSQL)', () => {
  let url: string;
  let drop: () => Promise<void>;
  let db: Db;
  let dir: string;
  beforeAll(async () => {
    const t = await createTestDatabase();
    url = t.url;
    drop = t.drop;
    db = await openStore({ databaseUrl: url });
    dir = mkdtempSync(join(tmpdir(), 'tg-ledger-kill-'));
  });
  afterAll(async () => {
    await db?.close();
    await drop?.();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every acknowledged event has exactly one row with its spend after restart', {
    timeout: 120_000,
  }, async () => {
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', join(root, 'test/support/ledger-child.ts'), url, dir, '1000000', '50', '20'],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const acked = new Map<string, string>();
    // 'close': the process exited and its stdout is fully read.
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('close', (_c, sig) => resolve(sig)),
    );
    const lines = createInterface({ input: child.stdout! });
    let killedAt = -1;
    // Kill once enough events were acknowledged and some were certainly committed by the child.
    const enough = new Promise<void>((resolve, reject) => {
      let checking = false;
      lines.on('line', (line) => {
        if (!line.startsWith('ack ')) return;
        const [, id, spend] = line.split(' ');
        acked.set(id, spend);
        if (acked.size < 3000 || checking || killedAt >= 0) return;
        checking = true;
        db.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs').then((r) => {
          checking = false;
          if (r.rows[0].n > 0 && killedAt < 0) {
            killedAt = acked.size;
            child.kill('SIGKILL');
            resolve();
          }
        }, reject);
      });
      child.on('exit', () => {
        if (killedAt < 0) reject(new Error(`child exited before the kill (${acked.size} acked)`));
      });
    });
    await enough;
    expect(await exited).toBe('SIGKILL');

    const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs');
    // The kill left work behind: acknowledged events not yet in the database.
    expect(before.rows[0].n).toBeLessThan(acked.size);

    const ledger = createLedger({ db, spoolDir: dir, logger: pino({ level: 'silent' }) });
    await ledger.start();
    await ledger.flush();
    await ledger.close();

    const ids = [...acked.keys()];
    const rows = await db.query<{ request_id: string; spend: string }>(
      'SELECT request_id, spend::text AS spend FROM tg_spend_logs WHERE request_id = ANY($1::text[])',
      [ids],
    );
    const got = new Map(rows.rows.map((r) => [r.request_id, r.spend]));
    const missing = ids.filter((id) => !got.has(id));
    expect(missing).toEqual([]);
    const wrong = ids.filter((id) => parseMoney(got.get(id)!) !== parseMoney(acked.get(id)!));
    expect(wrong).toEqual([]);
    // The child may have recorded a few events whose ack line it never got out; those are spooled
    // too. Events are recorded in order, so the stored ids must be exactly kill-<pid>-0 … -(n-1).
    const all = await db.query<{ n: number; max: number }>(
      `SELECT count(*)::int AS n, max(split_part(request_id, '-', 3)::int) AS max FROM tg_spend_logs`,
    );
    expect(all.rows[0].n).toBeGreaterThanOrEqual(acked.size);
    expect(all.rows[0].max + 1).toBe(all.rows[0].n);
    expect(await ledgerMismatches(db)).toEqual([]);
  });
});
