/**
 * @module pricing/usage
 * The one usage shape every provider's usage is normalised into, and the only thing pricing reads.
 *
 * Totals INCLUDE their parts (the OpenAI convention): `inputTokens` counts every prompt token,
 * cached or not, so uncached input = inputTokens - cacheReadTokens - cacheWriteTokens.
 * Anthropic reports `input_tokens` WITHOUT cache tokens; its adapter adds them back. xAI reports reasoning
 * tokens OUTSIDE `completion_tokens`; its normaliser adds them in. Each provider family has one usage
 * normaliser (providers/…/…-usage.ts) that produces this shape; optional fields absent = not reported.
 */
export interface Usage {
  /** All prompt tokens, including cache reads, cache writes and audio/image input tokens. */
  inputTokens: number;
  /** Prompt tokens served from the provider's prompt cache (part of inputTokens). */
  cacheReadTokens: number;
  /** Prompt tokens written to the provider's prompt cache (part of inputTokens). */
  cacheWriteTokens: number;
  /**
   * Cache writes kept for one hour (Anthropic `cache_creation.ephemeral_1h_input_tokens`; part of
   * cacheWriteTokens). The other cacheWriteTokens are 5-minute writes. Absent = none reported.
   */
  cacheWrite1hTokens?: number;
  /** Audio prompt tokens (part of inputTokens). */
  audioInputTokens: number;
  /** All completion tokens, including reasoning and audio tokens. */
  outputTokens: number;
  /** Reasoning ("thinking") tokens (part of outputTokens). */
  reasoningTokens: number;
  /** Audio completion tokens (part of outputTokens). */
  audioOutputTokens: number;
  /** Image generation: how many images, and the requested size/quality (for per-image prices). */
  images?: { count: number; size?: string; quality?: string };
  /** Text-to-speech: characters of the input text (priced by `input_cost_per_character`). */
  inputCharacters?: number;
  /**
   * Length of the audio a transcription/translation was made from, in whole milliseconds, and where
   * it was read (the upstream's usage, verbose_json `duration`, or the uploaded file). Per-second
   * prices bill it instead of the request's own duration.
   */
  audioDuration?: { ms: number; source: string };
  /** Rerank: search units / queries billed (priced by `input_cost_per_query`; 1 when absent). */
  queries?: number;
  /** Measured by the gateway: from sending upstream to the last byte, in whole milliseconds. */
  durationMs: number;
  /** True when token counts were estimated by the gateway (e.g. client disconnected mid-stream). */
  estimated: boolean;
  /**
   * Service tier the provider says it served (`flex`, `priority`, `default`, Anthropic `standard`/`batch`…),
   * else the one the request asked for. Pricing reads `flex` / `priority` (and `fast`, as LiteLLM does).
   */
  serviceTier?: string;
  /** The call arrived through a batch (priced by the `*_batches` keys). */
  batch?: boolean;
}

export function emptyUsage(): Usage {
  return {
    inputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    audioInputTokens: 0,
    outputTokens: 0,
    reasoningTokens: 0,
    audioOutputTokens: 0,
    durationMs: 0,
    estimated: false,
  };
}
