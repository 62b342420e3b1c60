/**
 * @module cost-map/parse-cost-map
 * Raw cost-map text → validated entries, with the same per-entry validation as `npm run catalog:update`
 * (pricing's `parseCatalog` / `validateEntry`). LiteLLM's non-model top-level blocks (`sample_spec`,
 * `fallback_generalizations`) are dropped and `aliases` lists are expanded into entries of their own, as
 * LiteLLM's loader does. Invalid entries are skipped, each named in a warning (summarised after five).
 */
import { createHash } from 'node:crypto';
import { type Catalog, type CatalogEntry, parseCatalog } from '../pricing/index.js';

/** Top-level keys of LiteLLM's map that are not models. */
const NON_MODEL_KEYS = new Set(['sample_spec', 'fallback_generalizations']);

export interface ParsedCostMap {
  /** The map's own valid entries (not yet layered over anything). */
  entries: Catalog;
  /** Keys present in the map whose entry was invalid (skipped). */
  invalidKeys: string[];
  /** Readable warnings: invalid entries (first five, then a count), alias conflicts. */
  warnings: string[];
  /** sha256 of the raw text: tells a reload whether anything changed. */
  sha256: string;
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Throws with a readable reason when the text is not a usable map (not JSON, not an object, no entry). */
export function parseCostMapText(text: string, meta: { source: string; snapshot: string }): ParsedCostMap {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    const got = Array.isArray(json) ? 'array' : json === null ? 'null' : typeof json;
    throw new Error(`cost map must be a JSON object of model entries, got ${got}`);
  }
  const raw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) if (!NON_MODEL_KEYS.has(k)) raw[k] = v;
  const { catalog, warnings: invalid } = parseCatalog(raw, meta);
  const invalidKeys = Object.keys(raw).filter((k) => catalog.get(k) === undefined);
  const warnings =
    invalid.length > 5
      ? [...invalid.slice(0, 5), `… and ${invalid.length - 5} more invalid entries skipped`]
      : invalid;
  const { entries, conflicts } = expandAliases(catalog, meta);
  if (entries.size === 0) throw new Error('no valid model entries');
  return { entries, invalidKeys, warnings: [...warnings, ...conflicts], sha256: sha256Text(text) };
}

/** `"aliases": ["a", "b"]` → entries `a` and `b` with the same prices; a real entry of that name wins. */
function expandAliases(
  catalog: Catalog,
  meta: { source: string; snapshot: string },
): { entries: Catalog; conflicts: string[] } {
  let hasAliases = false;
  for (const k of catalog.keys()) if (Array.isArray(catalog.get(k)?.aliases)) hasAliases = true;
  if (!hasAliases) return { entries: catalog, conflicts: [] };
  const out: Record<string, CatalogEntry> = {};
  const aliasOf = new Map<string, string>();
  const conflicts: string[] = [];
  for (const k of catalog.keys()) {
    const { aliases, ...entry } = catalog.get(k) as Record<string, unknown>;
    out[k] = entry;
    if (!Array.isArray(aliases)) continue;
    for (const a of aliases) {
      if (typeof a !== 'string' || a === '') continue;
      if (catalog.get(a) || aliasOf.has(a)) {
        conflicts.push(`cost map alias "${a}" of "${k}" skipped: the name is already taken`);
        continue;
      }
      aliasOf.set(a, k);
    }
  }
  for (const [a, k] of aliasOf) out[a] = out[k];
  return { entries: parseCatalog(out, meta).catalog, conflicts };
}
