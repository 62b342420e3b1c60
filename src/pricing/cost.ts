/**
 * @module pricing/cost
 * The hot path: a resolved deployment's prices × one request's usage → the exact cost, line by line.
 * Resolution and plan compilation happen once; this only picks the tier and multiplies bigints.
 */
import { pricesForImages } from './image-cost.js';
import { type Money, parseMoney } from './money.js';
import { compilePlan, type Plan, type PriceRef } from './plan.js';
import type { ResolvedPricing } from './resolve.js';
import type { Usage } from './usage.js';

/** Library / per-request prices: win over everything (decimal text or number, USD per token/second). */
export interface PriceOverrides {
  inputCostPerToken?: string | number;
  outputCostPerToken?: string | number;
  cacheReadInputTokenCost?: string | number;
  cacheCreationInputTokenCost?: string | number;
  inputCostPerSecond?: string | number;
  outputCostPerSecond?: string | number;
}

export type CostUnit = 'token' | 'second' | 'image' | 'pixel' | 'request' | 'character' | 'query';

export interface CostLine {
  /** input | cache_read | cache_write | audio_input | output | reasoning | audio_output | input_seconds | output_seconds | request | image | image_pixels… */
  kind: string;
  /** Tokens, seconds (fractional, from milliseconds), images, pixels or requests. */
  quantity: number;
  unit: CostUnit;
  priceKey: string;
  unitPrice: Money;
  amount: Money;
  note?: string;
}

export interface Cost {
  costUsd: Money;
  source: string;
  unpriced: boolean;
  /** `above_200k_tokens` when a tier applied, else null. */
  tier: string | null;
  lines: CostLine[];
  /** Cost key → exact decimal text of each unit price used: what the spend log stores. */
  unitPrices: Record<string, string>;
}

const OVERRIDE_KEYS: ReadonlyArray<[keyof PriceOverrides, string]> = [
  ['inputCostPerToken', 'input_cost_per_token'],
  ['outputCostPerToken', 'output_cost_per_token'],
  ['cacheReadInputTokenCost', 'cache_read_input_token_cost'],
  ['cacheCreationInputTokenCost', 'cache_creation_input_token_cost'],
  ['inputCostPerSecond', 'input_cost_per_second'],
  ['outputCostPerSecond', 'output_cost_per_second'],
];

const planCache = new WeakMap<ResolvedPricing, Plan>();
const EMPTY_UNIT_PRICES: Record<string, string> = Object.freeze({}) as Record<string, string>;

function planFor(resolved: ResolvedPricing): Plan {
  let plan = planCache.get(resolved);
  if (!plan) {
    plan = compilePlan(resolved.prices);
    planCache.set(resolved, plan);
  }
  return plan;
}

function applyOverrides(
  resolved: ResolvedPricing,
  overrides: PriceOverrides,
): { plan: Plan; source: string } | null {
  let prices: Record<string, Money> | null = null;
  for (const [field, key] of OVERRIDE_KEYS) {
    const v = overrides[field];
    if (v === undefined || v === null) continue;
    const m = parseMoney(v);
    if (m < 0n) throw new RangeError(`${field} must not be negative: ${v}`);
    prices ??= { ...resolved.prices };
    prices[key] = m;
    // An override is the price for every tier: drop the tiered variants of that key.
    for (const k of Object.keys(prices)) if (k.startsWith(`${key}_above_`)) delete prices[k];
  }
  if (!prices) return null;
  return {
    plan: compilePlan(prices),
    source: resolved.unpriced ? 'override' : `override+${resolved.source}`,
  };
}

function line(
  lines: CostLine[],
  kind: string,
  quantity: number,
  unit: CostUnit,
  ref: PriceRef,
  amount: Money,
): Money {
  const l: CostLine = { kind, quantity, unit, priceKey: ref.key, unitPrice: ref.price, amount };
  if (ref.note !== undefined) l.note = ref.note;
  lines.push(l);
  return amount;
}

function tokens(lines: CostLine[], kind: string, n: number, ref: PriceRef | null): Money {
  if (n <= 0 || ref === null) return 0n;
  return line(lines, kind, n, 'token', ref, ref.price * BigInt(n));
}

function seconds(lines: CostLine[], kind: string, ms: number, ref: PriceRef | null, source?: string): Money {
  if (ms <= 0 || ref === null) return 0n;
  const whole = Math.round(ms);
  const amount = (ref.price * BigInt(whole) + 500n) / 1000n; // same as mulMillis
  const r = source === undefined ? ref : { ...ref, note: ref.note ? `${ref.note}; ${source}` : source };
  return line(lines, kind, whole / 1000, 'second', r, amount);
}

/**
 * Prices one usage. Totals include their parts (see Usage): uncached input = inputTokens − cache reads −
 * cache writes (− audio input when audio has its own price); text output = outputTokens − reasoning
 * (− audio output when priced separately). Counts must be non-negative integers.
 */
export function priceUsage(resolved: ResolvedPricing, usage: Usage, overrides?: PriceOverrides): Cost {
  let plan: Plan;
  let source = resolved.source;
  if (overrides !== undefined) {
    const o = applyOverrides(resolved, overrides);
    if (o) {
      plan = o.plan;
      source = o.source;
    } else plan = planFor(resolved);
  } else {
    if (resolved.unpriced) {
      return {
        costUsd: 0n,
        source: resolved.source,
        unpriced: true,
        tier: null,
        lines: [],
        unitPrices: EMPTY_UNIT_PRICES,
      };
    }
    plan = planFor(resolved);
  }
  const tiers = plan.tiers;
  const prompt = usage.inputTokens;
  let t = tiers[tiers.length - 1];
  for (let i = 0; i < tiers.length - 1; i++) {
    if (prompt > tiers[i].threshold) {
      t = tiers[i];
      break;
    }
  }

  const lines: CostLine[] = [];
  const cacheRead = t.cacheRead ? usage.cacheReadTokens : 0;
  const cacheWrite = t.cacheWrite ? usage.cacheWriteTokens : 0;
  const audioIn = t.audioIn ? usage.audioInputTokens : 0;
  const reasoning = t.reasoning ? usage.reasoningTokens : 0;
  const audioOut = t.audioOut ? usage.audioOutputTokens : 0;
  let total = 0n;
  total += tokens(lines, 'input', Math.max(0, prompt - cacheRead - cacheWrite - audioIn), t.input);
  total += tokens(lines, 'cache_read', cacheRead, t.cacheRead);
  total += tokens(lines, 'cache_write', cacheWrite, t.cacheWrite);
  total += tokens(lines, 'audio_input', audioIn, t.audioIn);
  total += tokens(lines, 'output', Math.max(0, usage.outputTokens - reasoning - audioOut), t.output);
  total += tokens(lines, 'reasoning', reasoning, t.reasoning);
  total += tokens(lines, 'audio_output', audioOut, t.audioOut);
  // Transcriptions are billed by the audio's length, everything else per second by the request's time.
  const audio = usage.audioDuration;
  const ms = audio ? audio.ms : usage.durationMs;
  const src = audio ? `audio duration from ${audio.source}` : undefined;
  if (t.perSecondIn !== null) total += seconds(lines, 'input_seconds', ms, t.perSecondIn, src);
  if (t.perSecondOut !== null) total += seconds(lines, 'output_seconds', ms, t.perSecondOut, src);
  const chars = usage.inputCharacters;
  if (chars !== undefined && chars > 0 && t.perCharacterIn !== null)
    total += line(
      lines,
      'input_characters',
      chars,
      'character',
      t.perCharacterIn,
      t.perCharacterIn.price * BigInt(chars),
    );
  for (const r of t.perRequest) {
    const counted = r.key === 'input_cost_per_query' && usage.queries !== undefined;
    const n = counted ? Math.max(0, Math.floor(usage.queries as number)) : 1;
    if (n > 0)
      total += line(
        lines,
        counted ? 'queries' : 'request',
        n,
        counted ? 'query' : 'request',
        r,
        r.price * BigInt(n),
      );
  }

  let unitPrices = t.unitPrices as Record<string, string>;
  if (usage.images !== undefined && usage.images.count > 0) {
    const img = pricesForImages(resolved, plan.prices, usage.images, lines);
    total += img.amount;
    if (img.unitPrices) unitPrices = { ...unitPrices, ...img.unitPrices };
  }
  return { costUsd: total, source, unpriced: false, tier: t.tier, lines, unitPrices };
}
