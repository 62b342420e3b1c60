import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/services.js';
import type { Db } from './db.js';
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
