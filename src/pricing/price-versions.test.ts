import { describe, expect, it } from 'vitest';
import { builtinCatalog, builtinSnapshots, registerBuiltinVersions } from './builtin-catalog.js';
import { applyDelta, canonicalJson, snapshotDelta } from './catalog-snapshots.js';
import { priceUsage } from './cost.js';
import { createDatedPricing } from './dated-pricing.js';
import { formatMoney } from './money.js';
import { PriceVersionRegistry } from './price-versions.js';
import { emptyUsage } from './usage.js';

const entry = (input: number, output: number) => ({
  litellm_provider: 'openai',
  mode: 'chat',
  input_cost_per_token: input,
  output_cost_per_token: output,
});
const T = (s: string) => Date.parse(s);

function registry() {
  const r = new PriceVersionRegistry();
  r.registerVersion({
    id: 'v1',
    source: 'test',
    effectiveFrom: '2025-01-01',
    entries: { 'm-a': entry(0.000001, 0.000002), 'm-b': entry(0.00001, 0.00002) },
    mode: 'replace',
  });
  return r;
}

describe('PriceVersionRegistry', () => {
  it('a request is priced by the version in effect at its start time; effectiveTo is the next start', () => {
    const r = registry();
    const v2 = r.registerVersion({
      source: 'https://example.test/map.json',
      fetchedAt: '2025-03-01T09:00:00Z',
      effectiveFrom: '2025-03-01T12:00:00Z',
      entries: { 'm-a': entry(0.000003, 0.000004) },
      kind: 'costmap',
      tag: 'abc12345',
    }).version;
    expect(v2.id).toBe('costmap@2025-03-01T12:00:00.000Z#abc12345');
    expect(r.at(T('2025-03-01T11:59:59.999Z')).id).toBe('v1');
    expect(r.at(T('2025-03-01T12:00:00Z')).id).toBe(v2.id);
    // Overlay: m-b keeps its v1 price in v2.
    expect(v2.catalog.get('m-b')?.input_cost_per_token).toBe(0.00001);
    expect(v2.catalog.get('m-a')?.input_cost_per_token).toBe(0.000003);
    expect(v2.catalog.versionId).toBe(v2.id);
    expect(r.list().map((v) => [v.id, v.effectiveFrom, v.effectiveTo])).toEqual([
      ['v1', '2025-01-01T00:00:00.000Z', '2025-03-01T12:00:00.000Z'],
      [v2.id, '2025-03-01T12:00:00.000Z', null],
    ]);
    // Before the oldest version: the oldest applies.
    expect(r.at(T('2020-01-01')).id).toBe('v1');
  });

  it('a bounded version (effectiveTo) applies inside its window only', () => {
    const r = registry();
    r.registerVersion({
      id: 'promo',
      source: 'promo',
      effectiveFrom: '2025-02-01',
      effectiveTo: '2025-02-15',
      entries: { 'm-a': entry(0, 0) },
    });
    expect(r.at(T('2025-02-10')).id).toBe('promo');
    expect(r.at(T('2025-02-15')).id).toBe('v1');
  });

  it('idempotent by id; bad input rejected; invalid entries skipped with a warning', () => {
    const r = registry();
    const a = r.registerVersion({
      id: 'x',
      source: 's',
      effectiveFrom: '2025-05-01',
      entries: { 'm-a': entry(1e-6, 1e-6) },
    });
    const b = r.registerVersion({ id: 'x', source: 's', effectiveFrom: '2025-06-01', entries: {} });
    expect(b.version).toBe(a.version);
    expect(r.size).toBe(2);
    expect(() => r.registerVersion({ source: 's', effectiveFrom: 'soon', entries: {} })).toThrow(
      /not a date/,
    );
    expect(() =>
      r.registerVersion({ source: 's', effectiveFrom: '2025-02-01', effectiveTo: '2025-01-01', entries: {} }),
    ).toThrow(/must be after/);
    const w = r.registerVersion({
      source: 's',
      effectiveFrom: '2025-07-01',
      entries: { bad: { input_cost_per_token: 'abc' } },
    }).warnings;
    expect(w[0]).toMatch(/"bad" skipped/);
  });
});

describe('createDatedPricing', () => {
  it('prices 1000 input tokens at the version of the request’s day: 0.001 in January, 0.003 after March 1', () => {
    const r = registry();
    r.registerVersion({
      id: 'v2',
      source: 's',
      effectiveFrom: '2025-03-01',
      entries: { 'm-a': entry(0.000003, 0) },
    });
    const d = createDatedPricing({ name: 'd', model: 'm-a', provider: 'openai' }, r, T('2025-04-01'));
    const u = { ...emptyUsage(), inputTokens: 1000 };
    const jan = priceUsage(d.at(T('2025-01-15')), u); // 1000 × 0.000001
    const apr = priceUsage(d.at(T('2025-04-15')), u); // 1000 × 0.000003
    expect([formatMoney(jan.costUsd), jan.priceVersion]).toEqual(['0.001', 'v1']);
    expect([formatMoney(apr.costUsd), apr.priceVersion]).toEqual(['0.003', 'v2']);
    expect(d.current.priceVersion).toBe('v2');
    expect(d.at(T('2025-04-20'))).toBe(d.at(T('2025-05-01'))); // cached per version
  });

  it('config prices with effective_from apply from that instant; before it the catalog price', () => {
    const r = registry();
    const d = createDatedPricing(
      {
        name: 'd',
        model: 'm-a',
        provider: 'openai',
        customPricing: { input_cost_per_token: '0.000005' },
        pricesEffectiveFrom: '2025-06-01T00:00:00Z',
      },
      r,
      T('2025-07-01'),
    );
    const u = { ...emptyUsage(), inputTokens: 1000 };
    const before = priceUsage(d.at(T('2025-05-31T23:59:59Z')), u); // catalog: 1000 × 0.000001
    const after = priceUsage(d.at(T('2025-06-01T00:00:00Z')), u); // custom: 1000 × 0.000005
    expect([formatMoney(before.costUsd), before.priceVersion]).toEqual(['0.001', 'v1']);
    expect([formatMoney(after.costUsd), after.priceVersion]).toEqual([
      '0.005',
      'v1+config@2025-06-01T00:00:00Z',
    ]);
  });
});

describe('built-in snapshots', () => {
  it('builtin.json is the first dated version; the latest snapshot is builtinCatalog()', () => {
    const s = builtinSnapshots();
    expect(s[0]).toMatchObject({ date: '2025-11-21', versionId: 'builtin@2025-11-21' });
    expect(s[s.length - 1].catalog).toBe(builtinCatalog());
    const r = new PriceVersionRegistry();
    registerBuiltinVersions(r);
    expect(r.at(T('2025-12-01')).id).toBe(s[s.length - 1].versionId);
  });

  it('deltas keep only changed entries and rebuild the next snapshot exactly', () => {
    const prev = { a: { x: 1, y: 2 }, b: { x: 1 }, gone: { x: 0 } };
    const next = { a: { y: 2, x: 1 }, b: { x: 2 }, c: { x: 3 } };
    const d = snapshotDelta(prev, next, '2026-01-01');
    expect(d).toEqual({ date: '2026-01-01', changed: { b: { x: 2 }, c: { x: 3 } }, removed: ['gone'] });
    expect(canonicalJson(applyDelta(prev, d))).toBe(canonicalJson(next));
    expect(prev).toHaveProperty('gone'); // history untouched
  });
});
