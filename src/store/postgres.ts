/**
 * @module store/postgres
 * Db over a real PostgreSQL server (node-postgres pool). NUMERIC and BIGINT come back as strings.
 */
import pg from 'pg';
import type { Db, QueryResult } from './db.js';
import { classifyDbError } from './db-errors.js';

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
      try {
        const r = await pool.query(sql, params as unknown[]);
        return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
      } catch (err) {
        throw classifyDbError(err);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await pool.query(sql);
      } catch (err) {
        throw classifyDbError(err);
      }
    },
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw classifyDbError(err);
      }
      const tx: Db = {
        kind: 'postgres',
        async query<U>(sql: string, params?: unknown[]): Promise<QueryResult<U>> {
          try {
            const r = await client.query(sql, params as unknown[]);
            return { rows: r.rows as U[], rowCount: r.rowCount ?? 0 };
          } catch (err) {
            throw classifyDbError(err);
          }
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
