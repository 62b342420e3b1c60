import { describe, expect, it } from 'vitest';
import { parseCostMapText, sha256Text } from './parse-cost-map.js';

const meta = { source: 'test', snapshot: '2026-01-02' };
const chat = (input: number) => ({ litellm_provider: 'openai', mode: 'chat', input_cost_per_token: input });

describe('parseCostMapText', () => {
  it("drops LiteLLM's non-model blocks and validates each entry like catalog:update", () => {
    const text = JSON.stringify({
      sample_spec: { input_cost_per_token: 'USD per prompt token' },
      fallback_generalizations: { rules: [{ name: 'r', pattern: '^x' }] },
      good: chat(1e-6),
      negative: chat(-1),
      words: { input_cost_per_token: 'cheap' },
    });
    const p = parseCostMapText(text, meta);
    expect([...p.entries.keys()]).toEqual(['good']);
    expect(p.entries.snapshot).toBe('2026-01-02');
    expect(p.invalidKeys).toEqual(['negative', 'words']);
    expect(p.warnings).toEqual([
      'cost map entry "negative" skipped: input_cost_per_token is negative (-1)',
      'cost map entry "words" skipped: input_cost_per_token is not a decimal number ("cheap")',
    ]);
    expect(p.sha256).toBe(sha256Text(text));
  });

  it('summarises after five invalid entries', () => {
    const map: Record<string, unknown> = { ok: chat(1e-6) };
    for (let i = 0; i < 8; i++) map[`bad${i}`] = chat(-1);
    const p = parseCostMapText(JSON.stringify(map), meta);
    expect(p.warnings).toHaveLength(6);
    expect(p.warnings[5]).toBe('… and 3 more invalid entries skipped');
    expect(p.invalidKeys).toHaveLength(8);
  });

  it('expands `aliases` into entries of their own; a real entry of that name wins', () => {
    const p = parseCostMapText(
      JSON.stringify({
        'model-a': { ...chat(1e-6), aliases: ['model-a-latest', 'model-b'] },
        'model-b': chat(5e-6),
      }),
      meta,
    );
    expect(p.entries.get('model-a-latest')).toEqual(chat(1e-6));
    expect(p.entries.get('model-a')).toEqual(chat(1e-6)); // `aliases` itself removed
    expect(p.entries.get('model-b')).toEqual(chat(5e-6));
    expect(p.warnings).toEqual(['cost map alias "model-b" of "model-a" skipped: the name is already taken']);
  });

  it('rejects text that is not a usable map, with the reason', () => {
    expect(() => parseCostMapText('<html>', meta)).toThrow(/^not valid JSON/);
    expect(() => parseCostMapText('[1]', meta)).toThrow(
      'cost map must be a JSON object of model entries, got array',
    );
    expect(() => parseCostMapText('null', meta)).toThrow(/got null/);
    expect(() => parseCostMapText('{"sample_spec":{}}', meta)).toThrow('no valid model entries');
    expect(() => parseCostMapText('{"x":{"input_cost_per_token":-1}}', meta)).toThrow(
      'no valid model entries',
    );
  });
});
