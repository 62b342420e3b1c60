import { describe, expect, it } from 'vitest';
import { miniCatalog } from './__fixtures__/mini-catalog.js';
import { builtinCatalog } from './builtin-catalog.js';
import { type Cost, priceUsage } from './cost.js';
import { costToJSON, explainCost } from './explain.js';
import { formatMoney } from './money.js';
import { type PricingTarget, resolvePricing } from './resolve.js';
import { emptyUsage, type Usage } from './usage.js';

const cat = miniCatalog();
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
const resolve = (t: Partial<PricingTarget> & { model: string }) =>
  resolvePricing({ name: t.name ?? 'dep', provider: t.provider ?? 'openai', ...t }, cat);
const usd = (c: Cost) => formatMoney(c.costUsd);
const line = (c: Cost, kind: string) => c.lines.find((l) => l.kind === kind);

describe('the seeds’ worked examples', () => {
  it('per token: (1000 × 0.00003) + (500 × 0.00006) = 0.06', () => {
    const r = resolvePricing(
      {
        name: 'my-gpt4-model',
        model: 'azure/gpt-4',
        provider: 'azure',
        customPricing: { input_cost_per_token: '0.00003', output_cost_per_token: '0.00006' },
      },
      builtinCatalog(),
    );
    const c = priceUsage(r, usage({ inputTokens: 1000, outputTokens: 500 }));
    expect(usd(c)).toBe('0.06');
    expect(c.source).toMatch(/^custom/);
  });

  it('per second: 5 seconds × 0.000420 = 0.0021', () => {
    const r = resolvePricing(
      {
        name: 'sagemaker-model',
        model: 'sagemaker/berri-benchmarking-Llama-2-70b-chat-hf-4',
        provider: 'sagemaker',
        customPricing: { input_cost_per_second: '0.000420' },
      },
      builtinCatalog(),
    );
    const c = priceUsage(r, usage({ inputTokens: 321, outputTokens: 55, durationMs: 5000 }));
    expect(usd(c)).toBe('0.0021');
    expect(c.source).toBe('custom');
    expect(c.lines).toEqual([
      {
        kind: 'input_seconds',
        quantity: 5,
        unit: 'second',
        priceKey: 'input_cost_per_second',
        unitPrice: 420n * 10n ** 18n,
        amount: 21n * 10n ** 20n,
        note: 'duration = upstream call wall time, request sent to last byte',
      },
    ]);
  });

  it('cache: 1000 regular + 5000 cache reads + 500 output = 0.012', () => {
    const r = resolvePricing(
      {
        name: 'claude-sonnet',
        model: 'anthropic/claude-3-5-sonnet-20241022',
        provider: 'anthropic',
        customPricing: {
          input_cost_per_token: '0.000003',
          output_cost_per_token: '0.000015',
          cache_creation_input_token_cost: '0.00000375',
          cache_read_input_token_cost: '0.0000003',
        },
      },
      builtinCatalog(),
    );
    const c = priceUsage(r, usage({ inputTokens: 6000, cacheReadTokens: 5000, outputTokens: 500 }));
    expect(usd(c)).toBe('0.012');
    expect(c.lines.map((l) => [l.kind, l.quantity, formatMoney(l.amount)])).toEqual([
      ['input', 1000, '0.003'],
      ['cache_read', 5000, '0.0015'],
      ['output', 500, '0.0075'],
    ]);
  });
});

describe('token classes', () => {
  it('cache writes priced by their key; totals include parts', () => {
    const c = priceUsage(
      resolve({ model: 'anthropic/claude-3-5-sonnet-20241022', provider: 'anthropic' }),
      usage({ inputTokens: 3000, cacheReadTokens: 1000, cacheWriteTokens: 1000, outputTokens: 10 }),
    );
    expect(line(c, 'input')?.quantity).toBe(1000);
    expect(formatMoney(line(c, 'cache_write')?.amount ?? -1n)).toBe('0.00375');
    expect(formatMoney(line(c, 'cache_read')?.amount ?? -1n)).toBe('0.0003');
    expect(usd(c)).toBe('0.0072');
  });

  it('cache tokens without a cache price are billed at the input price, noted (never free)', () => {
    const r = resolve({
      model: 'x/custom',
      provider: 'hosted_vllm',
      customPricing: { input_cost_per_token: '0.000001', output_cost_per_token: '0.000002' },
    });
    const c = priceUsage(
      r,
      usage({ inputTokens: 1000, cacheReadTokens: 300, cacheWriteTokens: 200, outputTokens: 0 }),
    );
    expect(usd(c)).toBe('0.001');
    expect(line(c, 'cache_read')).toMatchObject({ quantity: 300, priceKey: 'input_cost_per_token' });
    expect(line(c, 'cache_read')?.note).toMatch(/fallback: no cache read price, billed at input price/);
    expect(line(c, 'cache_write')?.note).toMatch(/fallback: no cache write price/);
    expect(explainCost(c)).toMatch(/fallback/);
  });

  it('deepseek input_cost_per_token_cache_hit is the cache read price', () => {
    const c = priceUsage(
      resolve({ model: 'deepseek/deepseek-chat', provider: 'deepseek' }),
      usage({ inputTokens: 1000, cacheReadTokens: 1000 }),
    );
    expect(line(c, 'cache_read')).toMatchObject({ priceKey: 'input_cost_per_token_cache_hit' });
    expect(usd(c)).toBe('0.00007');
  });

  it('reasoning and audio tokens by their own keys when the entry has them', () => {
    const c = priceUsage(
      resolve({ model: 'reasoner' }),
      usage({
        inputTokens: 100,
        audioInputTokens: 10,
        outputTokens: 100,
        reasoningTokens: 40,
        audioOutputTokens: 10,
      }),
    );
    expect(c.lines.map((l) => [l.kind, l.quantity, l.priceKey])).toEqual([
      ['input', 90, 'input_cost_per_token'],
      ['audio_input', 10, 'input_cost_per_audio_token'],
      ['output', 50, 'output_cost_per_token'],
      ['reasoning', 40, 'output_cost_per_reasoning_token'],
      ['audio_output', 10, 'output_cost_per_audio_token'],
    ]);
    // 90e-6 + 10e-5 + 50×2e-6 + 40×3e-6 + 10×2e-5
    expect(usd(c)).toBe('0.00061');
  });

  it('reasoning without its own key at the output price (noted); audio without keys inside input/output', () => {
    const c = priceUsage(
      resolve({ model: 'gpt-4o' }),
      usage({
        inputTokens: 100,
        audioInputTokens: 50,
        outputTokens: 100,
        reasoningTokens: 30,
        audioOutputTokens: 20,
      }),
    );
    expect(line(c, 'input')?.quantity).toBe(100);
    expect(line(c, 'output')?.quantity).toBe(70);
    expect(line(c, 'reasoning')).toMatchObject({ quantity: 30, priceKey: 'output_cost_per_token' });
    expect(line(c, 'reasoning')?.note).toMatch(/no reasoning price, billed at output price/);
    expect(line(c, 'audio_input')).toBeUndefined();
    expect(usd(c)).toBe('0.00125');
  });

  it('embeddings: input tokens only', () => {
    const c = priceUsage(resolve({ model: 'text-embedding-3-small' }), usage({ inputTokens: 1_000_000 }));
    expect(usd(c)).toBe('0.02');
    expect(c.lines).toHaveLength(1);
  });

  it('per-request (rerank query) price', () => {
    const c = priceUsage(
      resolve({ model: 'cohere/rerank-v3.5', provider: 'cohere' }),
      usage({ inputTokens: 500 }),
    );
    expect(usd(c)).toBe('0.002');
    expect(line(c, 'request')).toMatchObject({
      quantity: 1,
      unit: 'request',
      priceKey: 'input_cost_per_query',
    });
  });
});

describe('per second', () => {
  it('whisper-1 lists input and output per second: billed once', () => {
    const c = priceUsage(resolve({ model: 'whisper-1' }), usage({ durationMs: 12_345 }));
    expect(usd(c)).toBe('0.0012345');
    expect(c.lines.map((l) => l.kind)).toEqual(['input_seconds']);
  });

  it('output_cost_per_second alone is billed on the duration', () => {
    const c = priceUsage(resolve({ model: 'gemini/veo', provider: 'gemini' }), usage({ durationMs: 2000 }));
    expect(usd(c)).toBe('0.7');
    expect(line(c, 'output_seconds')?.quantity).toBe(2);
  });

  it('both per token and per second when custom pricing sets both', () => {
    const r = resolve({
      model: 'x/y',
      provider: 'hosted_vllm',
      customPricing: { input_cost_per_token: '0.000001', input_cost_per_second: '0.001' },
    });
    expect(usd(priceUsage(r, usage({ inputTokens: 1000, durationMs: 1500 })))).toBe('0.0025');
  });
});

describe('tiers: strictly above the threshold, prompt tokens incl. cached, whole request', () => {
  const r = resolve({ model: 'vertex_ai/tiered-200k', provider: 'vertex_ai' });
  const at = (input: number, cached = 0) =>
    priceUsage(r, usage({ inputTokens: input, cacheReadTokens: cached, outputTokens: 1000 }));

  it('just under and at 200k: base prices', () => {
    for (const n of [199_999, 200_000]) {
      const c = at(n);
      expect(c.tier).toBeNull();
      expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token');
      expect(line(c, 'output')?.priceKey).toBe('output_cost_per_token');
    }
    expect(usd(at(200_000))).toBe('0.21'); // 200000 × 1e-6 + 1000 × 1e-5
  });

  it('just over 200k: every class with a tiered key at the tier price', () => {
    const c = at(200_001);
    expect(c.tier).toBe('above_200k_tokens');
    expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token_above_200k_tokens');
    expect(line(c, 'output')?.priceKey).toBe('output_cost_per_token_above_200k_tokens');
    expect(usd(c)).toBe('0.415002'); // 200001 × 2e-6 + 1000 × 1.5e-5
    expect(c.unitPrices.input_cost_per_token_above_200k_tokens).toBe('0.000002');
  });

  it('cached tokens count toward the threshold and get the tiered cache price', () => {
    const c = at(200_001, 150_000);
    expect(c.tier).toBe('above_200k_tokens');
    expect(line(c, 'cache_read')?.priceKey).toBe('cache_read_input_token_cost_above_200k_tokens');
    expect(line(c, 'input')?.quantity).toBe(50_001);
  });

  it('128k tier: classes without a tiered key keep their base price', () => {
    const r128 = resolve({ model: 'vertex_ai/tiered-128k', provider: 'vertex_ai' });
    const p = (n: number) => priceUsage(r128, usage({ inputTokens: n, outputTokens: 10 }));
    expect(p(127_999).tier).toBeNull();
    expect(p(128_000).tier).toBeNull();
    const over = p(128_001);
    expect(over.tier).toBe('above_128k_tokens');
    expect(line(over, 'input')?.priceKey).toBe('input_cost_per_token_above_128k_tokens');
    expect(line(over, 'output')?.priceKey).toBe('output_cost_per_token');
  });

  it('a tier price of 0 under a positive base price is a placeholder: the base price stays', () => {
    const r0 = resolve({
      model: 'x/y',
      provider: 'hosted_vllm',
      customPricing: { input_cost_per_token: '0.000001', input_cost_per_token_above_128k_tokens: '0' },
    });
    const c = priceUsage(r0, usage({ inputTokens: 200_000 }));
    expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token');
    expect(usd(c)).toBe('0.2');
  });

  it('LiteLLM tiered_pricing ranges (dashscope) use the same rule', () => {
    const rq = resolve({ model: 'dashscope/qwen-tiers', provider: 'dashscope' });
    expect(priceUsage(rq, usage({ inputTokens: 256_000 })).tier).toBeNull();
    const c = priceUsage(rq, usage({ inputTokens: 256_001 }));
    expect(c.tier).toBe('above_256k_tokens');
    expect(usd(c)).toBe('0.06400025');
  });
});

describe('images', () => {
  it('dall-e-3 by size and quality, per pixel', () => {
    const r = resolve({ model: 'openai/dall-e-3' });
    const hd = priceUsage(r, usage({ images: { count: 2, size: '1024x1024', quality: 'hd' } }));
    expect(usd(hd)).toBe('0.15999172608'); // 2 × 1048576 × 7.629e-8
    expect(line(hd, 'image_pixels')).toMatchObject({ quantity: 2_097_152, priceKey: 'input_cost_per_pixel' });
    expect(line(hd, 'image_pixels')?.note).toBeUndefined();
    const std = priceUsage(r, usage({ images: { count: 1, size: '1024x1024' } }));
    expect(usd(std)).toBe('0.0399999238144'); // 1048576 × 3.81469e-8
    expect(line(std, 'image_pixels')?.note).toMatch(/standard-x-1024|used standard\/1024-x-1024\/dall-e-3/);
    const noSize = priceUsage(r, usage({ images: { count: 1, quality: 'hd' } }));
    expect(line(noSize, 'image_pixels')?.note).toMatch(/assumed 1024x1024/);
  });

  it('Azure image deployment with base_model dall-e-3 (seed)', () => {
    const r = resolve({
      model: 'azure/dall-e-3-test',
      provider: 'azure',
      baseModel: 'dall-e-3',
      mode: 'image_generation',
    });
    expect(r.source).toBe('base_model:dall-e-3');
    expect(usd(priceUsage(r, usage({ images: { count: 1, size: '1024x1024', quality: 'hd' } })))).toBe(
      '0.07999586304',
    );
  });

  it('per image prices, Titan size and premium variants', () => {
    expect(
      usd(
        priceUsage(
          resolve({ model: 'recraft/recraftv3', provider: 'recraft' }),
          usage({ images: { count: 3 } }),
        ),
      ),
    ).toBe('0.12');
    const t = resolve({ model: 'bedrock/amazon.titan-image-generator-v1', provider: 'bedrock' });
    expect(usd(priceUsage(t, usage({ images: { count: 1, size: '512x512' } })))).toBe('0.008');
    expect(usd(priceUsage(t, usage({ images: { count: 1, size: '1024x1024' } })))).toBe('0.01');
    expect(usd(priceUsage(t, usage({ images: { count: 1, size: '1024x1024', quality: 'premium' } })))).toBe(
      '0.012',
    );
    expect(usd(priceUsage(t, usage({ images: { count: 1, size: '512x512', quality: 'premium' } })))).toBe(
      '0.01',
    );
  });
});

describe('overrides, unpriced, explanation', () => {
  it('per-request overrides win over everything (and over tiers)', () => {
    const r = resolve({ model: 'vertex_ai/tiered-200k', provider: 'vertex_ai' });
    const c = priceUsage(r, usage({ inputTokens: 300_000, outputTokens: 10 }), {
      inputCostPerToken: '0.0000001',
      outputCostPerToken: 0.5,
    });
    expect(usd(c)).toBe('5.03');
    expect(c.source).toBe('override+catalog:tiered-200k@2025-01-01');
    expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token');
    expect(line(c, 'output')?.priceKey).toBe('output_cost_per_token');
    expect(() => priceUsage(r, usage({}), { inputCostPerToken: '-1' })).toThrow(RangeError);
    const unp = resolve({ model: 'hosted_vllm/x', provider: 'hosted_vllm' });
    const o = priceUsage(unp, usage({ durationMs: 1000 }), { inputCostPerSecond: '0.01' });
    expect(o).toMatchObject({ source: 'override', unpriced: false });
    expect(usd(o)).toBe('0.01');
  });

  it('unpriced: cost 0 flagged, not silently free', () => {
    const r = resolve({ model: 'hosted_vllm/my-model', provider: 'hosted_vllm' });
    const c = priceUsage(r, usage({ inputTokens: 10, outputTokens: 10 }));
    expect(c).toMatchObject({ costUsd: 0n, unpriced: true, source: 'unpriced', lines: [] });
    expect(explainCost(c)).toMatch(/UNPRICED/);
  });

  it('a free model (price 0) is priced, not unpriced', () => {
    const c = priceUsage(
      resolve({ model: 'ollama/llama3.2', provider: 'ollama' }),
      usage({ inputTokens: 10, outputTokens: 10 }),
    );
    expect(c.unpriced).toBe(false);
    expect(usd(c)).toBe('0');
  });

  it('costToJSON uses exact decimal strings; explainCost is one line with source, unit prices, tokens, amounts, total', () => {
    const c = priceUsage(
      resolve({ model: 'gpt-4o' }),
      usage({ inputTokens: 1000, cacheReadTokens: 200, outputTokens: 500 }),
    );
    const j = costToJSON(c);
    expect(j).toEqual({
      costUsd: '0.00725',
      source: 'catalog:gpt-4o@2025-01-01',
      unpriced: false,
      tier: null,
      lines: [
        {
          kind: 'input',
          quantity: 800,
          unit: 'token',
          priceKey: 'input_cost_per_token',
          unitPrice: '0.0000025',
          amount: '0.002',
        },
        {
          kind: 'cache_read',
          quantity: 200,
          unit: 'token',
          priceKey: 'cache_read_input_token_cost',
          unitPrice: '0.00000125',
          amount: '0.00025',
        },
        {
          kind: 'output',
          quantity: 500,
          unit: 'token',
          priceKey: 'output_cost_per_token',
          unitPrice: '0.00001',
          amount: '0.005',
        },
      ],
      unitPrices: {
        input_cost_per_token: '0.0000025',
        cache_read_input_token_cost: '0.00000125',
        output_cost_per_token: '0.00001',
      },
      serviceTier: null,
      batch: false,
      unpricedParts: [],
      priceVersion: null,
    });
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    const e = explainCost(c);
    expect(e).not.toContain('\n');
    expect(e).toBe(
      'cost 0.00725 USD source=catalog:gpt-4o@2025-01-01 tier=base | input 800 token × 0.0000025 (input_cost_per_token) = 0.002 | cache_read 200 token × 0.00000125 (cache_read_input_token_cost) = 0.00025 | output 500 token × 0.00001 (output_cost_per_token) = 0.005',
    );
  });

  it('unit prices are shared frozen objects per tier (spend log copy is safe)', () => {
    const r = resolve({ model: 'gpt-4o' });
    const a = priceUsage(r, usage({ inputTokens: 1 }));
    expect(Object.isFrozen(a.unitPrices)).toBe(true);
  });
});
