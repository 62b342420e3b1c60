/**
 * @module store/postgres
 * Db over a real PostgreSQL server (node-postgres pool). NUMERIC and BIGINT come back as strings.
 */
import pg from 'pg';
import type { Db, QueryResult } from './db.js';

export function openPostgres(url: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    // Fail fast when the server is down, so the spool keeps requests independent of it.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client erroring (server restart, cut connection) must not crash the process.
  pool.on('error', () => {});
  return wrapPool(pool);
}

function wrapPool(pool: pg.Pool): Db {
  const db: Db = {
    kind: 'postgres',
    async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
      const r = await pool.query(sql, params as unknown[]);
      return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string): Promise<void> {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      const tx: Db = {
        kind: 'postgres',
        async query<U>(sql: string, params?: unknown[]): Promise<QueryResult<U>> {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as U[], rowCount: r.rowCount ?? 0 };
        },
        exec: async (sql) => {
          await client.query(sql);
        },
        transaction: (inner) => inner(tx),
        close: async () => {},
      };
      try {
        await client.query('BEGIN');
        const out = await fn(tx);
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
  return db;
}
