/**
 * @module store/pglite
 * Db over embedded PostgreSQL (PGlite, WASM) in a data folder: the zero-setup default.
 * PGlite is single-connection; its own queue serialises queries and transactions.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Db, QueryResult } from './db.js';

/** dataDir undefined → in-memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir ? new PGlite(dataDir) : new PGlite();
  await pg.waitReady;
  const db: Db = {
    kind: 'pglite',
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      // exec() allows several statements but no params; query() one statement with params.
      const r = await pg.query<T>(sql, params);
      return { rows: r.rows, rowCount: rowCountOf(r) };
    },
    async exec(sql: string): Promise<void> {
      await pg.exec(sql);
    },
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return pg.transaction(async (t) => {
        const tx: Db = {
          kind: 'pglite',
          async query<U>(sql: string, params?: unknown[]): Promise<QueryResult<U>> {
            const r = await t.query<U>(sql, params);
            return { rows: r.rows, rowCount: rowCountOf(r) };
          },
          exec: async (sql) => {
            await t.exec(sql);
          },
          transaction: (inner) => inner(tx),
          close: async () => {},
        };
        return fn(tx);
      }) as Promise<T>;
    },
    async close() {
      await pg.close();
    },
  };
  return db;
}

/** Like node-postgres: rows returned for SELECT, rows changed for INSERT/UPDATE/DELETE. */
function rowCountOf(r: { rows: unknown[]; affectedRows?: number }): number {
  return Math.max(r.rows.length, r.affectedRows ?? 0);
}
