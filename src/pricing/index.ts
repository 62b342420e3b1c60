/**
 * @module pricing
 * The pricing engine's public API: catalog, price resolution (once per deployment), exact cost of a
 * usage (hot path) and its explanation. Pure: no I/O, nothing imported from the rest of the project.
 */

export {
  type BuiltinMeta,
  type BuiltinSnapshot,
  builtinCatalog,
  builtinCatalogMeta,
  builtinSnapshots,
  registerBuiltinVersions,
} from './builtin-catalog.js';
export type { Catalog, CatalogEntry } from './catalog.js';
export { isPriceKey, overlayCatalog, parseCatalog, SAMPLE_SPEC_KEY, validateEntry } from './catalog.js';
export { type CatalogDiff, diffCatalogs, formatCatalogDiff, type PriceChange } from './catalog-diff.js';
export { applyDelta, type SnapshotDelta, type SnapshotMeta, snapshotDelta } from './catalog-snapshots.js';
export {
  type Cost,
  type CostLine,
  type CostUnit,
  type PriceOverrides,
  priceUsage,
  type UnpricedPart,
} from './cost.js';
export { COST_KEYS, closestMatches, isKnownCostKey, suggestCostKey } from './cost-keys.js';
export { createDatedPricing, type DatedPricing } from './dated-pricing.js';
export { costToJSON, describeUnpricedParts, explainCost } from './explain.js';
export type { ImageVariant } from './image-variants.js';
export { splitProvider } from './model-names.js';
export * from './money.js';
export { type PriceVersion, PriceVersionRegistry, type RegisterVersionInput } from './price-versions.js';
export {
  PricingError,
  type PricingTarget,
  priceVersionOf,
  type ResolvedPricing,
  resolvePricing,
  resolveResponseModel,
} from './resolve.js';
export type { Usage } from './usage.js';
export { emptyUsage } from './usage.js';
