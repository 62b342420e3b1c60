/**
 * @module pricing/cost-keys
 * Every known LiteLLM cost key (all keys containing `cost` in the reference cost map, 2025-11-21), for
 * config validation, and "did you mean" suggestions for misspelt keys and model names.
 */

export const COST_KEYS: readonly string[] = Object.freeze([
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
]);

const COST_KEY_SET: ReadonlySet<string> = new Set(COST_KEYS);

/** True for a known cost key, or a tiered variant of one (`…_above_<N>k_tokens`). */
export function isKnownCostKey(key: string): boolean {
  if (COST_KEY_SET.has(key)) return true;
  const m = /^(.*)_above_\d+k_tokens$/.exec(key);
  return m !== null && COST_KEY_SET.has(m[1]);
}

/** Levenshtein distance (insert/delete/substitute), O(n·m) with two rows. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Array<number>(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * The closest candidates to `name` (case-insensitive), best first by edit distance: those within about a
 * third of the name's length, and those containing the name or contained in it.
 */
export function closestMatches(name: string, candidates: Iterable<string>, limit = 3): string[] {
  const needle = name.toLowerCase();
  const maxDist = Math.max(2, Math.floor(needle.length / 3));
  const scored: Array<{ c: string; s: number }> = [];
  for (const c of candidates) {
    const hay = c.toLowerCase();
    const contains = hay.includes(needle) || (hay.length >= 4 && needle.includes(hay));
    if (!contains && Math.abs(hay.length - needle.length) > maxDist) continue;
    const d = editDistance(needle, hay);
    if (d <= maxDist || contains) scored.push({ c, s: d });
  }
  scored.sort((x, y) => x.s - y.s || x.c.localeCompare(y.c));
  return scored.slice(0, limit).map((x) => x.c);
}

/** The nearest valid cost key for a misspelt one, or null when nothing is close. */
export function suggestCostKey(key: string): string | null {
  return closestMatches(key, COST_KEYS, 1)[0] ?? null;
}
