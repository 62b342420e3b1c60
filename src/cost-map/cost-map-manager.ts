/**
 * @module cost-map/cost-map-manager
 * Holds the catalog in use. Where it comes from: `general_settings.cost_map` (file or URL), else env
 * `TOLLGATE_COST_MAP`; `LITELLM_LOCAL_MODEL_COST_MAP=True` means the built-in catalog only. Any failure falls
 * back (built-in at start, the current catalog on reload) with one clear warning — never a crash.
 * reload() swaps the catalog without restart; callers re-resolve deployment prices against current().
 */
import { builtinCatalog, type Catalog, type PriceVersionRegistry } from '../pricing/index.js';
import { type LoadOptions, loadCostMap } from './load-cost-map.js';

export interface CostMapManagerOptions extends LoadOptions {
  /** `general_settings.cost_map`. */
  location?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * Price versions (issue 14): every map loaded with different content is registered as a version in effect
   * from the moment it was loaded (`costmap@<ISO>#<sha8>`), so requests are priced by the map of their time.
   */
  versions?: PriceVersionRegistry;
  /** Clock for the version's effective_from (tests). */
  now?: () => number;
}

export interface ReloadResult {
  ok: boolean;
  warnings: string[];
  /** True when the catalog in use was replaced by different data. */
  changed: boolean;
}

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes|on)$/i.test(v.trim());

export class CostMapManager {
  #catalog: Catalog = builtinCatalog();
  #sha: string | null = null;
  readonly #opts: CostMapManagerOptions;

  constructor(opts: CostMapManagerOptions = {}) {
    this.#opts = opts;
  }

  /** The catalog in use (built-in until a map was loaded). */
  current(): Catalog {
    return this.#catalog;
  }

  /** Where a runtime map is read from, or null for built-in only. */
  location(): string | null {
    const env = this.#opts.env ?? process.env;
    if (truthy(env.LITELLM_LOCAL_MODEL_COST_MAP)) return null;
    const loc = this.#opts.location?.trim() || env.TOLLGATE_COST_MAP?.trim();
    return loc || null;
  }

  /** Loads (or re-loads) the runtime map. Never throws. */
  async reload(): Promise<ReloadResult> {
    const loc = this.location();
    if (!loc) {
      const changed = this.#catalog !== builtinCatalog();
      this.#catalog = builtinCatalog();
      this.#sha = null;
      return { ok: true, warnings: [], changed };
    }
    try {
      const loaded = await loadCostMap(loc, this.#opts);
      const changed = loaded.sha256 !== this.#sha;
      if (changed) {
        this.#catalog = loaded.catalog;
        this.#sha = loaded.sha256;
        if (this.#opts.versions) {
          const at = (this.#opts.now ?? Date.now)();
          const v = this.#opts.versions.registerVersion({
            kind: 'costmap',
            source: loc,
            fetchedAt: at,
            effectiveFrom: at,
            entries: loaded.catalog,
            mode: 'replace',
            tag: loaded.sha256.slice(0, 8),
          }).version;
          this.#catalog = v.catalog;
        }
      }
      return { ok: true, warnings: loaded.warnings, changed };
    } catch (err) {
      const builtin = builtinCatalog();
      const keeping =
        this.#catalog === builtin
          ? `using the built-in catalog (LiteLLM snapshot ${builtin.snapshot}, ${builtin.size} models)`
          : `keeping the current catalog (${this.#catalog.source}, ${this.#catalog.snapshot})`;
      return {
        ok: false,
        warnings: [`cost map ${loc} could not be loaded (${(err as Error).message}); ${keeping}`],
        changed: false,
      };
    }
  }
}

/** The little of a logger this needs (pino's Logger fits). */
export interface WarnLogger {
  warn(msg: string): void;
  info?(msg: string): void;
}

/**
 * Creates the manager and performs the initial load (built-in + one warning on failure, logged). `source` is
 * `general_settings.cost_map`.
 */
export async function createCostMapManager(
  opts: {
    source?: string;
    env?: NodeJS.ProcessEnv;
    logger?: WarnLogger;
    versions?: PriceVersionRegistry;
  } & LoadOptions = {},
): Promise<CostMapManager> {
  const { source, logger, ...rest } = opts;
  const manager = new CostMapManager({ ...rest, location: source });
  const r = await manager.reload();
  for (const w of r.warnings) logger?.warn(w);
  const c = manager.current();
  logger?.info?.(`price catalog: ${c.source} (snapshot ${c.snapshot}, ${c.size} models)`);
  return manager;
}
