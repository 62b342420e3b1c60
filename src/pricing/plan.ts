/**
 * @module pricing/plan
 * Compiles effective prices into a pricing plan once (per resolved deployment and price variant, cached): for
 * each tier the price of every token class with its key and fallback note, and the unit-price texts the
 * spend log stores. priceUsage() then only picks a tier and multiplies.
 *
 * Variants: a service tier (`flex` / `priority` keys for input, output and cache read, LiteLLM's
 * `_get_service_tier_cost_key`; a missing tier key falls back to the standard price, noted) and batch
 * (`*_batches` keys; missing → 50% of the standard price, LiteLLM's batch_cost_calculator rule, noted).
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
  /** 1-hour cache writes: `cache_creation_input_token_cost_above_1hr`, else 2× input (Anthropic's rule), noted. */
  cacheWrite1h: PriceRef | null;
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
  /** `flex` | `priority` when the plan prices a service tier, else null. */
  serviceTier: ServiceTier | null;
  batch: boolean;
}

export type ServiceTier = 'flex' | 'priority';

export interface PlanVariant {
  serviceTier: ServiceTier | null;
  batch: boolean;
}

export const STANDARD: PlanVariant = Object.freeze({ serviceTier: null, batch: false });

/**
 * The priced service tier for a reported/requested one: `flex`, `priority` (`fast` is LiteLLM's alias of
 * priority); anything else (`default`, `auto`, `standard`, `scale`…) is the standard price.
 */
export function pricedServiceTier(tier: string | undefined): ServiceTier | null {
  if (tier === undefined) return null;
  const t = tier.toLowerCase();
  if (t === 'flex') return 'flex';
  if (t === 'priority' || t === 'fast') return 'priority';
  return null;
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

/** The service-tier price of `base` (`input_cost_per_token_flex`…), else the standard one with a note. */
function tierVariant(
  at: (key: string) => PriceRef | null,
  base: string,
  tier: ServiceTier,
  standard: PriceRef | null,
): PriceRef | null {
  const own = at(`${base}_${tier}`);
  if (own) return own;
  if (!standard) return null;
  return {
    ...standard,
    note: joinNote(
      standard.note,
      `fallback: no ${tier} price (${base}_${tier}), billed at the standard price (${standard.key})`,
    ),
  };
}

/** The batch price of a class: its `_batches` key, else 50% of the standard price (noted). */
function batchVariant(
  at: (key: string) => PriceRef | null,
  batchKey: string | null,
  standard: PriceRef | null,
): PriceRef | null {
  const own = batchKey ? at(batchKey) : null;
  if (own) return own;
  if (!standard) return null;
  return {
    key: batchKey ?? `${standard.key}_batches`,
    price: standard.price / 2n, // exact: catalog prices have at most 19 decimals, Money has 24
    note: joinNote(
      standard.note,
      `fallback: no batch price${batchKey ? ` (${batchKey})` : ''}, 50% of the standard price (${standard.key}) as LiteLLM's batch rule`,
    ),
  };
}

function joinNote(a: string | undefined, b: string): string {
  return a ? `${a}; ${b}` : b;
}

function compileTier(
  prices: Readonly<Record<string, Money>>,
  threshold: number,
  thresholds: number[],
  variant: PlanVariant,
): TierPlan {
  const at = (key: string) => tieredPrice(prices, key, threshold, thresholds);
  let input = at('input_cost_per_token');
  let output = at('output_cost_per_token');
  let cacheRead = at('cache_read_input_token_cost') ?? at('input_cost_per_token_cache_hit');
  const st = variant.batch ? null : variant.serviceTier;
  if (st) {
    // Tier keys exist for input, output and cache read only (LiteLLM's map, 2025-11).
    input = tierVariant(at, 'input_cost_per_token', st, input);
    output = tierVariant(at, 'output_cost_per_token', st, output);
    // No cache read price at all: the fallback below bills the tier's input price.
    if (cacheRead) cacheRead = tierVariant(at, 'cache_read_input_token_cost', st, cacheRead);
  }
  if (variant.batch) {
    input = batchVariant(at, 'input_cost_per_token_batches', input);
    output = batchVariant(at, 'output_cost_per_token_batches', output);
    cacheRead = cacheRead ? batchVariant(at, null, cacheRead) : null;
  }
  cacheRead ??= fallback(input, 'cache read', 'input');
  let cacheWrite = at('cache_creation_input_token_cost');
  let cacheWrite1h = at('cache_creation_input_token_cost_above_1hr');
  if (variant.batch) {
    cacheWrite = cacheWrite ? batchVariant(at, null, cacheWrite) : null;
    cacheWrite1h = cacheWrite1h ? batchVariant(at, null, cacheWrite1h) : null;
  }
  cacheWrite ??= fallback(input, 'cache write', 'input');
  // Anthropic: a 1-hour cache write costs 2× the base input price (5-minute writes 1.25×). Never the
  // 5-minute price, never free.
  cacheWrite1h ??= input
    ? {
        key: 'cache_creation_input_token_cost_above_1hr',
        price: input.price * 2n,
        note: `fallback: no 1-hour cache write price (cache_creation_input_token_cost_above_1hr), 2× the input price (${input.key}) as Anthropic documents`,
      }
    : null;
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
  // Only stored when it is used (cacheWrite1hTokens > 0): see priceUsage.
  const tier = threshold < 0 ? null : `above_${threshold / 1000}k_tokens`;
  return {
    tier,
    threshold,
    input,
    cacheRead,
    cacheWrite,
    cacheWrite1h,
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

export function compilePlan(prices: Readonly<Record<string, Money>>, variant: PlanVariant = STANDARD): Plan {
  const thresholds = [
    ...new Set(
      Object.keys(prices)
        .map(tierThreshold)
        .filter((t): t is number => t !== null),
    ),
  ].sort((a, b) => b - a);
  const tiers = thresholds.map((t) => compileTier(prices, t, thresholds, variant));
  tiers.push(compileTier(prices, -1, thresholds, variant));
  return { tiers, prices, serviceTier: variant.batch ? null : variant.serviceTier, batch: variant.batch };
}
