/**
 * @module gateway/database-startup
 * Opening the database at start. An unreachable PostgreSQL is one clear line naming where the URL came from
 * (`--database-url`, general_settings.database_url or DATABASE_URL), the URL with its password masked and what
 * failed — never a stack trace. With general_settings.allow_requests_on_db_unavailable the gateway starts
 * anyway (as LiteLLM does): spend events wait in the spool, the schema is brought up to date once the database
 * answers, and only the master key and keys already cached authenticate until then.
 */
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open.js';

export type DatabaseUrlSource = '--database-url' | 'general_settings.database_url' | 'DATABASE_URL';

/** Thrown when the database cannot be reached at start and requests may not go on without it. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}

/** `postgres://user:****@host:5432/db` (the password, and any password= query parameter, masked). */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    for (const k of [...u.searchParams.keys()])
      if (/pass|secret|token/i.test(k)) u.searchParams.set(k, '****');
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@');
  }
}

/** What failed, in one line, from a node-postgres / socket error (its message never holds the password). */
function why(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: Array<{ message?: string }> };
  const first = e.errors?.[0]?.message ?? e.message ?? String(err);
  return `${first.split('\n')[0]}${e.code && !first.includes(e.code) ? ` (${e.code})` : ''}`;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  source?: DatabaseUrlSource;
  /** Embedded database folder (when no URL is given). */
  dataDir?: string;
  allowUnavailable: boolean;
  logger: Logger;
  /** How often the schema is retried while the database is down (allow mode). */
  retryMs?: number;
}

export interface OpenedDatabase {
  db: Db;
  /** True while the database has not answered yet (allow mode only). */
  readonly unavailable: boolean;
  /** Stops the background schema retry. */
  stop(): void;
}

export async function openDatabase(o: OpenDatabaseOptions): Promise<OpenedDatabase> {
  if (!o.databaseUrl) {
    const db = await openStore({ dataDir: o.dataDir });
    return { db, unavailable: false, stop() {} };
  }
  const db = await openStore({ databaseUrl: o.databaseUrl, migrate: false });
  try {
    await migrate(db);
    return { db, unavailable: false, stop() {} };
  } catch (err) {
    const where = `${o.source ?? 'database_url'} = ${maskDatabaseUrl(o.databaseUrl)}`;
    if (!o.allowUnavailable) {
      await db.close().catch(() => {});
      throw new DatabaseUnavailableError(
        `Tollgate cannot start: the database is unreachable (tried ${where}: ${why(err)}). Start PostgreSQL or fix the URL; general_settings.allow_requests_on_db_unavailable: true starts without it.`,
      );
    }
    o.logger.warn(
      `the database is unreachable (${where}: ${why(err)}); starting anyway because general_settings.allow_requests_on_db_unavailable is true: spend events are spooled and written once it answers, and only the master key and cached keys authenticate until then`,
    );
    let down = true;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const retry = () => {
      if (stopped) return;
      migrate(db).then(
        () => {
          down = false;
          o.logger.info(
            'the database answers again: schema up to date, spooled spend events are being written',
          );
        },
        () => {
          if (!stopped) timer = setTimeout(retry, o.retryMs ?? 5_000).unref();
        },
      );
    };
    timer = setTimeout(retry, o.retryMs ?? 5_000).unref();
    return {
      db,
      get unavailable() {
        return down;
      },
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
      },
    };
  }
}
