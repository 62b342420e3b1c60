/**
 * @module cost-map
 * Runtime (I/O) side of pricing: keeping the catalog current from LiteLLM's public cost map (or a configured
 * file / URL), with a disk cache, conditional refreshes, change checks and fallback to the built-in catalog.
 */
export {
  type CatalogChange,
  type DeploymentPriceChange,
  diffResolvedPrices,
  LARGE_CHANGE_MODELS,
} from './catalog-change.js';
export { catalogChangeJSON, catalogStatusJSON, describeCatalogInUse } from './catalog-status.js';
export { CostMapManager, createCostMapManager } from './cost-map-manager.js';
export {
  type CostMapSource,
  DEFAULT_REFRESH_INTERVAL_MS,
  displayLocation,
  LITELLM_COST_MAP_URL,
  resolveCostMapSource,
} from './cost-map-source.js';
export type {
  CatalogOrigin,
  CatalogState,
  CostMapManagerOptions,
  FetchedMap,
  ReloadResult,
  WarnLogger,
} from './cost-map-types.js';
export { type LoadedCostMap, type LoadOptions, loadCostMap } from './load-cost-map.js';
