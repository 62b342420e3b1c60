/**
 * @module cli/spend-commands
 * `tollgate spend report` and `tollgate spend export`, reading the database directly. Each
 * function returns the text to print (table, JSON or CSV); the commander wiring lives elsewhere.
 * Dates are inclusive calendar days (YYYY-MM-DD); bad input throws GatewayError with a clear message.
 */

import { ExactDecimal, RawJson, stringifyExact } from '../pricing/exact-json.js';
import { type Table, toCsv } from '../reports/csv.js';
import { focusExport } from '../reports/focus.js';
import { badRequest, type DayRange, parseDate, parseTimezone } from '../reports/params.js';
import { allLogs, logsTable } from '../reports/spend-logs.js';
import { parseDims, spendSummary } from '../reports/summary.js';
import type { Db } from '../store/db.js';

function cliRange(from: string, to: string, timezone?: string): DayRange {
  if (!from || !to) throw badRequest('Both --from and --to are required (YYYY-MM-DD, inclusive).');
  const start = parseDate(from, '--from');
  const end = parseDate(to, '--to');
  if (end < start)
    throw badRequest(`--to ${end} is before --from ${start}: the range is inclusive, from <= to.`);
  return { start, end, timezone: parseTimezone(timezone) };
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (v instanceof ExactDecimal || v instanceof RawJson) return v.text;
  if (typeof v === 'object') return stringifyExact(v);
  return String(v);
}

/** Fixed-width text table; numeric-looking columns right-aligned. */
export function renderTable(table: Table): string {
  const cells = table.rows.map((r) => r.map(cellText));
  const widths = table.columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const numeric = table.columns.map(
    (_, i) => cells.length > 0 && cells.every((r) => /^-?[\d.]+$|^-$/.test(r[i])),
  );
  const line = (r: string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(table.columns), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

/**
 * Spend per group over the range. groupBy: team | customer | key (api_key) | model | user | tag |
 * provider, or a comma-separated combination (e.g. "team,model").
 */
export async function spendReportCommand(opts: {
  db: Db;
  groupBy: string;
  from: string;
  to: string;
  format: 'table' | 'json' | 'csv';
  timezone?: string;
}): Promise<string> {
  const range = cliRange(opts.from, opts.to, opts.timezone);
  const groupBy = parseDims(opts.groupBy || 'team');
  if (groupBy.length === 0)
    throw badRequest('--group-by needs at least one of team, customer, key, model, user, tag, provider.');
  const result = await spendSummary(opts.db, { range, groupBy, interval: 'total' });
  if (opts.format === 'json') return `${stringifyExact(result.body)}\n`;
  const table = await result.table();
  if (opts.format === 'csv') return toCsv(table);
  const body = result.body as { totals: { spend: ExactDecimal; requests: number; total_tokens: number } };
  return [
    `Spend by ${groupBy.join(', ')} from ${range.start} to ${range.end} (inclusive, ${range.timezone})`,
    '',
    renderTable(table),
    '',
    `Total: ${body.totals.spend.text} USD, ${body.totals.requests} requests, ${body.totals.total_tokens} tokens`,
    '',
  ].join('\n');
}

/** FOCUS 1.0 CSV (hourly charge rows, UTC days) or the raw spend logs as CSV (oldest first). */
export async function spendExportCommand(opts: {
  db: Db;
  format: 'focus' | 'csv';
  from: string;
  to: string;
}): Promise<string> {
  const range = cliRange(opts.from, opts.to, 'UTC');
  if (opts.format === 'focus') return toCsv(await focusExport(opts.db, range));
  if (opts.format === 'csv') return toCsv(logsTable(await allLogs(opts.db, range)));
  throw badRequest(`Unknown export format "${String(opts.format)}": expected focus or csv.`);
}
