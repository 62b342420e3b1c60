import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_COST_KEYS, isCostKey, NESTED_COST_KEYS } from './cost-keys.js';

/** LiteLLM's model cost map: the built-in catalog copy. */
function findReferenceMap(): string {
  const catalogDir = join(import.meta.dirname, '..', 'pricing', 'catalog');
  const candidates: string[] = [];
  if (existsSync(catalogDir)) {
    for (const f of readdirSync(catalogDir))
      if (f === 'builtin.json' || f.includes('model_prices')) candidates.push(join(catalogDir, f));
  }
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`LiteLLM cost map not found; looked in ${candidates.join(', ')}`);
  return found;
}

describe('cost keys', () => {
  it('cover every key containing "cost" in the built-in catalog', () => {
    const map = JSON.parse(readFileSync(findReferenceMap(), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    const known = new Set<string>(CONFIG_COST_KEYS);
    const missing = new Set<string>();
    for (const entry of Object.values(map))
      for (const k of Object.keys(entry)) if (k.includes('cost') && !known.has(k)) missing.add(k);
    expect([...missing]).toEqual([]);
  });

  it('nested cost keys match the reference shape', () => {
    const map = JSON.parse(readFileSync(findReferenceMap(), 'utf8')) as Record<
      string,
      Record<string, unknown>
    >;
    for (const [key, subkeys] of Object.entries(NESTED_COST_KEYS)) {
      const example = Object.values(map).find((e) => typeof e[key] === 'object' && e[key] !== null);
      expect(example, key).toBeDefined();
      expect(Object.keys(example![key] as object).sort()).toEqual([...subkeys].sort());
    }
  });

  it('isCostKey', () => {
    expect(isCostKey('input_cost_per_token')).toBe(true);
    expect(isCostKey('input_cost_per_second')).toBe(true);
    expect(isCostKey('input_cost_per_tokens')).toBe(false);
    expect(isCostKey('input_cost_per_token_above_256k_tokens')).toBe(true);
    expect(isCostKey('input_cost_per_tokens_above_256k_tokens')).toBe(false);
  });
});
