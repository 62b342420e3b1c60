/**
 * @module pricing/catalog-snapshots
 * Dated snapshots of the built-in catalog, stored as deltas so the package stays small: `builtin.json` is
 * the first snapshot, each later one (`catalog/snapshots/YYYY-MM-DD.json`) holds only the entries added or
 * changed since the previous snapshot and the keys removed. `npm run catalog:update` appends a snapshot and
 * never rewrites an older one, so history can always be re-priced with the prices of its day.
 */

export type RawEntries = Record<string, unknown>;

export interface SnapshotDelta {
  /** YYYY-MM-DD: the snapshot's date, from which its prices are in effect. */
  date: string;
  /** Entries added or changed since the previous snapshot, complete (not field deltas). */
  changed: RawEntries;
  /** Keys removed since the previous snapshot. */
  removed: string[];
}

/** A snapshot's listing in builtin-meta.json. */
export interface SnapshotMeta {
  date: string;
  /** Path relative to src/pricing/catalog/. */
  file: string;
  source?: string;
  upstreamCommit?: string | null;
  sha256?: string;
  changed?: number;
  removed?: number;
}

/** JSON text with object keys sorted, so two equal entries compare equal whatever their key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as RawEntries)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** What changed from `prev` to `next` (whole entries). */
export function snapshotDelta(prev: RawEntries, next: RawEntries, date: string): SnapshotDelta {
  const changed: RawEntries = {};
  for (const [k, e] of Object.entries(next)) {
    if (!(k in prev) || canonicalJson(prev[k]) !== canonicalJson(e)) changed[k] = e;
  }
  const removed = Object.keys(prev).filter((k) => !(k in next));
  return { date, changed, removed };
}

/** `base` with a delta applied (a new object; `base` is not modified). */
export function applyDelta(base: RawEntries, delta: SnapshotDelta): RawEntries {
  const out: RawEntries = { ...base, ...delta.changed };
  for (const k of delta.removed) delete out[k];
  return out;
}
