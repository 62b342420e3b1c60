import { describe, expect, it } from 'vitest';
import { parseCatalog, parseMoney, type ResolvedPricing } from '../pricing/index.js';
import {
  describeCatalogChange,
  diffResolvedPrices,
  formatChange,
  LARGE_CHANGE_MODELS,
  summarizeChange,
} from './catalog-change.js';

const AT = new Date('2026-03-04T05:06:07Z');
const cat = (entries: Record<string, unknown>, snapshot = '2026-01-01') =>
  parseCatalog(entries, { source: 'test', snapshot }).catalog;
const chat = (input: number, output: number) => ({
  litellm_provider: 'openai',
  input_cost_per_token: input,
  output_cost_per_token: output,
});

function models(n: number, input: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[`m${String(i).padStart(2, '0')}`] = chat(input, 2e-6);
  return out;
}

describe('describeCatalogChange', () => {
  it('counts models added, removed and re-priced; exact before → after', () => {
    const before = cat({ a: chat(1e-6, 2e-6), b: chat(3e-6, 4e-6), gone: chat(1e-6, 1e-6) });
    const after = cat({ a: chat(1e-6, 2e-6), b: chat(2.5e-6, 4e-6), fresh: chat(1e-7, 1e-7) }, '2026-03-04');
    const c = describeCatalogChange(before, after, AT);
    expect(c).toMatchObject({
      at: '2026-03-04T05:06:07.000Z',
      from: { source: 'test', snapshot: '2026-01-01', models: 3 },
      to: { source: 'test', snapshot: '2026-03-04', models: 3 },
      affectedModels: 2, // gone (removed) + b (re-priced); a is untouched, fresh is only added
      large: false,
    });
    expect(c.diff.priceChanges).toEqual([
      { model: 'b', key: 'input_cost_per_token', before: '0.000003', after: '0.0000025' },
    ]);
    expect(summarizeChange(c)).toBe('+1 models, -1 models, 1 prices changed in 1 models');
    expect(formatChange(c).split('\n')).toEqual([
      'price catalog test (snapshot 2026-01-01, 3 models) → test (snapshot 2026-03-04, 3 models) at 2026-03-04T05:06:07.000Z',
      'models added: 1',
      '  + fresh',
      'models removed: 1',
      '  - gone',
      'prices changed: 1',
      '  ~ b input_cost_per_token: 0.000003 → 0.0000025',
    ]);
  });

  it(`is large from ${LARGE_CHANGE_MODELS} models re-priced or removed`, () => {
    const base = models(40, 1e-6);
    const reprice = (n: number) => {
      const next = { ...base };
      for (let i = 0; i < n; i++) next[`m${String(i).padStart(2, '0')}`] = chat(2e-6, 2e-6);
      return cat(next);
    };
    expect(describeCatalogChange(cat(base), reprice(LARGE_CHANGE_MODELS - 1), AT).large).toBe(false);
    expect(describeCatalogChange(cat(base), reprice(LARGE_CHANGE_MODELS), AT).large).toBe(true);
    const removed = cat(models(40 - LARGE_CHANGE_MODELS, 1e-6));
    expect(describeCatalogChange(cat(base), removed, AT)).toMatchObject({ affectedModels: 25, large: true });
  });
});

describe('diffResolvedPrices', () => {
  const pricing = (prices: Record<string, string>): ResolvedPricing => ({
    source: 'catalog:x@d',
    entryKey: 'x',
    prices: Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, parseMoney(v)])),
    origins: {},
    unpriced: false,
    mode: 'chat',
    maxInputTokens: null,
    maxOutputTokens: null,
    warnings: [],
  });

  it('lists only keys whose price moved, appeared or went away', () => {
    const before = pricing({ input_cost_per_token: '0.0000025', output_cost_per_token: '0.00001' });
    const after = pricing({
      input_cost_per_token: '0.000002',
      output_cost_per_token: '0.00001',
      cache_read_input_token_cost: '0.0000005',
    });
    expect(diffResolvedPrices(before, after)).toEqual([
      { key: 'cache_read_input_token_cost', before: null, after: '0.0000005' },
      { key: 'input_cost_per_token', before: '0.0000025', after: '0.000002' },
    ]);
    expect(diffResolvedPrices(after, after)).toEqual([]);
  });
});
