/**
 * Property tests: cost is additive over token classes and requests (below tier thresholds), monotone in every
 * count, never negative, exact (no float artefacts), for random consistent usages over real catalog entries.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './builtin-catalog.js';
import { priceUsage } from './cost.js';
import { formatMoney } from './money.js';
import { type ResolvedPricing, resolvePricing } from './resolve.js';
import { emptyUsage, type Usage } from './usage.js';

const catalog = builtinCatalog();
// Every chat/embedding entry with token prices (resolved once, as at config load).
const RESOLVED: ResolvedPricing[] = [...catalog.keys()]
  .filter((k) => {
    const e = catalog.get(k);
    return e && typeof e.input_cost_per_token === 'number' && (e.mode === 'chat' || e.mode === 'embedding');
  })
  .map((k) => resolvePricing({ name: k, model: k, provider: 'openai' }, catalog));

const MAX_BELOW_TIERS = 60_000; // the lowest tier threshold in the catalog is 128k (after summing two usages: 120k)

const arbUsage = fc
  .record({
    uncached: fc.nat(MAX_BELOW_TIERS / 4),
    cacheRead: fc.nat(MAX_BELOW_TIERS / 4),
    cacheWrite: fc.nat(MAX_BELOW_TIERS / 4),
    audioIn: fc.nat(1000),
    text: fc.nat(20_000),
    reasoning: fc.nat(20_000),
    audioOut: fc.nat(1000),
    durationMs: fc.nat(120_000),
  })
  .map(
    (p): Usage => ({
      ...emptyUsage(),
      inputTokens: p.uncached + p.cacheRead + p.cacheWrite + p.audioIn,
      cacheReadTokens: p.cacheRead,
      cacheWriteTokens: p.cacheWrite,
      audioInputTokens: p.audioIn,
      outputTokens: p.text + p.reasoning + p.audioOut,
      reasoningTokens: p.reasoning,
      audioOutputTokens: p.audioOut,
      durationMs: p.durationMs,
    }),
  );

const arbResolved = fc.constantFrom(...RESOLVED);

function add(a: Usage, b: Usage): Usage {
  return {
    ...emptyUsage(),
    inputTokens: a.inputTokens + b.inputTokens,
    cacheReadTokens: a.cacheReadTokens + b.cacheReadTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
    audioInputTokens: a.audioInputTokens + b.audioInputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
    audioOutputTokens: a.audioOutputTokens + b.audioOutputTokens,
    durationMs: a.durationMs + b.durationMs,
  };
}

const CLASSES = [
  'uncached',
  'cacheRead',
  'cacheWrite',
  'audioIn',
  'text',
  'reasoning',
  'audioOut',
  'durationMs',
] as const;

function bump(u: Usage, cls: (typeof CLASSES)[number], n: number): Usage {
  const v = { ...u };
  if (cls === 'durationMs') v.durationMs += n;
  else if (cls === 'text' || cls === 'reasoning' || cls === 'audioOut') {
    v.outputTokens += n;
    if (cls === 'reasoning') v.reasoningTokens += n;
    if (cls === 'audioOut') v.audioOutputTokens += n;
  } else {
    v.inputTokens += n;
    if (cls === 'cacheRead') v.cacheReadTokens += n;
    if (cls === 'cacheWrite') v.cacheWriteTokens += n;
    if (cls === 'audioIn') v.audioInputTokens += n;
  }
  return v;
}

describe('cost properties over the built-in catalog', () => {
  it(`has entries to test (${RESOLVED.length})`, () => {
    expect(RESOLVED.length).toBeGreaterThan(1000);
  });

  it('additive: cost(a + b) = cost(a) + cost(b) below tier thresholds (per-request fees charged once per request)', () => {
    const variable = (r: ResolvedPricing, u: Usage) => {
      const c = priceUsage(r, u);
      return c.lines.filter((l) => l.unit !== 'request').reduce((t, l) => t + l.amount, 0n);
    };
    fc.assert(
      fc.property(
        arbResolved,
        arbUsage,
        arbUsage,
        (r, a, b) => variable(r, add(a, b)) === variable(r, a) + variable(r, b),
      ),
      { numRuns: 2000 },
    );
  });

  it('additive over token classes: total = sum of lines, each line = quantity × unit price', () => {
    fc.assert(
      fc.property(arbResolved, arbUsage, (r, u) => {
        const c = priceUsage(r, u);
        let sum = 0n;
        for (const l of c.lines) {
          sum += l.amount;
          if (l.unit !== 'second' && l.amount !== l.unitPrice * BigInt(l.quantity)) return false;
        }
        return sum === c.costUsd;
      }),
      { numRuns: 2000 },
    );
  });

  it('monotone in every count (including across tiers, whose prices are never lower in the catalog)', () => {
    fc.assert(
      fc.property(
        arbResolved,
        arbUsage,
        fc.constantFrom(...CLASSES),
        fc.integer({ min: 1, max: 300_000 }),
        (r, u, cls, n) => priceUsage(r, bump(u, cls, n)).costUsd >= priceUsage(r, u).costUsd,
      ),
      { numRuns: 3000 },
    );
  });

  it('never negative, exact: printed with no more decimals than the unit prices carry', () => {
    fc.assert(
      fc.property(arbResolved, arbUsage, (r, u) => {
        const c = priceUsage(r, u);
        if (c.costUsd < 0n) return false;
        const decimals = (s: string) => (s.split('.')[1] ?? '').length;
        const maxPriceDecimals = Math.max(0, ...Object.values(c.unitPrices).map(decimals));
        // per-second lines multiply by milliseconds: 3 more decimals at most
        return decimals(formatMoney(c.costUsd)) <= maxPriceDecimals + 3;
      }),
      { numRuns: 2000 },
    );
  });
});
