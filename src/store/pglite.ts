/**
 * @module store/pglite
 * Db over embedded PostgreSQL (PGlite, WASM) in a data folder: the zero-setup default.
 * PGlite is single-connection; its own queue serialises queries and transactions.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import type { Db, QueryResult } from './db.js';

/**
 * A small buffer pool: the embedded database serves one gateway's spend writes and reports, and
 * PGlite's 128 MB default would dominate the gateway's memory.
 */
const PGLITE_OPTIONS: PGliteOptions = { postgresqlconf: ['shared_buffers=16MB', 'work_mem=4MB'] };

/** dataDir undefined → in-memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initDataDirOutOfProcess(dataDir);
  }
  const pg = dataDir ? new PGlite(dataDir, PGLITE_OPTIONS) : new PGlite(PGLITE_OPTIONS);
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

/**
 * Creating a new data folder runs initdb inside WASM, which peaks near 800 MB and never gives the
 * memory back to the OS. Doing it in a short-lived child keeps that peak out of the gateway.
 */
async function initDataDirOutOfProcess(dataDir: string): Promise<void> {
  const code = `const { PGlite } = await import('@electric-sql/pglite');
const db = new PGlite(${JSON.stringify(dataDir)}); await db.waitReady; await db.close();`;
  // `-e` resolves bare imports from the working directory: the package root (src/store and
  // dist/store are both two levels below it), whose node_modules has PGlite.
  const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    timeout: 120_000,
    cwd: packageRoot,
  });
}
