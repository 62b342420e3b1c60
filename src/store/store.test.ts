import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/services.js';
import type { Db } from './db.js';
import { isDbInputError } from './db-errors.js';
import { jsonbParam } from './jsonb-param.js';
import { migrate } from './migrate.js';
import { openStore } from './open.js';

describe.each(['pglite', 'postgres'] as const)('store on %s', (kind) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (kind === 'postgres') {
      const t = await createTestDatabase();
      drop = t.drop;
      db = await openStore({ databaseUrl: t.url });
    } else {
      db = await openStore({});
    }
  });
  afterAll(async () => {
    await db.close();
    await drop?.();
  });

  it('applies migrations once and keeps NUMERIC exact', async () => {
    expect(await migrate(db)).toEqual([]);
    await db.query(
      `INSERT INTO tg_spend_totals (entity_type, entity_id, spend) VALUES ('key','k', $1::numeric + $2::numeric)`,
      ['0.1', '0.2'],
    );
    const r = await db.query<{ spend: string }>(`SELECT spend FROM tg_spend_totals WHERE entity_id = 'k'`);
    expect(r.rows[0].spend).toBe('0.3');
  });

  it('takes a jsonb parameter in the binary format, read exactly as its text would be', async () => {
    // Multi-byte text, escapes, and a number with more digits than a double holds.
    const text = '[{"s":"ü€𝄞 \\"q\\" \\\\ \\n","spend":"0.000000000001","n":12345678901234567890.125}]';
    const param = jsonbParam(text);
    expect(param[0]).toBe(1);
    expect(param.subarray(1).toString('utf8')).toBe(text);
    const r = await db.query<{ j: string; t: string; n: string; s: string }>(
      `SELECT $1::jsonb::text AS j, $2::jsonb::text AS t, $1::jsonb->0->>'n' AS n, $1::jsonb->0->>'s' AS s`,
      [param, text],
    );
    expect(r.rows[0].j).toBe(r.rows[0].t);
    expect(r.rows[0].n).toBe('12345678901234567890.125');
    expect(r.rows[0].s).toBe('ü€𝄞 "q" \\ \n');
    // Text PostgreSQL refuses in jsonb is refused the same way: an input error (22P05), not a crash.
    const err = await db.query('SELECT $1::jsonb', [jsonbParam('["\\u0000"]')]).catch((e) => e);
    expect(isDbInputError(err)).toBe(true);
    // Other jsonb parameters are still serialised as before.
    const o = await db.query<{ j: { a: number } }>('SELECT $1::jsonb AS j', [JSON.stringify({ a: 1 })]);
    expect(o.rows[0].j).toEqual({ a: 1 });
  });

  it('rolls back a failed transaction', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(`INSERT INTO tg_spend_totals (entity_type, entity_id) VALUES ('key','rb')`);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await db.query(`SELECT 1 FROM tg_spend_totals WHERE entity_id = 'rb'`);
    expect(r.rows).toHaveLength(0);
  });
});

describe('the embedded database on its own thread', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openStore({});
  });
  afterAll(async () => {
    await db.close();
  });

  it('keeps the request thread free while a heavy statement runs', async () => {
    let turns = 0;
    let spinning = true;
    const spin = () => {
      turns++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);
    const r = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM generate_series(1, 3000000)');
    spinning = false;
    expect(r.rows[0].n).toBe('3000000');
    // On the same thread the WASM statement would hold the event loop for its whole run.
    expect(turns).toBeGreaterThan(100);
  });

  // Field 19 of /proc/<pid>/task/<tid>/stat is a thread's nice value.
  const niceOf = (tid: string | number) =>
    Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
  it.runIf(process.platform === 'linux' && niceOf(process.pid) < 10)(
    'runs the database thread at a lower priority than the request thread (nice 10)',
    () => {
      const niced = readdirSync('/proc/self/task').filter((t) => niceOf(t) === 10);
      expect(niced.length).toBeGreaterThanOrEqual(1);
      expect(niced).not.toContain(String(process.pid));
    },
  );

  it('hands back PostgreSQL errors with their SQLSTATE, and isolates a transaction', async () => {
    await db.query(`INSERT INTO tg_spend_totals (entity_type, entity_id) VALUES ('key','dup')`);
    const err = await db
      .query(`INSERT INTO tg_spend_totals (entity_type, entity_id) VALUES ('key','dup')`)
      .catch((e: unknown) => e as { code?: string; message: string });
    expect(err).toMatchObject({ code: '23505' });
    let outsideSaw: number | null = null;
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO tg_spend_totals (entity_type, entity_id) VALUES ('key','in-tx')`);
      // A statement outside the transaction waits for it to end (one connection), then sees its row.
      void db
        .query(`SELECT 1 FROM tg_spend_totals WHERE entity_id = 'in-tx'`)
        .then((r) => (outsideSaw = r.rows.length));
      await new Promise((r) => setTimeout(r, 50));
      expect(outsideSaw).toBeNull();
    });
    await db.query('SELECT 1');
    expect(outsideSaw).toBe(1);
  });
});
