/**
 * @module store/db
 * The one database interface the rest of Tollgate uses: parameterised SQL ($1, $2…) that runs
 * the same on embedded PGlite and on PostgreSQL. NUMERIC comes back as a string (exact).
 */

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Run a script of several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Run fn inside one transaction (BEGIN/COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
