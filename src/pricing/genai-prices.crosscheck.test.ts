/**
 * Cross-check against an independent price library, @pydantic/genai-prices (its bundled data), for current
 * major models. Same usage → same cost. genai-prices computes with binary floats, so agreement is checked to
 * 1e-9 relative. Every disagreement is listed in DIFFERENCES with its source, and the test proves the listed
 * unit-price difference explains the whole gap: pricing with their unit price for those keys gives their total.
 */
import { calcPrice } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './builtin-catalog.js';
import { priceUsage } from './cost.js';
import { formatMoney } from './money.js';
import { resolvePricing } from './resolve.js';
import { emptyUsage, type Usage } from './usage.js';

/**
 * genai-prices prices some models by time of day (DeepSeek's off-peak discount, 16:30–00:30 UTC). LiteLLM's cost
 * map (our catalog) has one price: DeepSeek's standard one. Every comparison therefore runs at a fixed instant in
 * DeepSeek's standard window, on the day of our catalog's snapshot (genai-prices also dates prices: e.g.
 * `mistral-medium-latest` moved to Medium 3.5 on 2026-06-16); the off-peak case is checked on its own below.
 */
const STANDARD_HOURS = new Date('2025-11-21T12:00:00Z');
const OFF_PEAK = new Date('2025-11-21T20:00:00Z');

/** [tollgate litellm_params.model, provider, genai-prices providerId, genai-prices model id] */
const MODELS: Array<[string, string, string, string]> = [
  ['gpt-4o', 'openai', 'openai', 'gpt-4o'],
  ['gpt-4o-mini', 'openai', 'openai', 'gpt-4o-mini'],
  ['gpt-4.1', 'openai', 'openai', 'gpt-4.1'],
  ['gpt-4.1-mini', 'openai', 'openai', 'gpt-4.1-mini'],
  ['gpt-4.1-nano', 'openai', 'openai', 'gpt-4.1-nano'],
  ['gpt-5', 'openai', 'openai', 'gpt-5'],
  ['gpt-5-mini', 'openai', 'openai', 'gpt-5-mini'],
  ['gpt-5-nano', 'openai', 'openai', 'gpt-5-nano'],
  ['o3', 'openai', 'openai', 'o3'],
  ['o3-mini', 'openai', 'openai', 'o3-mini'],
  ['o4-mini', 'openai', 'openai', 'o4-mini'],
  ['o1', 'openai', 'openai', 'o1'],
  ['gpt-3.5-turbo', 'openai', 'openai', 'gpt-3.5-turbo'],
  ['gpt-4-turbo', 'openai', 'openai', 'gpt-4-turbo'],
  ['text-embedding-3-small', 'openai', 'openai', 'text-embedding-3-small'],
  ['text-embedding-3-large', 'openai', 'openai', 'text-embedding-3-large'],
  ['anthropic/claude-sonnet-4-20250514', 'anthropic', 'anthropic', 'claude-sonnet-4-20250514'],
  ['anthropic/claude-sonnet-4-5-20250929', 'anthropic', 'anthropic', 'claude-sonnet-4-5-20250929'],
  ['anthropic/claude-opus-4-1-20250805', 'anthropic', 'anthropic', 'claude-opus-4-1-20250805'],
  ['anthropic/claude-opus-4-20250514', 'anthropic', 'anthropic', 'claude-opus-4-20250514'],
  ['anthropic/claude-3-5-haiku-20241022', 'anthropic', 'anthropic', 'claude-3-5-haiku-20241022'],
  ['anthropic/claude-haiku-4-5-20251001', 'anthropic', 'anthropic', 'claude-haiku-4-5-20251001'],
  ['anthropic/claude-3-7-sonnet-20250219', 'anthropic', 'anthropic', 'claude-3-7-sonnet-20250219'],
  ['anthropic/claude-3-haiku-20240307', 'anthropic', 'anthropic', 'claude-3-haiku-20240307'],
  ['gemini/gemini-2.5-pro', 'gemini', 'google', 'gemini-2.5-pro'],
  ['gemini/gemini-2.5-flash', 'gemini', 'google', 'gemini-2.5-flash'],
  ['gemini/gemini-2.5-flash-lite', 'gemini', 'google', 'gemini-2.5-flash-lite'],
  ['gemini/gemini-2.0-flash', 'gemini', 'google', 'gemini-2.0-flash'],
  ['gemini/gemini-1.5-pro', 'gemini', 'google', 'gemini-1.5-pro'],
  ['mistral/mistral-large-latest', 'mistral', 'mistral', 'mistral-large-latest'],
  ['mistral/mistral-small-latest', 'mistral', 'mistral', 'mistral-small-latest'],
  ['mistral/codestral-latest', 'mistral', 'mistral', 'codestral-latest'],
  ['mistral/mistral-medium-latest', 'mistral', 'mistral', 'mistral-medium-latest'],
  ['mistral/open-mistral-nemo', 'mistral', 'mistral', 'open-mistral-nemo'],
  ['deepseek/deepseek-chat', 'deepseek', 'deepseek', 'deepseek-chat'],
  ['deepseek/deepseek-reasoner', 'deepseek', 'deepseek', 'deepseek-reasoner'],
  ['groq/llama-3.3-70b-versatile', 'groq', 'groq', 'llama-3.3-70b-versatile'],
  ['groq/llama-3.1-8b-instant', 'groq', 'groq', 'llama-3.1-8b-instant'],
  ['groq/qwen/qwen3-32b', 'groq', 'groq', 'qwen/qwen3-32b'],
  ['groq/openai/gpt-oss-120b', 'groq', 'groq', 'openai/gpt-oss-120b'],
  ['groq/openai/gpt-oss-20b', 'groq', 'groq', 'openai/gpt-oss-20b'],
  ['groq/moonshotai/kimi-k2-instruct', 'groq', 'groq', 'moonshotai/kimi-k2-instruct'],
  ['xai/grok-3', 'xai', 'x-ai', 'grok-3'],
  ['xai/grok-4-0709', 'xai', 'x-ai', 'grok-4-0709'],
  ['xai/grok-3-mini', 'xai', 'x-ai', 'grok-3-mini'],
];

/**
 * Known disagreements: cost key → [our catalog's price (LiteLLM snapshot 2025-11-21), genai-prices' price].
 * "no key" means the LiteLLM entry has no such price, so Tollgate bills cache reads at the input price (fallback).
 */
const DIFFERENCES: Record<string, Record<string, [string | 'no key', string]>> = {
  // LiteLLM's gemini/ entry has cache reads at 0.3125/M; genai-prices has Google's current 0.125/M (≤200k).
  'gemini/gemini-2.5-pro': { cache_read_input_token_cost: ['0.0000003125', '0.000000125'] },
  // LiteLLM: cache read 0.025/M; genai-prices: 0.01/M (Google's price list after the 2.5 GA).
  'gemini/gemini-2.5-flash-lite': { cache_read_input_token_cost: ['0.000000025', '0.00000001'] },
  // LiteLLM's gemini/gemini-1.5-pro still has the pre-October-2024 price (3.5/10.5 per M); genai-prices the cut one.
  'gemini/gemini-1.5-pro': {
    input_cost_per_token: ['0.0000035', '0.00000125'],
    output_cost_per_token: ['0.0000105', '0.000005'],
  },
  // LiteLLM: codestral-latest at the 2024 price 1/3 per M; genai-prices: Codestral 25.01 at 0.3/0.9.
  'mistral/codestral-latest': {
    input_cost_per_token: ['0.000001', '0.0000003'],
    output_cost_per_token: ['0.000003', '0.0000009'],
  },
  // Both have Mistral Medium 3 (0.4/2 per M) on 2025-11-21; LiteLLM has no cache read price, genai-prices 0.04/M.
  'mistral/mistral-medium-latest': { cache_read_input_token_cost: ['no key', '0.00000004'] },
  // LiteLLM: 0.3/M both ways (older list price); genai-prices: 0.15/M.
  'mistral/open-mistral-nemo': {
    input_cost_per_token: ['0.0000003', '0.00000015'],
    output_cost_per_token: ['0.0000003', '0.00000015'],
  },
  // Groq's gpt-oss: LiteLLM has output 0.75/M and no cache price; genai-prices 0.6/M and cache reads at half price.
  'groq/openai/gpt-oss-120b': {
    output_cost_per_token: ['0.00000075', '0.0000006'],
    cache_read_input_token_cost: ['no key', '0.000000075'],
  },
  'groq/openai/gpt-oss-20b': {
    input_cost_per_token: ['0.0000001', '0.000000075'],
    output_cost_per_token: ['0.0000005', '0.0000003'],
    cache_read_input_token_cost: ['no key', '0.0000000375'],
  },
  // LiteLLM has no cache read price for these; genai-prices has the providers' discounted cache reads.
  'groq/moonshotai/kimi-k2-instruct': { cache_read_input_token_cost: ['no key', '0.0000005'] },
  'xai/grok-3': { cache_read_input_token_cost: ['no key', '0.00000075'] },
  'xai/grok-4-0709': { cache_read_input_token_cost: ['no key', '0.00000075'] },
  'xai/grok-3-mini': { cache_read_input_token_cost: ['no key', '0.000000075'] },
};

const catalog = builtinCatalog();
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-12 + 1e-9 * Math.abs(b);

function usages(provider: string): Array<{ ours: Usage; theirs: Record<string, number> }> {
  const list: Array<{ ours: Usage; theirs: Record<string, number> }> = [
    {
      ours: { ...emptyUsage(), inputTokens: 10_000, cacheReadTokens: 2_000, outputTokens: 1_500 },
      theirs: { input_tokens: 10_000, cache_read_tokens: 2_000, output_tokens: 1_500 },
    },
    {
      ours: { ...emptyUsage(), inputTokens: 1, outputTokens: 0 },
      theirs: { input_tokens: 1, output_tokens: 0 },
    },
  ];
  if (provider === 'anthropic') {
    list.push({
      ours: {
        ...emptyUsage(),
        inputTokens: 9_000,
        cacheReadTokens: 3_000,
        cacheWriteTokens: 4_000,
        outputTokens: 700,
      },
      theirs: {
        input_tokens: 9_000,
        cache_read_tokens: 3_000,
        cache_write_tokens: 4_000,
        output_tokens: 700,
      },
    });
  }
  return list;
}

describe('cross-check with @pydantic/genai-prices', () => {
  it('covers at least 30 current major models from OpenAI, Anthropic, Google, Mistral, DeepSeek, Groq, xAI', () => {
    expect(MODELS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MODELS.map((m) => m[2]))).toEqual(
      new Set(['openai', 'anthropic', 'google', 'mistral', 'deepseek', 'groq', 'x-ai']),
    );
  });

  for (const [model, provider, gpProvider, gpModel] of MODELS) {
    const diff = DIFFERENCES[model];
    it(`${model}: ${diff ? 'documented difference explains the gap' : 'same cost'}`, () => {
      const resolved = resolvePricing({ name: model, model, provider }, catalog);
      expect(resolved.unpriced).toBe(false);
      for (const u of usages(provider)) {
        const ours = Number(formatMoney(priceUsage(resolved, u.ours).costUsd));
        const theirs = calcPrice(u.theirs, gpModel, { providerId: gpProvider, timestamp: STANDARD_HOURS });
        expect(theirs, `genai-prices knows ${gpModel}`).not.toBeNull();
        if (!diff) {
          expect(
            close(ours, theirs?.total_price ?? Number.NaN),
            `${model}: ${ours} vs ${theirs?.total_price}`,
          ).toBe(true);
          continue;
        }
        // Our catalog really has the documented price…
        for (const [key, [oursText]] of Object.entries(diff)) {
          const p = resolved.prices[key];
          expect(p === undefined ? 'no key' : formatMoney(p), `${model} ${key}`).toBe(oursText);
        }
        // …and with genai-prices' price for exactly those keys, the costs agree.
        const custom = Object.fromEntries(Object.entries(diff).map(([k, [, t]]) => [k, t]));
        const adjusted = resolvePricing({ name: model, model, provider, customPricing: custom }, catalog);
        const adjustedCost = Number(formatMoney(priceUsage(adjusted, u.ours).costUsd));
        expect(
          close(adjustedCost, theirs?.total_price ?? Number.NaN),
          `${model}: ${adjustedCost} vs ${theirs?.total_price}`,
        ).toBe(true);
        if (u.ours.inputTokens > 1) expect(close(ours, theirs?.total_price ?? Number.NaN)).toBe(false);
      }
    });
  }

  // DeepSeek's off-peak discount is a time-of-day rule LiteLLM's map (and so our catalog) does not have: at
  // 20:00 UTC genai-prices bills less than we do, and the off-peak unit prices (hand-copied from genai-prices'
  // data, DeepSeek's price page) explain the whole gap.
  const OFF_PEAK_PRICES: Record<string, Record<string, string>> = {
    'deepseek/deepseek-chat': {
      input_cost_per_token: '0.000000135',
      output_cost_per_token: '0.00000055',
      cache_read_input_token_cost: '0.000000035',
    },
    'deepseek/deepseek-reasoner': {
      input_cost_per_token: '0.000000135',
      output_cost_per_token: '0.00000055',
      cache_read_input_token_cost: '0.000000035',
    },
  };
  for (const [model, offPeak] of Object.entries(OFF_PEAK_PRICES)) {
    it(`${model}: off-peak (20:00 UTC) genai-prices applies DeepSeek's discount, which our catalog lacks`, () => {
      const gpModel = model.slice('deepseek/'.length);
      const usage = { input_tokens: 10_000, cache_read_tokens: 2_000, output_tokens: 1_500 };
      const ours = { ...emptyUsage(), inputTokens: 10_000, cacheReadTokens: 2_000, outputTokens: 1_500 };
      const peak = calcPrice(usage, gpModel, { providerId: 'deepseek', timestamp: STANDARD_HOURS });
      const night = calcPrice(usage, gpModel, { providerId: 'deepseek', timestamp: OFF_PEAK });
      expect(night?.total_price).toBeLessThan(peak?.total_price ?? 0);
      const standard = resolvePricing({ name: model, model, provider: 'deepseek' }, catalog);
      const oursCost = Number(formatMoney(priceUsage(standard, ours).costUsd));
      expect(close(oursCost, peak?.total_price ?? Number.NaN), `${oursCost} vs ${peak?.total_price}`).toBe(
        true,
      );
      expect(close(oursCost, night?.total_price ?? Number.NaN)).toBe(false);
      const discounted = resolvePricing(
        { name: model, model, provider: 'deepseek', customPricing: offPeak },
        catalog,
      );
      const discountedCost = Number(formatMoney(priceUsage(discounted, ours).costUsd));
      expect(
        close(discountedCost, night?.total_price ?? Number.NaN),
        `${discountedCost} vs ${night?.total_price}`,
      ).toBe(true);
    });
  }
});
