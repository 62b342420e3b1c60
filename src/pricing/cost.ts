/**
 * @module pricing/cost
 * The hot path: a resolved deployment's prices × one request's usage → the exact cost, line by line.
 * Resolution and plan compilation happen once; this only picks the tier and multiplies bigints.
 */
import { pricesForImages } from './image-cost.js';
import { formatMoney, type Money, parseMoney } from './money.js';
import {
  compilePlan,
  type Plan,
  type PlanVariant,
  type PriceRef,
  pricedServiceTier,
  STANDARD,
} from './plan.js';
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
  /** input | cache_read | cache_write | cache_write_1h | audio_input | output | reasoning | audio_output | input_seconds | output_seconds | request | image | image_pixels… */
  kind: string;
  /** Tokens, seconds (fractional, from milliseconds), images, pixels or requests. */
  quantity: number;
  unit: CostUnit;
  priceKey: string;
  unitPrice: Money;
  amount: Money;
  note?: string;
}

/** A usage class that had a quantity but no price at all (and no documented fallback): never silently free. */
export interface UnpricedPart {
  /** input | cache_read | cache_write | cache_write_1h | output | reasoning | image … */
  kind: string;
  quantity: number;
  unit: CostUnit;
  reason: string;
}

export interface Cost {
  costUsd: Money;
  source: string;
  unpriced: boolean;
  /** `above_200k_tokens` when a tier applied, else null. */
  tier: string | null;
  /** `flex` | `priority` when a service tier's prices applied, else null. */
  serviceTier: string | null;
  /** True when batch prices applied. */
  batch: boolean;
  lines: CostLine[];
  /** Cost key → exact decimal text of each unit price used: what the spend log stores. */
  unitPrices: Record<string, string>;
  /** Classes with a quantity and no price (empty when everything was priced). */
  unpricedParts: UnpricedPart[];
  /** Id of the price version the prices came from (see price-versions.ts); null when not versioned. */
  priceVersion: string | null;
  /** Pricing warnings for this request (e.g. Azure priced by its response model). */
  warnings: readonly string[];
}

const OVERRIDE_KEYS: ReadonlyArray<[keyof PriceOverrides, string]> = [
  ['inputCostPerToken', 'input_cost_per_token'],
  ['outputCostPerToken', 'output_cost_per_token'],
  ['cacheReadInputTokenCost', 'cache_read_input_token_cost'],
  ['cacheCreationInputTokenCost', 'cache_creation_input_token_cost'],
  ['inputCostPerSecond', 'input_cost_per_second'],
  ['outputCostPerSecond', 'output_cost_per_second'],
];

/** Per resolved deployment: the standard plan and, compiled on first use, the tier / batch variants. */
interface Plans {
  standard: Plan;
  variants?: Map<string, Plan>;
}
const planCache = new WeakMap<ResolvedPricing, Plans>();
const EMPTY_UNIT_PRICES: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_PARTS: UnpricedPart[] = Object.freeze([]) as unknown as UnpricedPart[];
const NO_WARNINGS: readonly string[] = Object.freeze([]);

function variantOf(usage: Usage): PlanVariant {
  const st = pricedServiceTier(usage.serviceTier);
  // Anthropic reports service_tier "batch" for Message Batches.
  const batch = usage.batch === true || usage.serviceTier === 'batch';
  if (!batch && st === null) return STANDARD;
  return { serviceTier: batch ? null : st, batch };
}

function planFor(resolved: ResolvedPricing, variant: PlanVariant): Plan {
  let plans = planCache.get(resolved);
  if (!plans) {
    plans = { standard: compilePlan(resolved.prices) };
    planCache.set(resolved, plans);
  }
  if (variant === STANDARD) return plans.standard;
  const id = `${variant.serviceTier}|${variant.batch}`;
  plans.variants ??= new Map();
  let plan = plans.variants.get(id);
  if (!plan) {
    plan = compilePlan(resolved.prices, variant);
    plans.variants.set(id, plan);
  }
  return plan;
}

function applyOverrides(
  resolved: ResolvedPricing,
  overrides: PriceOverrides,
  variant: PlanVariant,
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
    plan: compilePlan(prices, variant),
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

/** What a per-second quantity measures (Usage.durationMs), stated in every explanation. */
export const DURATION_NOTE = 'duration = upstream call wall time, request sent to last byte';

/**
 * Per-second lines say what the seconds measure: the upstream call's wall time (DURATION_NOTE), or the
 * audio's length and where it was read from (`source`).
 */
function seconds(lines: CostLine[], kind: string, ms: number, ref: PriceRef | null, source?: string): Money {
  if (ms <= 0 || ref === null) return 0n;
  const whole = Math.round(ms);
  const amount = (ref.price * BigInt(whole) + 500n) / 1000n; // same as mulMillis
  const what = source ?? DURATION_NOTE;
  return line(
    lines,
    kind,
    whole / 1000,
    'second',
    { ...ref, note: ref.note ? `${ref.note}; ${what}` : what },
    amount,
  );
}

function unpricedPart(parts: UnpricedPart[], kind: string, quantity: number, unit: CostUnit, reason: string) {
  parts.push({ kind, quantity, unit, reason });
}

/** Every class with a quantity, for a deployment without any price. */
function wholeUsageUnpriced(usage: Usage, reason: string): UnpricedPart[] {
  const parts: UnpricedPart[] = [];
  const write1h = Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens);
  const input = usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens;
  if (input > 0) unpricedPart(parts, 'input', input, 'token', reason);
  if (usage.cacheReadTokens > 0) unpricedPart(parts, 'cache_read', usage.cacheReadTokens, 'token', reason);
  if (usage.cacheWriteTokens - write1h > 0)
    unpricedPart(parts, 'cache_write', usage.cacheWriteTokens - write1h, 'token', reason);
  if (write1h > 0) unpricedPart(parts, 'cache_write_1h', write1h, 'token', reason);
  if (usage.outputTokens > 0) unpricedPart(parts, 'output', usage.outputTokens, 'token', reason);
  if (usage.images && usage.images.count > 0)
    unpricedPart(parts, 'image', usage.images.count, 'image', reason);
  return parts;
}

/**
 * Prices one usage. Totals include their parts (see Usage): uncached input = inputTokens − cache reads −
 * cache writes (− audio input when audio has its own price); text output = outputTokens − reasoning
 * (− audio output when priced separately). Counts must be non-negative integers. The usage's service tier
 * and batch flag select the matching price variant. A class with a quantity and no price at all is listed
 * in `unpricedParts` with the reason (never silently free).
 */
export function priceUsage(resolved: ResolvedPricing, usage: Usage, overrides?: PriceOverrides): Cost {
  const variant = variantOf(usage);
  let plan: Plan;
  let source = resolved.source;
  const priceVersion = resolved.priceVersion ?? null;
  const warnings = resolved.requestWarnings ?? NO_WARNINGS;
  let overridden = false;
  if (overrides !== undefined) {
    const o = applyOverrides(resolved, overrides, variant);
    if (o) {
      plan = o.plan;
      source = o.source;
      overridden = true;
    } else plan = planFor(resolved, variant);
  } else {
    plan = planFor(resolved, variant);
  }
  if (resolved.unpriced && !overridden) {
    return {
      costUsd: 0n,
      source: resolved.source,
      unpriced: true,
      tier: null,
      serviceTier: null,
      batch: false,
      lines: [],
      unitPrices: EMPTY_UNIT_PRICES,
      unpricedParts: wholeUsageUnpriced(usage, `no price for this deployment (source ${resolved.source})`),
      priceVersion,
      warnings,
    };
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
  const write1h = t.cacheWrite1h ? Math.min(usage.cacheWrite1hTokens ?? 0, usage.cacheWriteTokens) : 0;
  const cacheWrite = t.cacheWrite ? usage.cacheWriteTokens - write1h : 0;
  const audioIn = t.audioIn ? usage.audioInputTokens : 0;
  const reasoning = t.reasoning ? usage.reasoningTokens : 0;
  const audioOut = t.audioOut ? usage.audioOutputTokens : 0;
  const inputQty = Math.max(0, prompt - cacheRead - cacheWrite - write1h - audioIn);
  const outputQty = Math.max(0, usage.outputTokens - reasoning - audioOut);
  let total = 0n;
  total += tokens(lines, 'input', inputQty, t.input);
  total += tokens(lines, 'cache_read', cacheRead, t.cacheRead);
  total += tokens(lines, 'cache_write', cacheWrite, t.cacheWrite);
  total += tokens(lines, 'cache_write_1h', write1h, t.cacheWrite1h);
  total += tokens(lines, 'audio_input', audioIn, t.audioIn);
  total += tokens(lines, 'output', outputQty, t.output);
  total += tokens(lines, 'reasoning', reasoning, t.reasoning);
  total += tokens(lines, 'audio_output', audioOut, t.audioOut);
  const timeBilled = t.perSecondIn !== null || t.perSecondOut !== null || t.perRequest.length > 0;
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
  if (write1h > 0 && t.cacheWrite1h)
    unitPrices = { ...unitPrices, [t.cacheWrite1h.key]: formatMoney(t.cacheWrite1h.price) };
  let parts = NO_PARTS;
  let imagesPriced = false;
  if (usage.images !== undefined && usage.images.count > 0) {
    const n = lines.length;
    const img = pricesForImages(resolved, plan.prices, usage.images, lines);
    imagesPriced = lines.length > n;
    total += img.amount;
    if (img.unitPrices) unitPrices = { ...unitPrices, ...img.unitPrices };
    if (!imagesPriced && !timeBilled) {
      parts = [];
      unpricedPart(
        parts,
        'image',
        usage.images.count,
        'image',
        'no per-image or per-pixel price for this size/quality',
      );
    }
  }
  // Audio tokens without their own price are billed inside input/output at the text price: say so.
  if (t.audioIn === null && usage.audioInputTokens > 0 && t.input && inputQty > 0)
    noteLast(
      lines,
      'input',
      `includes ${usage.audioInputTokens} audio tokens at the text input price (no input_cost_per_audio_token)`,
    );
  if (t.audioOut === null && usage.audioOutputTokens > 0 && t.output && outputQty > 0)
    noteLast(
      lines,
      'output',
      `includes ${usage.audioOutputTokens} audio tokens at the text output price (no output_cost_per_audio_token)`,
    );
  // Tokens with no price and no fallback, unless a time / request / image meter bills the call instead.
  if (!timeBilled && !imagesPriced) {
    // Cache, audio and reasoning tokens fall back to the input / output price; when that is missing too
    // they are still inside inputQty / outputQty (their own quantity was 0), so two checks cover all.
    // (Inline, no closure: a closure over `parts` would cost every call a context allocation.)
    if (inputQty > 0 && t.input === null) {
      if (parts === NO_PARTS) parts = [];
      unpricedPart(parts, 'input', inputQty, 'token', 'no input_cost_per_token in the price set');
    }
    if (outputQty > 0 && t.output === null) {
      if (parts === NO_PARTS) parts = [];
      unpricedPart(parts, 'output', outputQty, 'token', 'no output_cost_per_token in the price set');
    }
  }
  return {
    costUsd: total,
    source,
    unpriced: false,
    tier: t.tier,
    serviceTier: plan.serviceTier,
    batch: plan.batch,
    lines,
    unitPrices,
    unpricedParts: parts,
    priceVersion,
    warnings,
  };
}

function noteLast(lines: CostLine[], kind: string, note: string): void {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i];
    if (l.kind === kind) {
      l.note = l.note ? `${l.note}; ${note}` : note;
      return;
    }
  }
}
