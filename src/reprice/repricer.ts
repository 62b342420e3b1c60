/**
 * @module reprice/repricer
 * Prices one stored spend row again: the deployment's prices (from the config when its deployment is known,
 * else the row's model in the catalog) in the price version in effect at the row's start time, times the
 * row's stored usage. Pure: no database. Rows priced by custom prices whose deployment is unknown are
 * skipped (re-pricing them from the catalog would silently replace negotiated prices).
 */
import {
  type Cost,
  costToJSON,
  createDatedPricing,
  type DatedPricing,
  emptyUsage,
  formatMoney,
  type PriceVersionRegistry,
  type PricingTarget,
  priceUsage,
  type ResolvedPricing,
  resolveResponseModel,
  type Usage,
} from '../pricing/index.js';

/** The columns of a tg_spend_logs row that re-pricing reads. */
export interface StoredRow {
  request_id: string;
  start_ms: number;
  deployment_id: string | null;
  model: string;
  provider: string;
  pricing_source: string | null;
  price_version: string | null;
  /** NUMERIC text. */
  spend: string;
  usage: Record<string, unknown> | null;
  prompt_tokens: number;
  completion_tokens: number;
  cache_read_tokens: number;
  cache_creation_tokens: number;
  reasoning_tokens: number;
  duration_ms: number;
}

export type RepriceOutcome =
  | { kind: 'priced'; cost: Cost; spend: string }
  | { kind: 'skipped'; reason: string };

function n(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.trunc(v) : 0;
}

/**
 * The row's usage: the stored normalised usage (rows written since migration 007), else the token columns
 * (older rows: no audio / 1-hour / tier detail, which those rows were not priced by either).
 */
export function storedUsage(row: StoredRow): Usage {
  const u = emptyUsage();
  const s = row.usage;
  if (s && typeof s === 'object') {
    u.inputTokens = n(s.inputTokens);
    u.cacheReadTokens = n(s.cacheReadTokens);
    u.cacheWriteTokens = n(s.cacheWriteTokens);
    u.audioInputTokens = n(s.audioInputTokens);
    u.outputTokens = n(s.outputTokens);
    u.reasoningTokens = n(s.reasoningTokens);
    u.audioOutputTokens = n(s.audioOutputTokens);
    u.durationMs = n(s.durationMs);
    if (n(s.cacheWrite1hTokens) > 0) u.cacheWrite1hTokens = n(s.cacheWrite1hTokens);
    if (typeof s.serviceTier === 'string') u.serviceTier = s.serviceTier;
    if (s.batch === true) u.batch = true;
    const img = s.images as { count?: unknown; size?: unknown; quality?: unknown } | undefined;
    if (img && typeof img === 'object')
      u.images = {
        count: n(img.count),
        ...(typeof img.size === 'string' ? { size: img.size } : {}),
        ...(typeof img.quality === 'string' ? { quality: img.quality } : {}),
      };
    u.estimated = s.estimated === true;
    return u;
  }
  u.inputTokens = n(row.prompt_tokens);
  u.outputTokens = n(row.completion_tokens);
  u.cacheReadTokens = n(row.cache_read_tokens);
  u.cacheWriteTokens = n(row.cache_creation_tokens);
  u.reasoningTokens = n(row.reasoning_tokens);
  u.durationMs = n(row.duration_ms);
  return u;
}

export interface Repricer {
  price(row: StoredRow): RepriceOutcome;
}

/**
 * `targets`: the config's deployments by id (what pricing needs to know about each). `versions`: the price
 * versions to price with (built-in snapshots, cost maps, a price file registered for the range).
 */
export function createRepricer(opts: {
  versions: PriceVersionRegistry;
  targets: ReadonlyMap<string, PricingTarget>;
}): Repricer {
  const dated = new Map<string, DatedPricing | Error>();
  const datedFor = (key: string, target: PricingTarget): DatedPricing | Error => {
    let d = dated.get(key);
    if (d === undefined) {
      try {
        // "Current" = the latest version: what an older version lacking a base_model falls back to.
        d = createDatedPricing(target, opts.versions, Number.MAX_SAFE_INTEGER);
      } catch (err) {
        d = err as Error;
      }
      dated.set(key, d);
    }
    return d;
  };
  const responseModels = new Map<string, ResolvedPricing | null>();

  return {
    price(row) {
      let d: DatedPricing | Error;
      const target = row.deployment_id ? opts.targets.get(row.deployment_id) : undefined;
      if (target) d = datedFor(`d:${row.deployment_id}`, target);
      else {
        const src = row.pricing_source ?? '';
        if (src.startsWith('custom') || src.startsWith('override'))
          return {
            kind: 'skipped',
            reason: `priced by custom prices (${src.split('+')[0]}) of a deployment not in the config`,
          };
        d = datedFor(`m:${row.provider}\0${row.model}`, {
          name: row.model,
          model: row.model,
          provider: row.provider,
        });
      }
      if (d instanceof Error) return { kind: 'skipped', reason: d.message };
      let resolved = d.at(row.start_ms);
      const src = row.pricing_source ?? '';
      if (resolved.unpriced && src.startsWith('response_model:')) {
        const name = src.slice('response_model:'.length);
        const v = opts.versions.at(row.start_ms);
        const k = `${v.id}\0${row.provider}\0${name}`;
        let r = responseModels.get(k);
        if (r === undefined) {
          r = resolveResponseModel(name, row.provider, v.catalog);
          responseModels.set(k, r);
        }
        if (r) resolved = r;
      }
      const cost = priceUsage(resolved, storedUsage(row));
      return { kind: 'priced', cost, spend: formatMoney(cost.costUsd) };
    },
  };
}

/** The columns a re-priced row gets (JSON-able). */
export function repricedColumns(cost: Cost): {
  unit_prices: Record<string, string>;
  cost_breakdown: unknown;
  pricing_source: string;
  price_version: string | null;
  unpriced_parts: unknown[] | null;
} {
  return {
    unit_prices: cost.unitPrices,
    cost_breakdown: costToJSON(cost),
    pricing_source: cost.source,
    price_version: cost.priceVersion,
    unpriced_parts: cost.unpricedParts.length ? cost.unpricedParts : null,
  };
}
