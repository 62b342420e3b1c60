/**
 * @module cost-map/load-cost-map
 * Reads a LiteLLM-format cost map from a file path, file:// URL or http(s) URL and parses it into a
 * Catalog layered over the built-in one (entries of the loaded map win; models it lacks keep built-in prices).
 * Throws on any failure; CostMapManager turns failures into a fallback + one warning.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { builtinCatalog, type Catalog, overlayCatalog, parseCatalog } from '../pricing/index.js';

export interface LoadOptions {
  /** HTTP timeout in ms (default 10 s). */
  timeoutMs?: number;
  /** Largest accepted map in bytes (default 64 MiB). */
  maxBytes?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
}

export interface LoadedCostMap {
  catalog: Catalog;
  /** sha256 of the raw text, to tell whether a reload changed anything. */
  sha256: string;
  /** Entries skipped as invalid etc. */
  warnings: string[];
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

async function readSource(location: string, opts: LoadOptions): Promise<{ text: string; date: Date }> {
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  if (isUrl(location)) {
    const f = opts.fetch ?? fetch;
    const res = await f(location, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    const text = await res.text();
    if (text.length > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    const lm = res.headers.get('last-modified');
    const date = lm && !Number.isNaN(Date.parse(lm)) ? new Date(lm) : new Date();
    return { text, date };
  }
  const path = location.startsWith('file:') ? fileURLToPath(location) : location;
  const st = await stat(path);
  if (st.size > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
  return { text: await readFile(path, 'utf8'), date: st.mtime };
}

/** Loads and validates a cost map; throws with a readable reason on failure. */
export async function loadCostMap(location: string, opts: LoadOptions = {}): Promise<LoadedCostMap> {
  const { text, date } = await readSource(location, opts);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  const snapshot = date.toISOString().slice(0, 10);
  const { catalog, warnings } = parseCatalog(json, { source: location, snapshot });
  if (catalog.size === 0) throw new Error('no valid model entries');
  const merged = overlayCatalog(catalog, builtinCatalog(), { source: location, snapshot });
  const sha256 = createHash('sha256').update(text).digest('hex');
  const summary =
    warnings.length > 5
      ? [...warnings.slice(0, 5), `… and ${warnings.length - 5} more invalid entries skipped`]
      : warnings;
  return { catalog: merged, sha256, warnings: summary };
}
