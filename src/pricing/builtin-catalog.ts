/**
 * @module pricing/builtin-catalog
 * The built-in catalog shipped with the package (src/pricing/catalog/builtin.json, generated from
 * LiteLLM's model cost map by `npm run catalog:update`). Loaded through require(), no fs: from src/ (tsx,
 * vitest) the JSON sits next to this file; from dist/pricing/ it is read from the package's
 * src/pricing/catalog/ (listed in package.json "files"), so the build needs no copy step.
 */
import { createRequire } from 'node:module';
import { type Catalog, parseCatalog } from './catalog.js';
import { applyDelta, type RawEntries, type SnapshotDelta, type SnapshotMeta } from './catalog-snapshots.js';
import type { PriceVersionRegistry } from './price-versions.js';

export interface BuiltinMeta {
  source: string;
  upstream: string;
  upstreamCommit: string | null;
  snapshot: string;
  sha256: string;
  bytes: number;
  entries: number;
  /** Later dated snapshots (deltas over builtin.json), oldest first. */
  snapshots?: SnapshotMeta[];
}

const req = createRequire(import.meta.url);
const CANDIDATE_DIRS = ['./catalog/', '../../src/pricing/catalog/'];

function load(file: string): unknown {
  let lastErr: unknown;
  for (const dir of CANDIDATE_DIRS) {
    try {
      return req(`${dir}${file}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      lastErr = err;
    }
  }
  throw new Error(`built-in price catalog ${file} not found: ${(lastErr as Error).message}`);
}

let meta: BuiltinMeta | undefined;
let snapshots: BuiltinSnapshot[] | undefined;

export function builtinCatalogMeta(): BuiltinMeta {
  meta ??= load('builtin-meta.json') as BuiltinMeta;
  return meta;
}

export interface BuiltinSnapshot {
  /** YYYY-MM-DD. */
  date: string;
  /** Version id stored on spend rows: `builtin@DATE`. */
  versionId: string;
  catalog: Catalog;
}

/**
 * Every built-in snapshot, oldest first: builtin.json, then each delta of builtin-meta.json `snapshots`
 * applied in turn. Each catalog carries its version id.
 */
export function builtinSnapshots(): BuiltinSnapshot[] {
  if (snapshots) return snapshots;
  const m = builtinCatalogMeta();
  const commit = m.upstreamCommit ? `@${m.upstreamCommit.slice(0, 8)}` : '';
  let raw = load('builtin.json') as RawEntries;
  const out: BuiltinSnapshot[] = [];
  const push = (date: string, source: string, entries: RawEntries) => {
    const versionId = `builtin@${date}`;
    out.push({
      date,
      versionId,
      catalog: parseCatalog(entries, { source, snapshot: date, versionId }).catalog,
    });
  };
  push(m.snapshot, `builtin:litellm${commit}`, raw);
  for (const s of m.snapshots ?? []) {
    raw = applyDelta(raw, { ...(load(s.file) as SnapshotDelta), date: s.date });
    const c = s.upstreamCommit ? `@${s.upstreamCommit.slice(0, 8)}` : '';
    push(s.date, `builtin:litellm${c}`, raw);
  }
  snapshots = out;
  return out;
}

/** The built-in catalog: its latest snapshot (cached singleton). */
export function builtinCatalog(): Catalog {
  const all = builtinSnapshots();
  return all[all.length - 1].catalog;
}

/** Registers every built-in snapshot as a version (`builtin@DATE`, in effect from that date). */
export function registerBuiltinVersions(registry: PriceVersionRegistry): void {
  for (const s of builtinSnapshots()) {
    registry.registerVersion({
      id: s.versionId,
      kind: 'builtin',
      source: s.catalog.source,
      effectiveFrom: s.date,
      entries: s.catalog,
      mode: 'replace',
    });
  }
}
