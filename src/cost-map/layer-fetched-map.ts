/**
 * @module cost-map/layer-fetched-map
 * The catalog a fetched map makes: its valid entries over the built-in catalog (models it lacks keep their
 * built-in prices), and for entries it has but which were invalid, the entry in use now — a broken upstream
 * entry never drops a model to a built-in or missing price. Pure.
 */
import { builtinCatalog, type Catalog, overlayCatalog, parseCatalog } from '../pricing/index.js';
import type { FetchedMap } from './cost-map-types.js';

export function layerFetchedMap(
  map: Pick<FetchedMap, 'source' | 'snapshot' | 'entries' | 'invalidKeys'>,
  current: Catalog,
): Catalog {
  const meta = { source: map.source, snapshot: map.snapshot };
  let base = builtinCatalog();
  const keep = map.invalidKeys.filter((k) => current.get(k) !== undefined && current.get(k) !== base.get(k));
  if (keep.length > 0) {
    const kept = Object.fromEntries(keep.map((k) => [k, current.get(k)]));
    base = overlayCatalog(parseCatalog(kept, meta).catalog, base, meta);
  }
  return overlayCatalog(map.entries, base, meta);
}
