/**
 * @module config/cost-keys
 * Every LiteLLM pricing key (the keys containing `cost` in LiteLLM's model cost map). Accepted in
 * `model_info` and `litellm_params`; their values become DeploymentConfig.customPricing.
 */
import { COST_KEYS } from '../pricing/cost-keys.js';

/** The pricing engine's list is the one source of truth (config may import pricing, not the reverse). */
export const CONFIG_COST_KEYS: readonly string[] = COST_KEYS;

const COST_KEY_SET: ReadonlySet<string> = new Set(CONFIG_COST_KEYS);

/**
 * A LiteLLM cost key, including threshold variants of one (`input_cost_per_token_above_256k_tokens`),
 * as pricing/cost-keys.ts accepts them.
 */
export function isCostKey(key: string): boolean {
  if (COST_KEY_SET.has(key)) return true;
  const m = /^(.*)_above_\d+k_tokens$/.exec(key);
  return m !== null && COST_KEY_SET.has(m[1]);
}

/**
 * Cost keys whose value is a mapping rather than a number. Their entries are stored in customPricing
 * under dotted keys: `search_context_cost_per_query.search_context_size_low`.
 */
export const NESTED_COST_KEYS: Readonly<Record<string, readonly string[]>> = {
  search_context_cost_per_query: [
    'search_context_size_low',
    'search_context_size_medium',
    'search_context_size_high',
  ],
};
