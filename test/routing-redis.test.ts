/**
 * Routing state shared through Redis (router_settings.redis_host / redis_url): what one gateway records
 * (requests in flight, tokens this minute, latency) is what another gateway routes by, after a background
 * refresh, so least-busy / usage-based / latency-based routing agree across replicas.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRoutingStats } from '../src/router/routing-stats-redis.js';
import { pickByStrategy } from '../src/router/strategies.js';
import { REDIS_URL, requireRedis } from './support/services.js';

let prefix: string;
let ra: Redis;
let rb: Redis;
let a: RedisRoutingStats;
let b: RedisRoutingStats;

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  prefix = await requireRedis();
  ra = new Redis(REDIS_URL);
  rb = new Redis(REDIS_URL);
  a = new RedisRoutingStats({ redis: ra, prefix, latencyTtlMs: 60_000, refreshMs: 0 });
  b = new RedisRoutingStats({ redis: rb, prefix, latencyTtlMs: 60_000, refreshMs: 0 });
});
afterAll(async () => {
  const keys = await ra.keys(`${prefix}*`);
  if (keys.length) await ra.del(...keys);
  await a?.close();
  await b?.close();
});

describe('routing stats shared through Redis', () => {
  it("one gateway sees the other's requests in flight, tokens and latency", async () => {
    a.begin('dep-1');
    a.begin('dep-1');
    a.recordUsage('dep-1', 500);
    a.recordLatency('dep-1', 1000, 10); // 100 ms per output token
    await until(() => {
      b.refresh(['dep-1']);
      return b.inFlight('dep-1') === 2 && b.usage('dep-1').tokens === 500;
    }, 'gateway B to see dep-1 busy');
    expect(b.usage('dep-1').requests).toBe(2);
    expect(b.latency('dep-1')).toBe(100);
    a.end('dep-1');
    a.end('dep-1');
    await until(() => {
      b.refresh(['dep-1']);
      return b.inFlight('dep-1') === 0;
    }, 'gateway B to see dep-1 idle');
  });

  it('least-busy on gateway B avoids the deployment gateway A keeps busy', async () => {
    a.begin('dep-x');
    await until(() => {
      b.refresh(['dep-x', 'dep-y']);
      return b.inFlight('dep-x') === 1;
    }, 'B to see dep-x busy');
    const ctx = {
      strategy: 'least-busy' as const,
      stats: b,
      latencyBuffer: 0,
      estimatedTokens: 0,
      random: () => 0,
    };
    for (let i = 0; i < 5; i++)
      expect(pickByStrategy([{ id: 'dep-x' }, { id: 'dep-y' }], ctx)?.id).toBe('dep-y');
    a.end('dep-x');
  });

  it('usage-based on gateway B respects the tpm gateway A used up', async () => {
    a.recordUsage('dep-t', 900);
    await until(() => {
      b.refresh(['dep-t']);
      return b.usage('dep-t').tokens === 900;
    }, 'B to see the tokens');
    const ctx = {
      strategy: 'usage-based-routing-v2' as const,
      stats: b,
      latencyBuffer: 0,
      estimatedTokens: 200,
      random: () => 0,
    };
    // 900 + 200 > 1000: dep-t cannot take this request, dep-u (unused) can.
    expect(
      pickByStrategy(
        [
          { id: 'dep-t', tpm: 1000 },
          { id: 'dep-u', tpm: 1000 },
        ],
        ctx,
      )?.id,
    ).toBe('dep-u');
  });
});
