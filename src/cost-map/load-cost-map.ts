/**
 * @module cost-map/load-cost-map
 * One-shot load of a LiteLLM-format cost map from a file path, file:// URL or http(s) URL, layered over the
 * built-in catalog (entries of the loaded map win; models it lacks keep built-in prices). Throws on any
 * failure. The gateway goes through CostMapManager instead (cache, refresh, change checks); this is for
 * tools and tests that want a catalog from a map once.
 */
import { builtinCatalog, type Catalog, overlayCatalog } from '../pricing/index.js';
import { displayLocation } from './cost-map-source.js';
import { parseCostMapText } from './parse-cost-map.js';
import { type ReadOptions, readCostMapSource } from './read-cost-map-source.js';

export type LoadOptions = ReadOptions;

export interface LoadedCostMap {
  catalog: Catalog;
  /** sha256 of the raw text, to tell whether a reload changed anything. */
  sha256: string;
  /** Entries skipped as invalid etc. */
  warnings: string[];
}

/** Loads and validates a cost map; throws with a readable reason on failure. */
export async function loadCostMap(location: string, opts: LoadOptions = {}): Promise<LoadedCostMap> {
  const read = await readCostMapSource(location, {}, opts);
  if (read.status !== 'ok') throw new Error('unexpected 304 Not Modified');
  const source = displayLocation(location);
  const snapshot = (read.modifiedAt ?? new Date()).toISOString().slice(0, 10);
  const parsed = parseCostMapText(read.text, { source, snapshot });
  const catalog = overlayCatalog(parsed.entries, builtinCatalog(), { source, snapshot });
  return { catalog, sha256: parsed.sha256, warnings: parsed.warnings };
}
