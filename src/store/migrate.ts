/**
 * @module store/migrate
 * Applies migrations/NNN_name.sql in order, once each, under a PostgreSQL advisory lock so that
 * several replicas starting together do not race. The same files serve PGlite and PostgreSQL.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';

/** Arbitrary constant: the advisory-lock id that serialises Tollgate migrations. */
const MIGRATION_LOCK_ID = 7_424_711;

export function migrationsDir(): string {
  // src/store/migrate.ts and dist/store/migrate.js are both two levels below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'migrations');
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export function listMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number.parseInt(f, 10), name: f, sql: readFileSync(join(dir, f), 'utf8') }));
}

/** Returns the names of the migrations applied by this call. */
export async function migrate(db: Db, dir = migrationsDir()): Promise<string[]> {
  const applied: string[] = [];
  await db.transaction(async (tx) => {
    // Transaction-scoped lock: released at COMMIT/ROLLBACK, even if the process dies.
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    await tx.exec(
      'CREATE TABLE IF NOT EXISTS tg_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await tx.query<{ version: number }>('SELECT version FROM tg_migrations')).rows.map((r) => r.version),
    );
    for (const m of listMigrations(dir)) {
      if (done.has(m.version)) continue;
      await tx.exec(m.sql);
      await tx.query('INSERT INTO tg_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.name);
    }
  });
  return applied;
}
