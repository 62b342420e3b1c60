/**
 * @module store/db-errors
 * Database errors classified where they are created: `DbUnavailableError` when the server cannot
 * be reached or is shutting down (the caller answers 503, the ledger retries), and a test for
 * errors about the values a statement was given (SQLSTATE classes 22 data exception, 23
 * integrity, 54 program limit), which come from input and are answered 400 at the HTTP edge.
 */

/** The database could not be reached (refused, timed out, connection lost, shutting down). */
export class DbUnavailableError extends Error {
  /** The original error's code (e.g. ECONNREFUSED, 57P01), so retry logic can still read it. */
  readonly code: string | undefined;
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = 'DbUnavailableError';
    const c = (cause as { code?: unknown } | null)?.code;
    this.code = typeof c === 'string' ? c : undefined;
  }
}

function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/** PostgreSQL rejected a value the statement was given (NUL byte, unknown time zone, out of range…). */
export function isDbInputError(err: unknown): boolean {
  if (err instanceof DbUnavailableError) return false;
  const s = sqlState(err);
  return s !== null && (s.startsWith('22') || s.startsWith('23') || s.startsWith('54'));
}

/**
 * Connection-level failures: no SQLSTATE at all (socket errors, pool timeouts, "Connection
 * terminated"), connection exceptions (08), operator intervention (57P: shutdown, crash
 * recovery) and too many connections (53300).
 */
export function isConnectionFailure(err: unknown): boolean {
  if (err instanceof DbUnavailableError) return true;
  const s = sqlState(err);
  if (s === null) {
    const code = (err as { code?: unknown } | null)?.code;
    const msg = String((err as Error)?.message ?? '');
    return (
      (typeof code === 'string' && /^E[A-Z]+$/.test(code)) ||
      /connect|terminated|timeout|closed|ended|not queryable/i.test(msg)
    );
  }
  return s.startsWith('08') || s.startsWith('57P') || s === '53300';
}

/** Re-throws a connection failure as DbUnavailableError; anything else unchanged. */
export function classifyDbError(err: unknown): unknown {
  return !(err instanceof DbUnavailableError) && isConnectionFailure(err) ? new DbUnavailableError(err) : err;
}
