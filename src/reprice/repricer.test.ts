import { describe, expect, it } from 'vitest';
import { formatMoney, PriceVersionRegistry, registerBuiltinVersions } from '../pricing/index.js';
import { createRepricer, type StoredRow, storedUsage } from './repricer.js';

const row = (over: Partial<StoredRow>): StoredRow => ({
  request_id: 'r',
  start_ms: Date.UTC(2025, 11, 1),
  deployment_id: 'dep',
  model: 'openai/gpt-4o',
  provider: 'openai',
  pricing_source: 'catalog:gpt-4o@2025-11-21',
  price_version: 'builtin@2025-11-21',
  spend: '0',
  usage: null,
  prompt_tokens: 1000,
  completion_tokens: 100,
  cache_read_tokens: 200,
  cache_creation_tokens: 0,
  reasoning_tokens: 0,
  duration_ms: 10,
  ...over,
});
const versions = () => {
  const v = new PriceVersionRegistry();
  registerBuiltinVersions(v);
  return v;
};

describe('storedUsage', () => {
  it('uses the stored normalised usage (1-hour writes, tier, batch, images) when the row has it', () => {
    const u = storedUsage(
      row({
        usage: {
          inputTokens: 10,
          cacheWriteTokens: 5,
          cacheWrite1hTokens: 3,
          outputTokens: 2,
          serviceTier: 'flex',
          batch: true,
          images: { count: 1, size: '1024x1024' },
          durationMs: 7,
        },
      }),
    );
    expect(u).toMatchObject({
      inputTokens: 10,
      cacheWrite1hTokens: 3,
      serviceTier: 'flex',
      batch: true,
      durationMs: 7,
    });
    expect(u.images).toEqual({ count: 1, size: '1024x1024' });
  });

  it('older rows: the token columns', () => {
    expect(storedUsage(row({}))).toMatchObject({
      inputTokens: 1000,
      outputTokens: 100,
      cacheReadTokens: 200,
    });
  });
});

describe('createRepricer', () => {
  it('prices a catalog row by its model: 800 × 0.0000025 + 200 × 0.00000125 + 100 × 0.00001 = 0.00325', () => {
    // 0.002 + 0.00025 + 0.001
    const out = createRepricer({ versions: versions(), targets: new Map() }).price(row({}));
    expect(out.kind).toBe('priced');
    if (out.kind === 'priced') {
      expect(out.spend).toBe('0.00325');
      expect(out.cost.priceVersion).toBe('builtin@2025-11-21');
    }
  });

  it('a config deployment is priced with its custom prices (1000 × 0.00001 + 100 × 0.00002 = 0.012)', () => {
    const targets = new Map([
      [
        'dep',
        {
          name: 'd',
          model: 'openai/gpt-4o',
          provider: 'openai',
          customPricing: { input_cost_per_token: '0.00001', output_cost_per_token: '0.00002' },
        },
      ],
    ]);
    const out = createRepricer({ versions: versions(), targets }).price(row({ cache_read_tokens: 0 }));
    expect(out.kind === 'priced' && formatMoney(out.cost.costUsd)).toBe('0.012');
  });

  it('custom-priced rows of an unknown deployment are skipped; response-model rows priced by that model', () => {
    const r = createRepricer({ versions: versions(), targets: new Map() });
    expect(r.price(row({ pricing_source: 'custom+catalog:x' }))).toMatchObject({ kind: 'skipped' });
    const azure = r.price(
      row({
        model: 'azure/my-deployment',
        provider: 'azure',
        pricing_source: 'response_model:gpt-4o-2024-08-06',
        cache_read_tokens: 0,
      }),
    );
    // azure/gpt-4o-2024-08-06: 1000 × 0.0000025 + 100 × 0.00001 = 0.0035, with the base_model warning
    expect(azure.kind === 'priced' && azure.spend).toBe('0.0035');
    expect(azure.kind === 'priced' && azure.cost.warnings[0]).toMatch(/base_model/);
  });
});
