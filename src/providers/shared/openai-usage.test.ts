import { describe, expect, it } from 'vitest';
import { usageFromOpenAi, usageToOpenAi } from './openai-usage.js';

describe('usageFromOpenAi', () => {
  it('keeps cached tokens inside prompt tokens and reasoning inside completion tokens', () => {
    const u = usageFromOpenAi({
      prompt_tokens: 1117,
      completion_tokens: 246,
      total_tokens: 1363,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 3 },
      completion_tokens_details: { reasoning_tokens: 200, audio_tokens: 5 },
    });
    expect(u).toMatchObject({
      inputTokens: 1117,
      cacheReadTokens: 1024,
      audioInputTokens: 3,
      outputTokens: 246,
      reasoningTokens: 200,
      audioOutputTokens: 5,
      cacheWriteTokens: 0,
      estimated: false,
    });
    expect(u!.cacheReadTokens).toBeLessThanOrEqual(u!.inputTokens);
  });

  it('reads DeepSeek cache hits and the images API input/output naming', () => {
    expect(
      usageFromOpenAi({
        prompt_tokens: 100,
        prompt_cache_hit_tokens: 60,
        prompt_cache_miss_tokens: 40,
        completion_tokens: 5,
      }),
    ).toMatchObject({ inputTokens: 100, cacheReadTokens: 60, outputTokens: 5 });
    expect(
      usageFromOpenAi({ input_tokens: 50, output_tokens: 4160, input_tokens_details: { text_tokens: 50 } }),
    ).toMatchObject({ inputTokens: 50, outputTokens: 4160 });
  });

  it('embeddings: prompt only; missing usage is null; junk becomes 0', () => {
    expect(usageFromOpenAi({ prompt_tokens: 8, total_tokens: 8 })).toMatchObject({
      inputTokens: 8,
      outputTokens: 0,
    });
    expect(usageFromOpenAi(null)).toBeNull();
    expect(usageFromOpenAi({ prompt_tokens: -3, completion_tokens: 'x' })).toMatchObject({
      inputTokens: 0,
      outputTokens: 0,
    });
  });

  it('round-trips through usageToOpenAi', () => {
    const u = usageFromOpenAi({
      prompt_tokens: 30,
      completion_tokens: 12,
      prompt_tokens_details: { cached_tokens: 10 },
      completion_tokens_details: { reasoning_tokens: 4 },
    })!;
    const back = usageToOpenAi(u, { anthropicCacheFields: true });
    expect(back).toMatchObject({
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
      cache_read_input_tokens: 10,
    });
    expect(usageFromOpenAi(back)).toMatchObject({
      inputTokens: 30,
      cacheReadTokens: 10,
      outputTokens: 12,
      reasoningTokens: 4,
    });
  });
});
