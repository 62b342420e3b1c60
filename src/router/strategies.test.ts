import { describe, expect, it } from 'vitest';
import type { RoutingStrategyName } from '../config/types.js';
import { MemoryRoutingStats } from './routing-stats.js';
import { type Candidate, lowestOrder, pickByStrategy } from './strategies.js';

/** A seeded generator (Park–Miller), so the weighted counts are reproducible. */
function seeded(seed = 1): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return (s - 1) / 2147483646;
  };
}

const d = (id: string, extra: Partial<Candidate> = {}): Candidate => ({ id, ...extra });

function ctx(strategy: RoutingStrategyName, stats = new MemoryRoutingStats(), extra = {}) {
  return { strategy, stats, latencyBuffer: 0, estimatedTokens: 0, random: seeded(), ...extra };
}

function counts(pick: () => Candidate | null, n = 10_000): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = pick();
    if (c) out[c.id] = (out[c.id] ?? 0) + 1;
  }
  return out;
}

describe('routing strategies', () => {
  it('simple-shuffle weights by weight, else rpm, else uniform', () => {
    const c = ctx('simple-shuffle');
    const byWeight = counts(() => pickByStrategy([d('a', { weight: 9 }), d('b', { weight: 1 })], c));
    expect(byWeight.a).toBeGreaterThan(8_500);
    expect(byWeight.a).toBeLessThan(9_500);
    const byRpm = counts(() => pickByStrategy([d('a', { rpm: 100 }), d('b', { rpm: 300 })], c));
    expect(byRpm.b).toBeGreaterThan(7_000);
    expect(byRpm.b).toBeLessThan(8_000);
    const uniform = counts(() => pickByStrategy([d('a'), d('b')], c));
    expect(uniform.a).toBeGreaterThan(4_500);
    expect(uniform.a).toBeLessThan(5_500);
  });

  it('order comes first: only the lowest order is used', () => {
    const members = [d('a', { order: 2 }), d('b', { order: 1 }), d('c')];
    expect(lowestOrder(members).map((m) => m.id)).toEqual(['b']);
    expect(counts(() => pickByStrategy(members, ctx('simple-shuffle')), 200)).toEqual({ b: 200 });
  });

  it('least-busy picks the deployment with the fewest requests in flight', () => {
    const stats = new MemoryRoutingStats();
    stats.begin('a');
    stats.begin('a');
    stats.begin('b');
    expect(pickByStrategy([d('a'), d('b'), d('c')], ctx('least-busy', stats))?.id).toBe('c');
    stats.begin('c');
    stats.begin('c');
    expect(pickByStrategy([d('a'), d('b'), d('c')], ctx('least-busy', stats))?.id).toBe('b');
    stats.end('a');
    stats.end('a');
    expect(pickByStrategy([d('a'), d('b'), d('c')], ctx('least-busy', stats))?.id).toBe('a');
  });

  it('latency-based tries unknown deployments first, then the lowest ms per output token', () => {
    const stats = new MemoryRoutingStats();
    stats.recordLatency('a', 1000, 10); // 100 ms/token
    expect(pickByStrategy([d('a'), d('b')], ctx('latency-based-routing', stats))?.id).toBe('b');
    stats.recordLatency('b', 1000, 50); // 20 ms/token
    expect(pickByStrategy([d('a'), d('b')], ctx('latency-based-routing', stats))?.id).toBe('b');
    stats.recordLatency('b', 5000, 10); // b's mean: (20 + 500) / 2 = 260 ms/token
    expect(pickByStrategy([d('a'), d('b')], ctx('latency-based-routing', stats))?.id).toBe('a');
    // A buffer of 2 (within 3× the fastest, 100 × 3 = 300 ≥ 260): both are candidates.
    const buffered = ctx('latency-based-routing', stats, { latencyBuffer: 2 });
    const both = counts(() => pickByStrategy([d('a'), d('b')], buffered));
    expect(Object.keys(both).sort()).toEqual(['a', 'b']);
  });

  it('usage-based picks the lowest tokens this minute among those under their rpm/tpm, else none', () => {
    let now = 60_000 * 100;
    const stats = new MemoryRoutingStats({ latencyTtlMs: 60_000, now: () => now });
    const members = [d('a', { tpm: 1000 }), d('b', { tpm: 1000, rpm: 1 })];
    stats.recordUsage('a', 400);
    expect(pickByStrategy(members, ctx('usage-based-routing-v2', stats))?.id).toBe('b');
    stats.begin('b'); // b used its one request this minute
    expect(pickByStrategy(members, ctx('usage-based-routing-v2', stats))?.id).toBe('a');
    // A 700-token request no longer fits a's tpm (400 + 700 > 1000), and b is at its rpm: nothing can take it.
    expect(
      pickByStrategy(members, ctx('usage-based-routing-v2', stats, { estimatedTokens: 700 })),
    ).toBeNull();
    now += 60_000; // next minute: the counts start again
    expect(pickByStrategy(members, ctx('usage-based-routing', stats, { estimatedTokens: 700 }))?.id).toMatch(
      /a|b/,
    );
  });

  it('cost-based picks the cheapest (exact prices)', () => {
    const prices: Record<string, bigint> = { a: 3_000_000_000_000_000n, b: 2_500_000_000_000_000n };
    const c = ctx('cost-based-routing', new MemoryRoutingStats(), { costOf: (x: Candidate) => prices[x.id] });
    expect(pickByStrategy([d('a'), d('b')], c)?.id).toBe('b');
  });
});
