/**
 * @module providers/shared/openai-usage
 * OpenAI-format usage ⇄ the internal Usage. OpenAI totals include their parts:
 * `prompt_tokens` includes `prompt_tokens_details.cached_tokens` (and audio), `completion_tokens`
 * includes `completion_tokens_details.reasoning_tokens` (and audio). So the mapping is direct.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { count, isRecord, rec } from './json.js';

/**
 * Normalise an OpenAI-compatible `usage` object (chat, completions, embeddings, images).
 * Returns null when there is no usage object at all.
 */
export function usageFromOpenAi(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const usage = emptyUsage();
  const promptDetails = rec(raw.prompt_tokens_details ?? raw.input_tokens_details);
  const completionDetails = rec(raw.completion_tokens_details ?? raw.output_tokens_details);
  // Chat/completions/embeddings use prompt/completion; the images API (gpt-image-1) uses input/output.
  usage.inputTokens = count(raw.prompt_tokens ?? raw.input_tokens);
  usage.outputTokens = count(raw.completion_tokens ?? raw.output_tokens);
  // DeepSeek reports its cache split at top level (prompt_tokens = hit + miss).
  usage.cacheReadTokens = count(promptDetails.cached_tokens ?? raw.prompt_cache_hit_tokens);
  // Cache writes: OpenRouter-style detail or LiteLLM-style top-level field; both are part of prompt_tokens.
  usage.cacheWriteTokens = count(promptDetails.cache_write_tokens ?? raw.cache_creation_input_tokens);
  usage.audioInputTokens = count(promptDetails.audio_tokens);
  usage.reasoningTokens = count(completionDetails.reasoning_tokens);
  usage.audioOutputTokens = count(completionDetails.audio_tokens);
  return usage;
}

/**
 * The OpenAI `usage` object for a normalised Usage (for responses the gateway synthesises).
 * `anthropicCacheFields` adds LiteLLM's top-level `cache_creation_input_tokens`/`cache_read_input_tokens`.
 */
export function usageToOpenAi(
  usage: Usage,
  opts: { anthropicCacheFields?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, audio_tokens: usage.audioInputTokens },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      audio_tokens: usage.audioOutputTokens,
    },
  };
  if (opts.anthropicCacheFields) {
    out.cache_creation_input_tokens = usage.cacheWriteTokens;
    out.cache_read_input_tokens = usage.cacheReadTokens;
  }
  return out;
}
