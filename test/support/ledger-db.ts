/**
 * Opens a migrated database of either kind for ledger tests: in-memory PGlite, or a fresh
 * database on the machine's PostgreSQL (dropped by close()).
 */

import type { Db } from '../../src/store/db.js';
import { openStore } from '../../src/store/open.js';
import { createTestDatabase } from './services.js';

export type DbKind = 'pglite' | 'postgres';
export const DB_KINDS: readonly DbKind[] = ['pglite', 'postgres'];

export interface TestDb {
  db: Db;
  /** PostgreSQL URL of the test database (undefined for PGlite). */
  url?: string;
  close(): Promise<void>;
}

export async function openTestDb(kind: DbKind): Promise<TestDb> {
  if (kind === 'pglite') {
    const db = await openStore({});
    return { db, close: () => db.close() };
  }
  const t = await createTestDatabase();
  const db = await openStore({ databaseUrl: t.url });
  return {
    db,
    url: t.url,
    async close() {
      await db.close().catch(() => {});
      await t.drop();
    },
  };
}
