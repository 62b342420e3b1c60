import { describe, expect, it } from 'vitest';
import { miniCatalog } from './__fixtures__/mini-catalog.js';
import { builtinCatalog } from './builtin-catalog.js';
import { providerCompatible } from './model-names.js';
import { formatMoney } from './money.js';
import { PricingError, resolvePricing, resolveResponseModel } from './resolve.js';

const cat = miniCatalog();
const text = (r: { prices: Readonly<Record<string, bigint>> }, k: string) =>
  r.prices[k] === undefined ? undefined : formatMoney(r.prices[k]);

describe('resolvePricing: rule 3, model name', () => {
  it('exact key, with and without provider prefix', () => {
    for (const model of ['gpt-4o', 'openai/gpt-4o']) {
      const r = resolvePricing({ name: 'd', model, provider: 'openai' }, cat);
      expect(r.source).toBe('catalog:gpt-4o@2025-01-01');
      expect(r.entryKey).toBe('gpt-4o');
      expect(text(r, 'input_cost_per_token')).toBe('0.0000025');
      expect(r.origins.input_cost_per_token).toBe('catalog:gpt-4o');
      expect(r.unpriced).toBe(false);
      expect(r.mode).toBe('chat');
      expect(r.maxInputTokens).toBe(128000);
      expect(r.maxOutputTokens).toBe(16384);
      expect(r.warnings).toEqual([]);
    }
  });

  it('anthropic/ prefix → bare key of the same provider', () => {
    const r = resolvePricing(
      { name: 'c', model: 'anthropic/claude-3-5-sonnet-20241022', provider: 'anthropic' },
      cat,
    );
    expect(r.entryKey).toBe('claude-3-5-sonnet-20241022');
  });

  it('lowercase normalisation', () => {
    const r = resolvePricing({ name: 'x', model: 'openai/GPT-4o', provider: 'openai' }, cat);
    expect(r.entryKey).toBe('gpt-4o');
  });

  it('bedrock: plain, cross-region, region path, missing version suffix, ARN, converse route', () => {
    const cases: Array<[string, string]> = [
      ['bedrock/anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
      ['bedrock/anthropic.claude-3-5-sonnet-20241022-v2', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
      [
        'bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0',
        'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      ],
      ['bedrock/eu.anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
      [
        'bedrock/converse/anthropic.claude-3-5-sonnet-20241022-v2:0',
        'anthropic.claude-3-5-sonnet-20241022-v2:0',
      ],
      [
        'bedrock/us-gov-east-1/anthropic.claude-3-5-sonnet-20241022-v2:0',
        'bedrock/us-gov-east-1/anthropic.claude-3-5-sonnet-20241022-v2:0',
      ],
      [
        'bedrock/us-west-2/anthropic.claude-3-5-sonnet-20241022-v2:0',
        'anthropic.claude-3-5-sonnet-20241022-v2:0',
      ],
      [
        'bedrock/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20241022-v2:0',
        'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
      ],
    ];
    for (const [model, key] of cases) {
      expect(resolvePricing({ name: 'b', model, provider: 'bedrock' }, cat).entryKey, model).toBe(key);
    }
  });

  it('a bare name of another provider is not used (self-hosted / resold models differ in price)', () => {
    const r = resolvePricing(
      { name: 'tg', model: 'together_ai/deepseek-chat', provider: 'together_ai' },
      cat,
    );
    expect(r.unpriced).toBe(true);
    expect(r.source).toBe('unpriced');
    expect(r.warnings.join()).toMatch(/found deepseek-chat \(provider deepseek\)/);
  });

  it('ollama_chat/ finds ollama/ keys', () => {
    expect(
      resolvePricing({ name: 'o', model: 'ollama_chat/llama3.2', provider: 'ollama_chat' }, cat).entryKey,
    ).toBe('ollama/llama3.2');
  });
});

describe('resolvePricing: Azure and base_model (rule 2)', () => {
  it('Azure deployment name without base_model → unpriced with the Azure warning', () => {
    const r = resolvePricing({ name: 'azure-gpt-3.5', model: 'azure/chatgpt-v-2', provider: 'azure' }, cat);
    expect(r.unpriced).toBe(true);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/azure-gpt-3\.5.*priced by the model name Azure returns.*base_model/);
  });

  it('Azure with base_model (the seed example) → that entry', () => {
    const r = resolvePricing(
      {
        name: 'azure-gpt-3.5',
        model: 'azure/chatgpt-v-2',
        provider: 'azure',
        baseModel: 'azure/gpt-4-1106-preview',
      },
      cat,
    );
    expect(r.source).toBe('base_model:azure/gpt-4-1106-preview');
    expect(r.entryKey).toBe('azure/gpt-4-1106-preview');
    expect(text(r, 'output_cost_per_token')).toBe('0.00003');
    expect(r.warnings).toEqual([]);
  });

  it('Azure with a deployment named like an azure/ key is priced by it', () => {
    expect(resolvePricing({ name: 'a', model: 'azure/gpt-4o', provider: 'azure' }, cat).entryKey).toBe(
      'azure/gpt-4o',
    );
  });

  it("Azure named like an OpenAI-only key uses OpenAI's entry with a warning", () => {
    const r = resolvePricing({ name: 'a', model: 'azure/o3-mini', provider: 'azure' }, cat);
    expect(r.entryKey).toBe('o3-mini');
    expect(r.warnings.join()).toMatch(/OpenAI's catalog entry "o3-mini"/);
  });

  it('base_model not in the catalog → PricingError naming it with close matches', () => {
    let err: unknown;
    try {
      resolvePricing(
        { name: 'x', model: 'azure/foo', provider: 'azure', baseModel: 'azure/gpt-4o-1106-preview' },
        cat,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PricingError);
    expect((err as PricingError).message).toMatch(
      /base_model "azure\/gpt-4o-1106-preview" is not in the price catalog/,
    );
    expect((err as PricingError).suggestions).toContain('azure/gpt-4-1106-preview');
    expect((err as PricingError).message).toMatch(/did you mean "azure\/gpt-4-1106-preview"/);
  });

  it('base_model wins over the model name', () => {
    const r = resolvePricing(
      { name: 'x', model: 'openai/gpt-4o', provider: 'openai', baseModel: 'o3-mini' },
      cat,
    );
    expect(r.entryKey).toBe('o3-mini');
  });
});

describe('resolvePricing: custom pricing (rule 1)', () => {
  it('only custom keys, model not in the catalog → source custom', () => {
    const r = resolvePricing(
      {
        name: 'azure-model',
        model: 'azure/my-deployment',
        provider: 'azure',
        customPricing: { input_cost_per_token: '0.000421', output_cost_per_token: '0.000520' },
      },
      cat,
    );
    expect(r.source).toBe('custom');
    expect(r.entryKey).toBeNull();
    expect(text(r, 'input_cost_per_token')).toBe('0.000421');
    expect(r.origins).toEqual({ input_cost_per_token: 'custom', output_cost_per_token: 'custom' });
    expect(r.warnings).toEqual([]);
  });

  it('partial override: given keys win one by one, the rest from the catalog', () => {
    const r = resolvePricing(
      {
        name: 'prod/claude',
        model: 'anthropic/claude-3-5-sonnet-20241022',
        provider: 'anthropic',
        customPricing: { input_cost_per_token: '0.000006' },
      },
      cat,
    );
    expect(r.source).toBe('custom+catalog:claude-3-5-sonnet-20241022@2025-01-01');
    expect(text(r, 'input_cost_per_token')).toBe('0.000006');
    expect(r.origins.input_cost_per_token).toBe('custom');
    expect(text(r, 'output_cost_per_token')).toBe('0.000015');
    expect(r.origins.output_cost_per_token).toBe('catalog:claude-3-5-sonnet-20241022');
    expect(text(r, 'cache_read_input_token_cost')).toBe('0.0000003');
  });

  it('override of every priced key → source custom', () => {
    const r = resolvePricing(
      {
        name: 'p',
        model: 'openai/o3-mini',
        provider: 'openai',
        customPricing: { input_cost_per_token: '0.00002', output_cost_per_token: '0.00004' },
      },
      cat,
    );
    expect(r.source).toBe('custom');
  });

  it('custom on top of base_model', () => {
    const r = resolvePricing(
      {
        name: 'p',
        model: 'azure/x',
        provider: 'azure',
        baseModel: 'azure/gpt-4o',
        customPricing: { output_cost_per_token: '1' },
      },
      cat,
    );
    expect(r.source).toBe('custom+base_model:azure/gpt-4o');
  });

  it('warns when a custom base price leaves a catalog tier price in place', () => {
    const r = resolvePricing(
      {
        name: 't',
        model: 'vertex_ai/tiered-200k',
        provider: 'vertex_ai',
        customPricing: { input_cost_per_token: '0.0000005' },
      },
      cat,
    );
    expect(r.warnings.join()).toMatch(/input_cost_per_token_above_200k_tokens still comes from the catalog/);
  });

  it('custom per-second price replaces the per-token prices of the entry', () => {
    const r = resolvePricing(
      {
        name: 's',
        model: 'openai/gpt-4o',
        provider: 'openai',
        customPricing: { input_cost_per_second: '0.01' },
      },
      cat,
    );
    expect(Object.keys(r.prices)).toEqual(['input_cost_per_second']);
    expect(r.warnings.join()).toMatch(/per-second pricing replaces/);
  });

  it('bad values → PricingError; unknown keys → warning with the nearest key', () => {
    for (const bad of ['abc', '-0.1', 'NaN', 'Infinity', '']) {
      expect(() =>
        resolvePricing(
          { name: 'b', model: 'x', provider: 'openai', customPricing: { input_cost_per_token: bad } },
          cat,
        ),
      ).toThrow(PricingError);
    }
    const r = resolvePricing(
      {
        name: 'b',
        model: 'x',
        provider: 'openai',
        customPricing: { input_cost_per_tokens: '0.1', output_cost_per_token: '0.2' },
      },
      cat,
    );
    expect(r.warnings.join()).toMatch(
      /unknown cost key "input_cost_per_tokens".*did you mean "input_cost_per_token"/,
    );
    expect(r.prices.input_cost_per_tokens).toBeUndefined();
  });

  it('a custom tiered key is accepted', () => {
    const r = resolvePricing(
      {
        name: 'b',
        model: 'x',
        provider: 'openai',
        customPricing: { input_cost_per_token_above_128k_tokens: '0.1' },
      },
      cat,
    );
    expect(r.warnings).toEqual([]);
  });
});

describe('unpriced (rule 5) and response model (rule 4)', () => {
  it('unpriced deployment warning names it', () => {
    const r = resolvePricing(
      { name: 'my-llama', model: 'hosted_vllm/llama-3-70b', provider: 'hosted_vllm' },
      cat,
    );
    expect(r).toMatchObject({ source: 'unpriced', unpriced: true, entryKey: null, mode: null });
    expect(r.warnings[0]).toMatch(/deployment "my-llama": no price for model "hosted_vllm\/llama-3-70b"/);
  });

  it('response model priced by the catalog for non-Azure providers', () => {
    const r = resolveResponseModel('gpt-4o', 'openai', cat);
    expect(r?.source).toBe('response_model:gpt-4o');
    expect(r?.entryKey).toBe('gpt-4o');
  });

  it('Azure: by the response model with a base_model warning (LiteLLM); null when not found; family respected', () => {
    const az = resolveResponseModel('gpt-4o', 'azure', cat);
    expect(az?.entryKey).toBe('azure/gpt-4o'); // the azure/ entry wins over OpenAI's
    expect(az?.source).toBe('response_model:gpt-4o');
    expect(az?.requestWarnings?.[0]).toMatch(
      /without base_model: priced by the response model "gpt-4o".*base_model/,
    );
    // No azure/ entry: OpenAI's entry of the same name, still flagged.
    expect(resolveResponseModel('o3-mini', 'azure', cat)?.entryKey).toBe('o3-mini');
    expect(resolveResponseModel('no-such-model', 'openai', cat)).toBeNull();
    expect(resolveResponseModel('deepseek-chat', 'together_ai', cat)).toBeNull();
    expect(resolveResponseModel('deepseek-chat', 'deepseek', cat)?.entryKey).toBe('deepseek-chat');
  });
});

describe('tiered_pricing ranges and image variants', () => {
  it('tiered_pricing becomes _above_Nk_tokens keys', () => {
    const r = resolvePricing({ name: 'q', model: 'dashscope/qwen-tiers', provider: 'dashscope' }, cat);
    expect(text(r, 'input_cost_per_token')).toBe('0.00000005');
    expect(text(r, 'input_cost_per_token_above_256k_tokens')).toBe('0.00000025');
    expect(text(r, 'output_cost_per_token_above_256k_tokens')).toBe('0.000002');
  });

  it('dall-e-3 has no own entry: priced by its size/quality variants', () => {
    const r = resolvePricing({ name: 'img', model: 'openai/dall-e-3', provider: 'openai' }, cat);
    expect(r.unpriced).toBe(false);
    expect(r.source).toBe('catalog:*/dall-e-3@2025-01-01');
    expect(Object.keys(r.imageVariants ?? {}).sort()).toEqual(['hd/1024x1024', 'standard/1024x1024']);
    const az = resolvePricing(
      {
        name: 'img',
        model: 'azure/dalle-test',
        provider: 'azure',
        baseModel: 'dall-e-3',
        mode: 'image_generation',
      },
      cat,
    );
    expect(az.imageVariants?.['hd/1024x1024']?.entryKey).toBe('hd/1024-x-1024/dall-e-3');
    const az2 = resolvePricing({ name: 'img', model: 'azure/dall-e-3', provider: 'azure' }, cat);
    expect(az2.imageVariants?.['hd/1024x1024']?.entryKey).toBe('azure/hd/1024-x-1024/dall-e-3');
  });
});

describe('built-in catalog', () => {
  it('is the reference snapshot without sample_spec', () => {
    const b = builtinCatalog();
    expect(b.size).toBe(1803);
    expect(b.snapshot).toBe('2025-11-21');
    expect(b.get('sample_spec')).toBeUndefined();
    expect(b.source).toBe('builtin:litellm@caddc6dd');
    expect(builtinCatalog()).toBe(b);
  });

  it('resolves the seeds’ models', () => {
    const b = builtinCatalog();
    expect(resolvePricing({ name: 'g', model: 'openai/gpt-4', provider: 'openai' }, b).entryKey).toBe(
      'gpt-4',
    );
    expect(
      resolvePricing(
        { name: 'a', model: 'azure/chatgpt-v-2', provider: 'azure', baseModel: 'azure/gpt-4-1106-preview' },
        b,
      ).entryKey,
    ).toBe('azure/gpt-4-1106-preview');
    const r = resolvePricing(
      { name: 'c', model: 'anthropic/claude-3-5-sonnet-20241022', provider: 'anthropic' },
      b,
    );
    expect(r.entryKey).toBe('claude-3-5-sonnet-20241022');
    expect(
      resolvePricing(
        { name: 's', model: 'bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0', provider: 'bedrock' },
        b,
      ).entryKey,
    ).toBe('us.anthropic.claude-sonnet-4-20250514-v1:0');
  });
});

describe('Bedrock, Cohere and long-tail names against the built-in catalog (the entries LiteLLM uses)', () => {
  const key = (model: string, provider: string) =>
    resolvePricing({ name: 't', model, provider }, builtinCatalog()).entryKey;

  it('cross-region inference profiles are priced by their own entry; route prefixes and regions are understood', () => {
    expect(key('bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'bedrock')).toBe(
      'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
    );
    expect(key('bedrock/converse/eu.anthropic.claude-3-haiku-20240307-v1:0', 'bedrock')).toBe(
      'eu.anthropic.claude-3-haiku-20240307-v1:0',
    );
    expect(key('bedrock/global.anthropic.claude-sonnet-4-20250514-v1:0', 'bedrock')).toBe(
      'global.anthropic.claude-sonnet-4-20250514-v1:0',
    );
    expect(key('bedrock/us-gov-west-1/anthropic.claude-3-haiku-20240307-v1:0', 'bedrock')).toBe(
      'bedrock/us-gov-west-1/anthropic.claude-3-haiku-20240307-v1:0',
    );
    expect(key('bedrock/amazon.titan-embed-text-v2:0', 'bedrock')).toBe('amazon.titan-embed-text-v2:0');
    expect(key('bedrock/cohere.embed-english-v3', 'bedrock')).toBe('cohere.embed-english-v3');
  });

  it('cohere/ and cohere_chat/ share the cohere entries; github/ may use any vendor entry; zhipu/ is zai', () => {
    expect(key('cohere/command-r-plus', 'cohere')).toBe('command-r-plus');
    expect(key('cohere_chat/command-r', 'cohere_chat')).toBe('command-r');
    expect(key('cohere/embed-english-v3.0', 'cohere')).toBe('embed-english-v3.0');
    expect(key('github/gpt-4o', 'github')).toBe('gpt-4o');
    expect(key('cerebras/llama3.1-8b', 'cerebras')).toBe('cerebras/llama3.1-8b');
    expect(providerCompatible('zhipu', 'zai')).toBe('yes');
    expect(providerCompatible('github', 'anthropic')).toBe('yes');
    expect(providerCompatible('cerebras', 'groq')).toBe('no');
  });
});
