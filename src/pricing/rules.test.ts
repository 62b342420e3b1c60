/**
 * The cost rules LiteLLM applies beyond input × price + output × price, each against a hand calculation:
 * service tiers, Anthropic cache writes by TTL, fine-tuned names, batch prices, Azure by response model and
 * unpriced parts (never a silent $0).
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './builtin-catalog.js';
import { parseCatalog } from './catalog.js';
import { type Cost, priceUsage } from './cost.js';
import { costToJSON, explainCost } from './explain.js';
import { formatMoney } from './money.js';
import { resolvePricing, resolveResponseModel } from './resolve.js';
import { emptyUsage, type Usage } from './usage.js';

const builtin = builtinCatalog();
const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
const usd = (c: Cost) => formatMoney(c.costUsd);
const line = (c: Cost, kind: string) => c.lines.find((l) => l.kind === kind);
const price = (model: string, provider: string, u: Partial<Usage>, catalog = builtin) =>
  priceUsage(resolvePricing({ name: 'd', model, provider }, catalog), usage(u));

describe('service_tier: flex / priority keys for input, output and cache read', () => {
  it('gpt-5 flex: 8000 × 0.000000625 + 2000 × 0.0000000625 + 1000 × 0.000005 = 0.010125', () => {
    // input 0.005 + cache read 0.000125 + output 0.005
    const c = price('openai/gpt-5', 'openai', {
      inputTokens: 10_000,
      cacheReadTokens: 2000,
      outputTokens: 1000,
      serviceTier: 'flex',
    });
    expect(usd(c)).toBe('0.010125');
    expect(c.serviceTier).toBe('flex');
    expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token_flex');
    expect(line(c, 'cache_read')?.priceKey).toBe('cache_read_input_token_cost_flex');
    expect(line(c, 'output')?.priceKey).toBe('output_cost_per_token_flex');
    expect(c.unitPrices).toEqual({
      input_cost_per_token_flex: '0.000000625',
      cache_read_input_token_cost_flex: '0.0000000625',
      output_cost_per_token_flex: '0.000005',
    });
    expect(explainCost(c)).toContain('service_tier=flex');
  });

  it('gpt-4o priority (and LiteLLM’s alias "fast"): 1000 × 0.00000425 + 100 × 0.000017 = 0.00595', () => {
    for (const tier of ['priority', 'PRIORITY', 'fast']) {
      const c = price('gpt-4o', 'openai', { inputTokens: 1000, outputTokens: 100, serviceTier: tier });
      expect(usd(c)).toBe('0.00595'); // 0.00425 + 0.0017
      expect(c.serviceTier).toBe('priority');
    }
  });

  it('a tier the model has no price for falls back to the standard price, noted', () => {
    // gpt-4o has no _flex keys: 1000 × 0.0000025 + 100 × 0.00001 = 0.0035
    const c = price('gpt-4o', 'openai', { inputTokens: 1000, outputTokens: 100, serviceTier: 'flex' });
    expect(usd(c)).toBe('0.0035');
    expect(line(c, 'input')?.note).toMatch(/no flex price \(input_cost_per_token_flex\).*standard price/);
    expect(line(c, 'output')?.note).toMatch(/no flex price/);
  });

  it('default / auto / scale / standard are the standard price, no tier recorded', () => {
    for (const tier of ['default', 'auto', 'scale', 'standard']) {
      const c = price('gpt-4o', 'openai', { inputTokens: 1000, serviceTier: tier });
      expect(usd(c)).toBe('0.0025'); // 1000 × 0.0000025
      expect(c.serviceTier).toBeNull();
    }
  });
});

describe('Anthropic cache writes by TTL', () => {
  it('claude-haiku-4-5: 5-minute and 1-hour writes at their own catalog prices', () => {
    // 100 uncached × 0.000001 = 0.0001; 1000 (5m) × 0.00000125 = 0.00125; 2000 (1h) × 0.000002 = 0.004;
    // 50 output × 0.000005 = 0.00025 → 0.0056
    const c = price('anthropic/claude-haiku-4-5', 'anthropic', {
      inputTokens: 3100,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 2000,
      outputTokens: 50,
    });
    expect(usd(c)).toBe('0.0056');
    expect(line(c, 'cache_write')?.quantity).toBe(1000);
    expect(line(c, 'cache_write_1h')).toMatchObject({
      quantity: 2000,
      priceKey: 'cache_creation_input_token_cost_above_1hr',
    });
    expect(line(c, 'cache_write_1h')?.note).toBeUndefined();
    expect(c.unitPrices.cache_creation_input_token_cost_above_1hr).toBe('0.000002');
  });

  it('claude-sonnet-4-5 has no 1-hour price: 2× the input price (Anthropic’s rule), flagged — never the 5-minute price', () => {
    // 100 × 0.000003 = 0.0003; 1000 (5m) × 0.00000375 = 0.00375; 2000 (1h) × 0.000006 = 0.012;
    // 50 × 0.000015 = 0.00075 → 0.0168
    const c = price('anthropic/claude-sonnet-4-5', 'anthropic', {
      inputTokens: 3100,
      cacheWriteTokens: 3000,
      cacheWrite1hTokens: 2000,
      outputTokens: 50,
    });
    expect(usd(c)).toBe('0.0168');
    const l = line(c, 'cache_write_1h');
    expect(formatMoney(l?.unitPrice ?? 0n)).toBe('0.000006');
    expect(l?.note).toMatch(/no 1-hour cache write price.*2× the input price \(input_cost_per_token\)/);
    expect(explainCost(c)).toContain('cache_write_1h 2000 token × 0.000006');
  });

  it('no 1-hour count reported: every write is a 5-minute write (as before)', () => {
    // 1000 × 0.00000375 = 0.00375
    const c = price('anthropic/claude-sonnet-4-5', 'anthropic', {
      inputTokens: 1000,
      cacheWriteTokens: 1000,
    });
    expect(usd(c)).toBe('0.00375');
    expect(line(c, 'cache_write_1h')).toBeUndefined();
  });
});

describe('fine-tuned OpenAI names', () => {
  it('ft:gpt-4o-mini-2024-07-18:org:suffix:id → the ft:gpt-4o-mini-2024-07-18 entry', () => {
    // 1000 × 0.0000003 + 1000 × 0.0000012 = 0.0015
    const r = resolvePricing(
      {
        name: 'ft',
        model: 'openai/ft:gpt-4o-mini-2024-07-18:my-org:custom-suffix:abc123',
        provider: 'openai',
      },
      builtin,
    );
    expect(r.entryKey).toBe('ft:gpt-4o-mini-2024-07-18');
    const c = priceUsage(r, usage({ inputTokens: 1000, outputTokens: 1000 }));
    expect(usd(c)).toBe('0.0015');
    expect(c.warnings).toEqual([]);
  });

  it('no ft: entry → the base model, flagged on every cost', () => {
    const { catalog } = parseCatalog(
      {
        'gpt-4o-mini-2024-07-18': {
          litellm_provider: 'openai',
          mode: 'chat',
          input_cost_per_token: 1.5e-7,
          output_cost_per_token: 6e-7,
        },
      },
      { source: 'test', snapshot: '2025-01-01' },
    );
    const r = resolvePricing(
      { name: 'ft', model: 'ft:gpt-4o-mini-2024-07-18:org::id9', provider: 'openai' },
      catalog,
    );
    expect(r.entryKey).toBe('gpt-4o-mini-2024-07-18');
    expect(r.warnings[0]).toMatch(/fine-tuned model .* priced at its base model "gpt-4o-mini-2024-07-18"/);
    const c = priceUsage(r, usage({ inputTokens: 1000, outputTokens: 1000 }));
    expect(usd(c)).toBe('0.00075'); // 1000 × 0.00000015 + 1000 × 0.0000006
    expect(c.warnings[0]).toMatch(/fine-tuned/);
    expect(explainCost(c)).toMatch(/WARNING: fine-tuned/);
    expect(costToJSON(c).warnings).toEqual(c.warnings);
  });
});

describe('batch prices (for calls that arrive through a batch)', () => {
  it('the *_batches keys: 1000 × 0.00000125 + 1000 × 0.000005 = 0.00625', () => {
    const c = price('gpt-4o-2024-08-06', 'openai', { inputTokens: 1000, outputTokens: 1000, batch: true });
    expect(usd(c)).toBe('0.00625');
    expect(c.batch).toBe(true);
    expect(line(c, 'input')?.priceKey).toBe('input_cost_per_token_batches');
    expect(explainCost(c)).toContain(' batch');
  });

  it('no batch keys: 50% of the standard price, noted; Anthropic’s service_tier "batch" means batch', () => {
    // claude-sonnet-4-5: 1000 × 0.0000015 + 1000 × 0.0000075 = 0.009
    for (const u of [{ batch: true }, { serviceTier: 'batch' }]) {
      const c = price('anthropic/claude-sonnet-4-5', 'anthropic', {
        inputTokens: 1000,
        outputTokens: 1000,
        ...u,
      });
      expect(usd(c)).toBe('0.009');
      expect(line(c, 'input')?.note).toMatch(/no batch price \(input_cost_per_token_batches\), 50%/);
    }
  });
});

describe('Azure without base_model: priced by the response model, with a warning', () => {
  it('gpt-4o-2024-08-06 reported by Azure → azure/gpt-4o-2024-08-06: 1000 × 0.0000025 = 0.0025', () => {
    const r = resolveResponseModel('gpt-4o-2024-08-06', 'azure', builtin);
    expect(r?.entryKey).toBe('azure/gpt-4o-2024-08-06');
    const c = priceUsage(r!, usage({ inputTokens: 1000 }));
    expect(usd(c)).toBe('0.0025');
    expect(c.source).toBe('response_model:gpt-4o-2024-08-06');
    expect(c.warnings[0]).toMatch(/without base_model.*set model_info\.base_model/);
    expect(explainCost(c)).toContain('WARNING: Azure deployment without base_model');
  });
});

describe('unpriced parts: a class with tokens and no price is flagged, never silently free', () => {
  const { catalog } = parseCatalog(
    {
      'input-only': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 0.000001 },
      'img-nosize': { litellm_provider: 'openai', mode: 'image_generation', output_cost_per_image: null },
    },
    { source: 'test', snapshot: '2025-01-01' },
  );

  it('output tokens without an output price: input billed, output listed with the reason', () => {
    // 100 × 0.000001 = 0.0001; 10 output tokens unpriced
    const c = price(
      'input-only',
      'openai',
      { inputTokens: 100, outputTokens: 10, reasoningTokens: 4 },
      catalog,
    );
    expect(usd(c)).toBe('0.0001');
    // the 4 reasoning tokens are part of the 10 output tokens and share their (missing) price
    expect(c.unpricedParts).toEqual([
      { kind: 'output', quantity: 10, unit: 'token', reason: 'no output_cost_per_token in the price set' },
    ]);
    expect(explainCost(c)).toContain(
      'UNPRICED PARTS: output 10 token (no output_cost_per_token in the price set)',
    );
    expect(costToJSON(c).unpricedParts).toHaveLength(1);
  });

  it('an unpriced deployment lists every class it had', () => {
    const c = price(
      'nowhere-model',
      'openai',
      {
        inputTokens: 300,
        cacheReadTokens: 100,
        cacheWriteTokens: 50,
        cacheWrite1hTokens: 20,
        outputTokens: 40,
      },
      catalog,
    );
    expect(c.unpriced).toBe(true);
    expect(c.unpricedParts.map((p) => [p.kind, p.quantity])).toEqual([
      ['input', 150],
      ['cache_read', 100],
      ['cache_write', 30],
      ['cache_write_1h', 20],
      ['output', 40],
    ]);
    expect(c.unpricedParts[0].reason).toMatch(/no price for this deployment/);
  });

  it('images without any per-image or per-pixel price are flagged', () => {
    const c = price('img-nosize', 'openai', { images: { count: 2, size: '1024x1024' } }, catalog);
    expect(c.unpricedParts).toEqual([
      {
        kind: 'image',
        quantity: 2,
        unit: 'image',
        reason: 'no per-image or per-pixel price for this size/quality',
      },
    ]);
  });

  it('audio tokens without their own price are billed at the text price, and the line says so', () => {
    // gpt-4o has no audio keys: 1000 × 0.0000025 = 0.0025, of which 100 are audio tokens
    const c = price('gpt-4o', 'openai', { inputTokens: 1000, audioInputTokens: 100 });
    expect(usd(c)).toBe('0.0025');
    expect(line(c, 'input')?.note).toMatch(/includes 100 audio tokens at the text input price/);
    expect(c.unpricedParts).toEqual([]);
  });

  it('a per-second deployment’s tokens are billed by time, not flagged', () => {
    const r = resolvePricing(
      {
        name: 's',
        model: 'sagemaker/x',
        provider: 'sagemaker',
        customPricing: { input_cost_per_second: '0.00042' },
      },
      builtin,
    );
    const c = priceUsage(r, usage({ inputTokens: 100, outputTokens: 100, durationMs: 1000 }));
    expect(usd(c)).toBe('0.00042'); // 1 s × 0.00042
    expect(c.unpricedParts).toEqual([]);
  });
});
