/**
 * @module pricing/plan
 * Compiles effective prices into a pricing plan once (per resolved deployment, cached): for each tier the
 * price of every token class with its key and fallback note, and the unit-price texts the spend log
 * stores. priceUsage() then only picks a tier and multiplies.
 */
import { tierThreshold } from './entry-prices.js';
import { formatMoney, type Money } from './money.js';

export interface PriceRef {
  /** Cost key whose price is used (for a fallback: the key billed instead, e.g. input_cost_per_token). */
  key: string;
  price: Money;
  note?: string;
}

export interface TierPlan {
  /** `above_200k_tokens` or null for base prices. */
  tier: string | null;
  /** Applies when prompt tokens (cached included) are strictly above this; -1 for base. */
  threshold: number;
  input: PriceRef | null;
  cacheRead: PriceRef | null;
  cacheWrite: PriceRef | null;
  /** Own audio input price; null means audio input tokens are billed inside `input`. */
  audioIn: PriceRef | null;
  output: PriceRef | null;
  reasoning: PriceRef | null;
  /** Own audio output price; null means audio output tokens are billed inside `output`. */
  audioOut: PriceRef | null;
  perSecondIn: PriceRef | null;
  perSecondOut: PriceRef | null;
  /** `input_cost_per_character` (text-to-speech), billed only when the usage counts characters. */
  perCharacterIn: PriceRef | null;
  /** `input_cost_per_request` / `input_cost_per_query` (the latter × usage.queries when reported). */
  perRequest: PriceRef[];
  /** Frozen key → exact decimal text of every price this tier uses. */
  unitPrices: Readonly<Record<string, string>>;
}

export interface Plan {
  /** Highest threshold first; the base tier (threshold -1) last. */
  tiers: TierPlan[];
  prices: Readonly<Record<string, Money>>;
}

/** Price of `base` at `threshold`: the tiered key with the highest threshold <= it, else the base key. */
function tieredPrice(
  prices: Readonly<Record<string, Money>>,
  base: string,
  threshold: number,
  thresholds: number[],
): PriceRef | null {
  const basePrice = prices[base];
  for (const t of thresholds) {
    if (t > threshold) continue;
    const key = `${base}_above_${t / 1000}k_tokens`;
    const p = prices[key];
    // A tier price of 0 under a positive base price is a catalog placeholder (gemini-2.0-flash-exp), not "free
    // above the threshold": the base price stays.
    if (p !== undefined && !(p === 0n && basePrice !== undefined && basePrice > 0n)) return { key, price: p };
  }
  return basePrice === undefined ? null : { key: base, price: basePrice };
}

function fallback(ref: PriceRef | null, what: string, billedAs: string): PriceRef | null {
  return ref
    ? {
        key: ref.key,
        price: ref.price,
        note: `fallback: no ${what} price, billed at ${billedAs} price (${ref.key})`,
      }
    : null;
}

function compileTier(
  prices: Readonly<Record<string, Money>>,
  threshold: number,
  thresholds: number[],
): TierPlan {
  const at = (key: string) => tieredPrice(prices, key, threshold, thresholds);
  const input = at('input_cost_per_token');
  const output = at('output_cost_per_token');
  const cacheRead =
    at('cache_read_input_token_cost') ??
    at('input_cost_per_token_cache_hit') ??
    fallback(input, 'cache read', 'input');
  const cacheWrite = at('cache_creation_input_token_cost') ?? fallback(input, 'cache write', 'input');
  const reasoning = at('output_cost_per_reasoning_token') ?? fallback(output, 'reasoning', 'output');
  const audioIn = at('input_cost_per_audio_token');
  const audioOut = at('output_cost_per_audio_token');
  const perSecondIn = at('input_cost_per_second');
  // One time meter per request: catalog entries listing both (whisper-1, Bedrock provisioned throughput)
  // give the same rate twice, so output_cost_per_second is billed only without an input per-second price.
  const perSecondOut = perSecondIn && perSecondIn.price > 0n ? null : at('output_cost_per_second');
  const perCharacterIn = at('input_cost_per_character');
  const perRequest: PriceRef[] = [];
  for (const key of ['input_cost_per_request', 'input_cost_per_query']) {
    const r = at(key);
    if (r && r.price > 0n) perRequest.push(r);
  }
  const unitPrices: Record<string, string> = {};
  for (const r of [
    input,
    cacheRead,
    cacheWrite,
    audioIn,
    output,
    reasoning,
    audioOut,
    perSecondIn,
    perSecondOut,
    perCharacterIn,
    ...perRequest,
  ])
    if (r) unitPrices[r.key] = formatMoney(r.price);
  const tier = threshold < 0 ? null : `above_${threshold / 1000}k_tokens`;
  return {
    tier,
    threshold,
    input,
    cacheRead,
    cacheWrite,
    audioIn,
    output,
    reasoning,
    audioOut,
    perSecondIn,
    perSecondOut,
    perCharacterIn,
    perRequest,
    unitPrices: Object.freeze(unitPrices),
  };
}

export function compilePlan(prices: Readonly<Record<string, Money>>): Plan {
  const thresholds = [
    ...new Set(
      Object.keys(prices)
        .map(tierThreshold)
        .filter((t): t is number => t !== null),
    ),
  ].sort((a, b) => b - a);
  const tiers = thresholds.map((t) => compileTier(prices, t, thresholds));
  tiers.push(compileTier(prices, -1, thresholds));
  return { tiers, prices };
}
