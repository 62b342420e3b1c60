/**
 * @module cost-map
 * Runtime (I/O) side of pricing: loading a newer LiteLLM cost map from a file or URL, with fallback.
 */
export {
  CostMapManager,
  type CostMapManagerOptions,
  createCostMapManager,
  type ReloadResult,
  type WarnLogger,
} from './cost-map-manager.js';
export { type LoadedCostMap, type LoadOptions, loadCostMap } from './load-cost-map.js';
