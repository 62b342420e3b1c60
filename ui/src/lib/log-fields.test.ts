/**
 * Reading spend-log rows: unpriced and partly unpriced traffic is recognised (also from fields
 * newer gateways add), cost lines and price versions are read, long ids are shortened.
 */
import { describe, expect, it } from 'vitest';
import { type JsonObject, parseExactJson } from './exact-json';
import { costLines, priceVersion, shortId, sourceLabel, unpricedParts, unpricedState } from './log-fields';

const row = (json: string) => parseExactJson(json) as JsonObject;

describe('log fields', () => {
  it('flags unpriced and partly unpriced requests, never failures', () => {
    expect(unpricedState(row('{"status":"success","pricing_source":"unpriced","spend":0}'))).toBe('unpriced');
    expect(
      unpricedState(row('{"status":"success","pricing_source":"custom","cost_breakdown":{"unpriced":true}}')),
    ).toBe('unpriced');
    const partial = row(
      '{"status":"success","pricing_source":"catalog:x@1","unpriced_parts":[{"class":"audio_input","tokens":120,"reason":"no input_cost_per_audio_token"}]}',
    );
    expect(unpricedState(partial)).toBe('partial');
    expect(unpricedParts(partial)).toEqual([
      { class: 'audio_input', tokens: '120', reason: 'no input_cost_per_audio_token' },
    ]);
    expect(unpricedState(row('{"status":"failure","pricing_source":"unpriced"}'))).toBeNull();
    expect(unpricedState(row('{"status":"success","pricing_source":"custom"}'))).toBeNull();
  });

  it('reads cost lines exactly and the price version from either place', () => {
    const r = row(
      '{"cost_breakdown":{"lines":[{"kind":"input","quantity":800,"unit":"token","priceKey":"input_cost_per_token","unitPrice":"0.0000025","amount":"0.002"}],"priceVersion":"2025-11-21"}}',
    );
    expect(costLines(r)).toEqual([
      {
        kind: 'input',
        quantity: '800',
        unit: 'token',
        priceKey: 'input_cost_per_token',
        unitPrice: '0.0000025',
        amount: '0.002',
        note: null,
      },
    ]);
    expect(priceVersion(r)).toBe('2025-11-21');
    expect(priceVersion(row('{"price_version":"v7"}'))).toBe('v7');
    expect(priceVersion(row('{}'))).toBeNull();
  });

  it('shortens long ids and splits the pricing source', () => {
    expect(shortId('3f9a1c2e-5b7d-4e1f-9a0b-12c34d5e9b0d')).toBe('3f9a1c2e…9b0d');
    expect(shortId('req-1')).toBe('req-1');
    expect(sourceLabel('catalog:gpt-4o-mini@2025-11-21')).toEqual({
      short: 'catalog',
      full: 'catalog:gpt-4o-mini@2025-11-21',
    });
    expect(sourceLabel('custom')).toEqual({ short: 'custom', full: 'custom' });
  });
});
