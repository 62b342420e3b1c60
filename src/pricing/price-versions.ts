/**
 * @module pricing/price-versions
 * Dated price versions. Every price set (a built-in catalog snapshot, a runtime cost map, a price file used
 * for re-pricing) is a version with an id, a source and an `effectiveFrom` (optional `effectiveTo`). A
 * request is priced by the version in effect at its start time; its spend row stores the version id.
 *
 * `registerVersion({ source, fetchedAt, effectiveFrom, entries })` is the one call that adds a version
 * (a fetched cost map, a price file): `entries` is a LiteLLM-format map (validated; bad entries skipped
 * with a warning) or an already parsed Catalog, layered by default over the version in effect at
 * `effectiveFrom` (models it lacks keep their prices), or taken as the complete set with `mode: 'replace'`.
 * Registering the same id twice returns the existing version (idempotent).
 */
import { type Catalog, type CatalogEntry, catalogFromEntries, parseCatalog } from './catalog.js';

export interface PriceVersion {
  /** Stable id stored on spend rows, e.g. `builtin@2025-11-21`, `costmap@2025-12-01T10:00:00.000Z#1a2b3c4d`. */
  readonly id: string;
  /** Where the prices came from (builtin:litellm@…, a path or URL, file:…). */
  readonly source: string;
  /** ISO-8601 UTC instant from which the version applies. */
  readonly effectiveFrom: string;
  /** ISO-8601 UTC instant after which it no longer applies (null = until replaced). */
  readonly effectiveTo: string | null;
  /** When the data was fetched / read, when known. */
  readonly fetchedAt: string | null;
  /** The complete price set of this version. */
  readonly catalog: Catalog;
  readonly kind: 'builtin' | 'costmap' | 'file' | 'other';
}

export interface RegisterVersionInput {
  source: string;
  effectiveFrom: string | Date | number;
  /** Optional end (exclusive); outside it the version in effect before applies again. */
  effectiveTo?: string | Date | number | null;
  fetchedAt?: string | Date | number | null;
  /** LiteLLM-format cost map (object of model entries) or a parsed Catalog. */
  entries: Catalog | Record<string, unknown>;
  /** 'overlay' (default): over the version in effect at effectiveFrom; 'replace': entries are the whole set. */
  mode?: 'overlay' | 'replace';
  /** Default: `<kind>@<effectiveFrom>` plus `#<tag>` when given. */
  id?: string;
  tag?: string;
  kind?: PriceVersion['kind'];
}

function iso(v: string | Date | number, what: string): string {
  const d =
    v instanceof Date
      ? v
      : new Date(typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime())) throw new RangeError(`${what} is not a date: ${String(v)}`);
  return d.toISOString();
}

function isCatalog(v: unknown): v is Catalog {
  return typeof v === 'object' && v !== null && typeof (v as Catalog).get === 'function';
}

interface Slot {
  version: PriceVersion;
  fromMs: number;
  /** Explicit end, Infinity when none. */
  toMs: number;
}

export class PriceVersionRegistry {
  /** Sorted by effectiveFrom, then registration order. */
  #slots: Slot[] = [];
  #byId = new Map<string, PriceVersion>();

  /** Adds a version (see the module comment). Returns it and the entries skipped as invalid. */
  registerVersion(input: RegisterVersionInput): { version: PriceVersion; warnings: string[] } {
    const effectiveFrom = iso(input.effectiveFrom, 'effectiveFrom');
    const explicitTo =
      input.effectiveTo === undefined || input.effectiveTo === null
        ? null
        : iso(input.effectiveTo, 'effectiveTo');
    if (explicitTo !== null && explicitTo <= effectiveFrom)
      throw new RangeError(`effectiveTo (${explicitTo}) must be after effectiveFrom (${effectiveFrom})`);
    const kind = input.kind ?? 'other';
    const id = input.id ?? `${kind}@${effectiveFrom}${input.tag ? `#${input.tag}` : ''}`;
    const existing = this.#byId.get(id);
    if (existing) return { version: existing, warnings: [] };
    const snapshot = effectiveFrom.slice(0, 10);
    let warnings: string[] = [];
    let own: Catalog;
    if (isCatalog(input.entries)) own = input.entries;
    else {
      const parsed = parseCatalog(input.entries, { source: input.source, snapshot });
      own = parsed.catalog;
      warnings = parsed.warnings;
    }
    const entries = new Map<string, CatalogEntry>();
    const under = this.#slots.length && input.mode !== 'replace' ? this.at(effectiveFrom) : null;
    if (under) for (const k of under.catalog.keys()) entries.set(k, under.catalog.get(k) as CatalogEntry);
    for (const k of own.keys()) entries.set(k, own.get(k) as CatalogEntry);
    const catalog = catalogFromEntries(entries, {
      source: input.source,
      snapshot: isCatalog(input.entries) ? input.entries.snapshot : snapshot,
      versionId: id,
    });
    const fetchedAt =
      input.fetchedAt === undefined || input.fetchedAt === null ? null : iso(input.fetchedAt, 'fetchedAt');
    const slot: Slot = {
      version: { id, source: input.source, effectiveFrom, effectiveTo: explicitTo, fetchedAt, catalog, kind },
      fromMs: Date.parse(effectiveFrom),
      toMs: explicitTo === null ? Number.POSITIVE_INFINITY : Date.parse(explicitTo),
    };
    let i = this.#slots.length;
    while (i > 0 && this.#slots[i - 1].fromMs > slot.fromMs) i--;
    this.#slots.splice(i, 0, slot);
    this.#byId.set(id, slot.version);
    return { version: slot.version, warnings };
  }

  /**
   * The version in effect at `time`: the latest-starting one whose window contains it. Before the oldest
   * version, the oldest applies (there is nothing older to price with). Throws when the registry is empty.
   */
  at(time: number | string | Date): PriceVersion {
    const t = typeof time === 'number' ? time : time instanceof Date ? time.getTime() : Date.parse(time);
    const slots = this.#slots;
    if (slots.length === 0) throw new Error('no price version registered');
    for (let i = slots.length - 1; i >= 0; i--) {
      const s = slots[i];
      if (s.fromMs <= t && t < s.toMs) return s.version;
    }
    return slots[0].version;
  }

  get(id: string): PriceVersion | undefined {
    return this.#byId.get(id);
  }

  /** The version in effect now (by the clock given, for tests). */
  current(now: number = Date.now()): PriceVersion {
    return this.at(now);
  }

  /** Every version, oldest first, with `effectiveTo` filled in: its own end or the next version's start. */
  list(): PriceVersion[] {
    return this.#slots.map((s, i) => {
      const next = this.#slots[i + 1];
      let to = s.version.effectiveTo;
      if (next && (to === null || next.version.effectiveFrom < to)) to = next.version.effectiveFrom;
      return to === s.version.effectiveTo ? s.version : { ...s.version, effectiveTo: to };
    });
  }

  get size(): number {
    return this.#slots.length;
  }

  /** An independent registry with the same versions (to add a price file without touching this one). */
  copy(): PriceVersionRegistry {
    const c = new PriceVersionRegistry();
    c.#slots = [...this.#slots];
    c.#byId = new Map(this.#byId);
    return c;
  }
}
