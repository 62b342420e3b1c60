/**
 * @module reports/csv
 * CSV (RFC 4180: comma, CRLF, double quotes doubled) of a report table. Money cells are
 * ExactDecimal and are written as their exact text; objects/arrays as compact JSON.
 */
import { ExactDecimal, RawJson, stringifyExact } from '../pricing/exact-json.js';

export type Cell = string | number | boolean | null | undefined | ExactDecimal | RawJson | object;

export interface Table {
  columns: string[];
  rows: Cell[][];
}

function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof ExactDecimal) return v.text;
  if (v instanceof RawJson) return v.text;
  if (typeof v === 'object') return stringifyExact(v);
  return String(v);
}

export function csvEscape(text: string): string {
  // Also guard against spreadsheet formula injection for text cells that start with = + - @.
  const guarded = /^[=+@\t\r]/.test(text) || (/^-/.test(text) && !/^-\d/.test(text)) ? `'${text}` : text;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export function toCsv(table: Table): string {
  const lines = [table.columns.map(csvEscape).join(',')];
  for (const row of table.rows) lines.push(row.map((c) => csvEscape(cellText(c))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
