/**
 * @module pricing/dated-pricing
 * A deployment's prices through time: resolved against the price version in effect at a request's start
 * time (and with its custom prices only from their `effective_from`). Resolutions are cached per version,
 * so the hot path is one registry look-up and one map hit; the version in effect at load is resolved
 * eagerly so configuration errors still surface at startup.
 */

import type { PriceVersionRegistry } from './price-versions.js';
import { PricingError, type PricingTarget, type ResolvedPricing, resolvePricing } from './resolve.js';

export interface DatedPricing {
  /** Prices in effect at creation (what startup checks and `pricing explain` show). */
  readonly current: ResolvedPricing;
  /** Prices in effect at `time` (epoch ms). */
  at(time: number): ResolvedPricing;
}

export function createDatedPricing(
  target: PricingTarget,
  versions: PriceVersionRegistry,
  now: number = Date.now(),
): DatedPricing {
  const customFrom = target.pricesEffectiveFrom ? Date.parse(target.pricesEffectiveFrom) : null;
  if (customFrom !== null && Number.isNaN(customFrom))
    throw new PricingError(
      `deployment "${target.name}": effective_from "${target.pricesEffectiveFrom}" is not a date`,
    );
  const hasCustom = Object.keys(target.customPricing ?? {}).length > 0;
  const cache = new Map<string, ResolvedPricing>();
  const resolveAt = (time: number, fallback: ResolvedPricing | null): ResolvedPricing => {
    const v = versions.at(time);
    const custom = hasCustom && (customFrom === null || time >= customFrom);
    const key = custom ? v.id : `${v.id}|catalog-only`;
    let r = cache.get(key);
    if (r) return r;
    const t: PricingTarget = custom ? target : { ...target, customPricing: undefined };
    try {
      r = resolvePricing(t, v.catalog);
    } catch (err) {
      // An older version may lack a base_model the current one has: keep the current prices then.
      if (!(err instanceof PricingError) || fallback === null) throw err;
      r = fallback;
    }
    cache.set(key, r);
    return r;
  };
  const current = resolveAt(now, null);
  return { current, at: (time) => resolveAt(time, current) };
}
