/**
 * @module config/cost-keys
 * Every LiteLLM pricing key (the keys containing `cost` in LiteLLM's model cost map, see
 * /work/shared/reference/litellm_model_prices_and_context_window.json). Accepted in `model_info` and
 * `litellm_params`; their values become DeploymentConfig.customPricing. Kept in sync with the reference
 * by cost-keys.test.ts.
 */

export const CONFIG_COST_KEYS = [
  'annotation_cost_per_page',
  'cache_creation_input_audio_token_cost',
  'cache_creation_input_token_cost',
  'cache_creation_input_token_cost_above_1hr',
  'cache_creation_input_token_cost_above_200k_tokens',
  'cache_read_input_audio_token_cost',
  'cache_read_input_image_token_cost',
  'cache_read_input_token_cost',
  'cache_read_input_token_cost_above_200k_tokens',
  'cache_read_input_token_cost_flex',
  'cache_read_input_token_cost_priority',
  'citation_cost_per_token',
  'code_interpreter_cost_per_session',
  'computer_use_input_cost_per_1k_tokens',
  'computer_use_output_cost_per_1k_tokens',
  'file_search_cost_per_1k_calls',
  'file_search_cost_per_gb_per_day',
  'input_cost_per_audio_per_second',
  'input_cost_per_audio_per_second_above_128k_tokens',
  'input_cost_per_audio_token',
  'input_cost_per_character',
  'input_cost_per_character_above_128k_tokens',
  'input_cost_per_image',
  'input_cost_per_image_above_128k_tokens',
  'input_cost_per_image_token',
  'input_cost_per_pixel',
  'input_cost_per_query',
  'input_cost_per_request',
  'input_cost_per_second',
  'input_cost_per_token',
  'input_cost_per_token_above_128k_tokens',
  'input_cost_per_token_above_200k_tokens',
  'input_cost_per_token_batch_requests',
  'input_cost_per_token_batches',
  'input_cost_per_token_cache_hit',
  'input_cost_per_token_flex',
  'input_cost_per_token_priority',
  'input_cost_per_video_per_second',
  'input_cost_per_video_per_second_above_128k_tokens',
  'input_cost_per_video_per_second_above_15s_interval',
  'input_cost_per_video_per_second_above_8s_interval',
  'input_dbu_cost_per_token',
  'ocr_cost_per_page',
  'output_cost_per_audio_token',
  'output_cost_per_character',
  'output_cost_per_character_above_128k_tokens',
  'output_cost_per_image',
  'output_cost_per_image_above_1024_and_1024_pixels',
  'output_cost_per_image_above_1024_and_1024_pixels_and_premium_image',
  'output_cost_per_image_above_512_and_512_pixels',
  'output_cost_per_image_above_512_and_512_pixels_and_premium_image',
  'output_cost_per_image_premium_image',
  'output_cost_per_image_token',
  'output_cost_per_pixel',
  'output_cost_per_reasoning_token',
  'output_cost_per_second',
  'output_cost_per_token',
  'output_cost_per_token_above_128k_tokens',
  'output_cost_per_token_above_200k_tokens',
  'output_cost_per_token_batches',
  'output_cost_per_token_flex',
  'output_cost_per_token_priority',
  'output_cost_per_video_per_second',
  'output_db_cost_per_token',
  'output_dbu_cost_per_token',
  'search_context_cost_per_query',
  'vector_store_cost_per_gb_per_day',
] as const;

export type ConfigCostKey = (typeof CONFIG_COST_KEYS)[number];

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
