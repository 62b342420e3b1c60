/**
 * @module reports/types
 * What every report query returns: the JSON body (money as ExactDecimal) and the same data as a
 * flat table for `?format=csv`.
 */
import type { Table } from './csv.js';

export interface ReportResult {
  body: unknown;
  /** The flat table for CSV (may run its own query, so only called when CSV is asked for). */
  table: () => Table | Promise<Table>;
  /** Extra response headers (e.g. the /spend/logs next-page cursor). */
  headers?: Record<string, string>;
}
