/**
 * @module pricing/entry-prices
 * Turns a catalog entry's numeric cost keys into exact Money, including LiteLLM's `tiered_pricing`
 * ranges, which become `…_above_<N>k_tokens` keys so one tier mechanism serves every entry.
 */
import { type CatalogEntry, isPriceKey } from './catalog.js';
import { type Money, parseMoney } from './money.js';

function toMoney(v: unknown): Money | null {
  if (typeof v === 'number' || typeof v === 'string') return parseMoney(v);
  return null;
}

/** Every scalar price of the entry as Money (null/absent prices are left out). */
export function entryPrices(entry: CatalogEntry): Record<string, Money> {
  const out: Record<string, Money> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (!isPriceKey(k)) continue;
    const m = toMoney(v);
    if (m !== null) out[k] = m;
  }
  const tiers = entry.tiered_pricing;
  if (Array.isArray(tiers)) {
    // Only prompt-token ranges (`range`) map onto token tiers; other ranges (search results) are not priced here.
    const sorted = tiers.filter((t) => Array.isArray(t?.range)).sort((a, b) => a.range[0] - b.range[0]);
    for (const tier of sorted) {
      const start = Number(tier.range[0]);
      for (const [k, v] of Object.entries(tier as Record<string, unknown>)) {
        if (k === 'range' || !isPriceKey(k)) continue;
        const m = toMoney(v);
        if (m === null) continue;
        if (start === 0) {
          if (out[k] === undefined) out[k] = m;
        } else if (start % 1000 === 0) {
          out[`${k}_above_${start / 1000}k_tokens`] = m;
        }
      }
    }
  }
  return out;
}

/** Threshold in tokens of a tiered key (`…_above_200k_tokens` → 200000), else null. */
export function tierThreshold(key: string): number | null {
  const m = /_above_(\d+)k_tokens$/.exec(key);
  return m ? Number(m[1]) * 1000 : null;
}
