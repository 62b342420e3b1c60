/**
 * @module reprice/diff-report
 * What a re-pricing changes: rows examined / changed / skipped (with reasons), the old and new totals, and
 * the same per key, team and model — exact money (bigint), printed as decimal strings, and as CSV.
 */
import { formatMoney, type Money } from '../pricing/index.js';

export type Dimension = 'key' | 'team' | 'model';

interface Group {
  rows: number;
  before: Money;
  after: Money;
  label?: string;
}

export interface DiffRow {
  dimension: Dimension;
  id: string;
  label?: string;
  rows: number;
  before: string;
  after: string;
  delta: string;
}

export interface DiffReport {
  rows: { examined: number; changed: number; unchanged: number; skipped: number };
  skipped_reasons: Record<string, number>;
  totals: { before: string; after: string; delta: string };
  by_key: DiffRow[];
  by_team: DiffRow[];
  by_model: DiffRow[];
}

export class DiffAccumulator {
  examined = 0;
  changed = 0;
  skipped = 0;
  before: Money = 0n;
  after: Money = 0n;
  readonly reasons = new Map<string, number>();
  readonly #groups: Record<Dimension, Map<string, Group>> = {
    key: new Map(),
    team: new Map(),
    model: new Map(),
  };

  skip(reason: string): void {
    this.skipped++;
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
  }

  /** A changed row: its spend before and after, and who / what it belongs to. */
  change(
    before: Money,
    after: Money,
    key: string,
    keyAlias: string | null,
    team: string,
    model: string,
  ): void {
    this.changed++;
    this.before += before;
    this.after += after;
    this.#add('key', key, before, after, keyAlias ?? undefined);
    this.#add('team', team, before, after);
    this.#add('model', model, before, after);
  }

  #add(dim: Dimension, id: string, before: Money, after: Money, label?: string): void {
    const m = this.#groups[dim];
    let g = m.get(id);
    if (!g) {
      g = { rows: 0, before: 0n, after: 0n, ...(label ? { label } : {}) };
      m.set(id, g);
    }
    g.rows++;
    g.before += before;
    g.after += after;
  }

  report(): DiffReport {
    const rows = (dim: Dimension): DiffRow[] =>
      [...this.#groups[dim].entries()]
        .map(([id, g]) => ({
          dimension: dim,
          id,
          ...(g.label ? { label: g.label } : {}),
          rows: g.rows,
          before: formatMoney(g.before),
          after: formatMoney(g.after),
          delta: formatMoney(g.after - g.before),
          abs: g.after > g.before ? g.after - g.before : g.before - g.after,
        }))
        // Largest change first, then id, so the report reads like an invoice reconciliation.
        .sort((a, b) => (a.abs === b.abs ? a.id.localeCompare(b.id) : a.abs > b.abs ? -1 : 1))
        .map(({ abs: _abs, ...r }) => r);
    return {
      rows: {
        examined: this.examined,
        changed: this.changed,
        unchanged: this.examined - this.changed - this.skipped,
        skipped: this.skipped,
      },
      skipped_reasons: Object.fromEntries(this.reasons),
      totals: {
        before: formatMoney(this.before),
        after: formatMoney(this.after),
        delta: formatMoney(this.after - this.before),
      },
      by_key: rows('key'),
      by_team: rows('team'),
      by_model: rows('model'),
    };
  }
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One line per key / team / model and a total line: dimension,id,label,rows,before,after,delta. */
export function diffReportCsv(r: DiffReport): string {
  const lines = ['dimension,id,label,rows,before,after,delta'];
  for (const row of [...r.by_key, ...r.by_team, ...r.by_model])
    lines.push(
      [row.dimension, row.id, row.label ?? '', row.rows, row.before, row.after, row.delta]
        .map(csvCell)
        .join(','),
    );
  lines.push(
    ['total', '', '', r.rows.changed, r.totals.before, r.totals.after, r.totals.delta].map(csvCell).join(','),
  );
  return `${lines.join('\n')}\n`;
}
