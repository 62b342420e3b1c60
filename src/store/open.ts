/**
 * @module store/open
 * Opens the configured database (PostgreSQL when a URL is given, else embedded PGlite in dataDir)
 * and brings its schema up to date.
 */
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';

export interface StoreOptions {
  /** postgres://… → PostgreSQL. Otherwise PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; undefined → in-memory. */
  dataDir?: string;
  /** Apply migrations (default true). */
  migrate?: boolean;
  poolSize?: number;
}

export async function openStore(opts: StoreOptions): Promise<Db> {
  const db = opts.databaseUrl
    ? openPostgres(opts.databaseUrl, { max: opts.poolSize })
    : await openPglite(opts.dataDir);
  if (opts.migrate !== false) await migrate(db);
  return db;
}
