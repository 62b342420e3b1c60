/**
 * @module pricing/catalog
 * A price catalog in LiteLLM's model cost map schema (`model_prices_and_context_window.json`): model key →
 * entry with `input_cost_per_token`, `output_cost_per_token`, `litellm_provider`, `mode`… Parsing validates
 * every entry and skips bad ones with a warning; the schema and keys are kept as they are.
 */
import { isMoneyText, parseMoney } from './money.js';

/** One model entry, LiteLLM schema (cost keys are numbers in USD per unit). */
export type CatalogEntry = Readonly<Record<string, unknown>>;

export interface Catalog {
  /** Where the data came from, e.g. `builtin:litellm@caddc6dd` or a file path / URL. */
  readonly source: string;
  /** Snapshot date (YYYY-MM-DD) of the data. */
  readonly snapshot: string;
  /** Number of model entries. */
  readonly size: number;
  /** Id of the price version this catalog is (see price-versions.ts), when it is one. */
  readonly versionId?: string;
  get(key: string): CatalogEntry | undefined;
  keys(): IterableIterator<string>;
}

/** The documentation entry of LiteLLM's map; never a model. */
export const SAMPLE_SPEC_KEY = 'sample_spec';

/** True for keys holding a scalar price (every LiteLLM price key contains `cost`). */
export function isPriceKey(key: string): boolean {
  return key.includes('cost') && key !== 'search_context_cost_per_query';
}

class MapCatalog implements Catalog {
  readonly #entries: Map<string, CatalogEntry>;
  constructor(
    entries: Map<string, CatalogEntry>,
    readonly source: string,
    readonly snapshot: string,
    readonly versionId?: string,
  ) {
    this.#entries = entries;
  }
  get size(): number {
    return this.#entries.size;
  }
  get(key: string): CatalogEntry | undefined {
    return this.#entries.get(key);
  }
  keys(): IterableIterator<string> {
    return this.#entries.keys();
  }
}

/** Builds a catalog from already validated entries (no checks). */
export function catalogFromEntries(
  entries: Map<string, CatalogEntry>,
  meta: { source: string; snapshot: string; versionId?: string },
): Catalog {
  return new MapCatalog(entries, meta.source, meta.snapshot, meta.versionId);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkPrice(field: string, value: unknown): string | null {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return `${field} is not a finite number (${value})`;
    if (value < 0) return `${field} is negative (${value})`;
  } else if (typeof value === 'string') {
    if (!isMoneyText(value)) return `${field} is not a decimal number ("${value}")`;
    if (parseMoney(value) < 0n) return `${field} is negative ("${value}")`;
    return null;
  } else if (value === null) {
    return null; // LiteLLM uses null for "not priced"
  } else {
    return `${field} must be a number, got ${Array.isArray(value) ? 'array' : typeof value}`;
  }
  try {
    parseMoney(value);
  } catch (err) {
    return `${field}: ${(err as Error).message}`;
  }
  return null;
}

/** Validates one entry; returns the problems (empty when fine). */
export function validateEntry(entry: unknown): string[] {
  if (!isPlainObject(entry))
    return [`entry must be an object, got ${Array.isArray(entry) ? 'array' : typeof entry}`];
  const problems: string[] = [];
  for (const [field, value] of Object.entries(entry)) {
    if (field === 'search_context_cost_per_query') {
      if (!isPlainObject(value)) problems.push(`${field} must be an object`);
      else for (const [k, v] of Object.entries(value)) pushIf(problems, checkPrice(`${field}.${k}`, v));
    } else if (field === 'tiered_pricing') {
      if (!Array.isArray(value)) {
        problems.push('tiered_pricing must be an array');
        continue;
      }
      value.forEach((tier, i) => {
        if (!isPlainObject(tier)) {
          problems.push(`tiered_pricing[${i}] must be an object`);
          return;
        }
        // `range` (prompt tokens) or another `*_range` (e.g. search's `max_results_range`): [start, end].
        const ranges = Object.keys(tier).filter((k) => k === 'range' || k.endsWith('_range'));
        if (ranges.length === 0) problems.push(`tiered_pricing[${i}] has no range`);
        for (const k of ranges) {
          const r = tier[k];
          if (!Array.isArray(r) || r.length !== 2 || !r.every((x) => typeof x === 'number' && x >= 0))
            problems.push(`tiered_pricing[${i}].${k} must be [start, end]`);
        }
        for (const [k, v] of Object.entries(tier))
          if (!ranges.includes(k)) pushIf(problems, checkPrice(`tiered_pricing[${i}].${k}`, v));
      });
    } else if (isPriceKey(field)) {
      pushIf(problems, checkPrice(field, value));
    } else if (field === 'max_tokens' || field === 'max_input_tokens' || field === 'max_output_tokens') {
      if (value !== null && typeof value !== 'number' && !(typeof value === 'string' && /^\d+$/.test(value)))
        problems.push(`${field} must be a number`);
    } else if ((field === 'mode' || field === 'litellm_provider') && typeof value !== 'string') {
      problems.push(`${field} must be a string`);
    }
  }
  return problems;
}

function pushIf(list: string[], p: string | null): void {
  if (p) list.push(p);
}

/**
 * Parses a LiteLLM-format cost map. Bad entries are skipped, each with a warning naming the key; the
 * `sample_spec` documentation entry is dropped. Throws TypeError when `json` is not an object.
 */
export function parseCatalog(
  json: unknown,
  meta: { source: string; snapshot: string; versionId?: string },
): { catalog: Catalog; warnings: string[] } {
  if (!isPlainObject(json)) {
    throw new TypeError(
      `cost map must be a JSON object of model entries, got ${Array.isArray(json) ? 'array' : json === null ? 'null' : typeof json}`,
    );
  }
  const entries = new Map<string, CatalogEntry>();
  const warnings: string[] = [];
  for (const [key, entry] of Object.entries(json)) {
    if (key === SAMPLE_SPEC_KEY) continue;
    const problems = validateEntry(entry);
    if (problems.length > 0) {
      warnings.push(`cost map entry "${key}" skipped: ${problems.join('; ')}`);
      continue;
    }
    entries.set(key, Object.freeze({ ...(entry as Record<string, unknown>) }));
  }
  return { catalog: new MapCatalog(entries, meta.source, meta.snapshot, meta.versionId), warnings };
}

/** Layers `top` over `base`: keys of `top` win, the rest come from `base`. */
export function overlayCatalog(
  top: Catalog,
  base: Catalog,
  meta: { source: string; snapshot: string },
): Catalog {
  const entries = new Map<string, CatalogEntry>();
  for (const k of base.keys()) entries.set(k, base.get(k) as CatalogEntry);
  for (const k of top.keys()) entries.set(k, top.get(k) as CatalogEntry);
  return new MapCatalog(entries, meta.source, meta.snapshot);
}
