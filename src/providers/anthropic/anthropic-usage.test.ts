/**
 * Anthropic's usage normaliser on recorded shapes: cache tokens added back into inputTokens, 1-hour cache
 * writes kept apart from 5-minute ones, the service tier kept; streamed usage accumulates the same way.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, formatMoney, priceUsage, resolvePricing } from '../../pricing/index.js';
import shapes from './__fixtures__/anthropic-usage-shapes.json' with { type: 'json' };
import { anthropicUsage, applyAnthropicUsage, countersToUsage, newCounters } from './anthropic-usage.js';

const sonnet = () =>
  resolvePricing(
    { name: 'c', model: 'anthropic/claude-sonnet-4-5', provider: 'anthropic' },
    builtinCatalog(),
  );

describe('anthropicUsage', () => {
  it('a 1-hour cache write: every cached token is a 1h write', () => {
    expect(anthropicUsage(shapes.message_1h_cache_write)).toMatchObject({
      inputTokens: 2063, // 12 + 2051
      cacheWriteTokens: 2051,
      cacheWrite1hTokens: 2051,
      outputTokens: 503,
      serviceTier: 'standard',
    });
  });

  it('mixed TTLs and reads, hand-priced with claude-sonnet-4-5 (no 1h price → 2× input)', () => {
    const u = anthropicUsage(shapes.message_mixed_ttl_and_read);
    expect(u).toMatchObject({
      inputTokens: 7050,
      cacheReadTokens: 4000,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 2000,
    });
    // input 50 × 0.000003 = 0.00015; read 4000 × 0.0000003 = 0.0012; 5m 1000 × 0.00000375 = 0.00375;
    // 1h 2000 × 0.000006 = 0.012; output 100 × 0.000015 = 0.0015 → 0.0186
    expect(formatMoney(priceUsage(sonnet(), u).costUsd)).toBe('0.0186');
  });

  it('service_tier "batch" prices at batch rates: 1000 × 0.0000015 + 1000 × 0.0000075 = 0.009', () => {
    const c = priceUsage(sonnet(), anthropicUsage(shapes.message_batch));
    expect(c.batch).toBe(true);
    expect(formatMoney(c.costUsd)).toBe('0.009');
  });

  it('a stream: message_start then the cumulative message_delta give the same usage', () => {
    const c = newCounters();
    applyAnthropicUsage(c, shapes.stream_message_start);
    applyAnthropicUsage(c, shapes.stream_message_delta);
    const streamed = countersToUsage(c);
    expect(streamed).toEqual(anthropicUsage(shapes.message_mixed_ttl_and_read));
  });

  it('no cache_creation breakdown: writes stay 5-minute writes; no usage → zeros', () => {
    const u = anthropicUsage({ input_tokens: 5, cache_creation_input_tokens: 10, output_tokens: 1 });
    expect(u.cacheWrite1hTokens).toBeUndefined();
    expect(u.cacheWriteTokens).toBe(10);
    expect(anthropicUsage(undefined).inputTokens).toBe(0);
  });
});
