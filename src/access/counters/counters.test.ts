import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, requireRedis } from '../../../test/support/services.js';
import { parseMoney } from '../../pricing/money.js';
import { MemoryCounters } from './memory.js';
import { RedisCounters } from './redis.js';
import type { CounterBackend, EntityLimits, ReserveInput } from './types.js';

const M = (s: string) => parseMoney(s);

function entity(over: Partial<EntityLimits> = {}): EntityLimits {
  return {
    ref: 'key:abc',
    track: true,
    maxBudget: M('1'),
    softBudget: null,
    periodEnd: 0,
    rpm: null,
    tpm: null,
    parallel: null,
    ...over,
  };
}

function res(
  id: string,
  amount: string,
  entities: EntityLimits[],
  now = 1_000_000,
  strict = true,
  ceiling = amount,
): ReserveInput {
  return {
    requestId: id,
    now,
    amount: M(amount),
    ceiling: M(ceiling),
    promptTokens: 10,
    strict,
    expiresAt: now + 60_000,
    entities,
  };
}

let redis: Redis;
let prefix: string;

beforeAll(async () => {
  prefix = await requireRedis();
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe.each(['memory', 'redis'] as const)('%s counters', (kind) => {
  let c: CounterBackend;
  let n = 0;
  const fresh = () => {
    n++;
    c = kind === 'memory' ? new MemoryCounters() : new RedisCounters(redis, `${prefix}${n}:`);
    return c;
  };

  it('asks to be seeded, then reserves exactly up to max_budget (1e-24 USD precision)', async () => {
    fresh();
    const e = entity({ maxBudget: M('0.000000000000000000000003') });
    expect(await c.reserve(res('a', '0.000000000000000000000001', [e]))).toEqual({
      ok: false,
      unseeded: [0],
    });
    await c.seed(e.ref, 0n, 0, 'missing');
    for (const id of ['a', 'b', 'c'])
      expect((await c.reserve(res(id, '0.000000000000000000000001', [e]))).ok).toBe(true);
    const over = await c.reserve(res('d', '0.000000000000000000000001', [e]));
    expect(over).toMatchObject({ ok: false, failure: { kind: 'budget', index: 0, spend: 0n, reserved: 3n } });
    await c.settle({ requestId: 'a', now: 1_000_001, cost: 0n, extraTokens: 0, entities: [e] });
    expect((await c.reserve(res('d', '0.000000000000000000000001', [e]))).ok).toBe(true);
    expect(await c.read(e.ref)).toEqual({ spend: 0n, reserved: 3n, periodEnd: 0 });
  });

  it('near the budget, requests whose ceilings do not all fit run one at a time (settle, then block)', async () => {
    fresh();
    const e = entity({ maxBudget: M('1') });
    await c.seed(e.ref, 0n, 0, 'missing');
    // Reserves 0.1 each (max_tokens) but could cost up to 0.4 (the model's output limit).
    expect((await c.reserve(res('a', '0.1', [e], 1_000_000, true, '0.4'))).ok).toBe(true);
    expect((await c.reserve(res('b', '0.1', [e], 1_000_000, true, '0.4'))).ok).toBe(true); // 0.8 fits
    const busy = await c.reserve(res('c', '0.1', [e], 1_000_000, true, '0.4')); // 1.2 would not
    expect(busy).toMatchObject({
      ok: false,
      failure: { kind: 'budget_busy', index: 0, ceilings: M('0.8'), inFlight: 2 },
    });
    // The true costs were above the reservations: 0.35 each.
    for (const id of ['a', 'b'])
      await c.settle({ requestId: id, now: 1_000_001, cost: M('0.35'), extraTokens: 0, entities: [e] });
    // Alone, a request needs only its reservation to fit: 0.7 + 0.1 <= 1 …
    expect((await c.reserve(res('d', '0.1', [e], 1_000_002, true, '0.4'))).ok).toBe(true);
    // … and nothing runs next to it, since 0.7 + 0.4 + 0.4 > 1.
    expect((await c.reserve(res('e', '0.1', [e], 1_000_002, true, '0.4'))).ok).toBe(false);
    await c.settle({ requestId: 'd', now: 1_000_003, cost: M('0.35'), extraTokens: 0, entities: [e] });
    // 1.05: over by one request's overshoot (0.35 - 0.1 = 0.25 ≥ 0.05), then blocked.
    expect(await c.reserve(res('f', '0.1', [e], 1_000_004, true, '0.4'))).toMatchObject({
      ok: false,
      failure: { kind: 'budget', spend: M('1.05') },
    });
    // Without a ceiling (= the amount) the rule is the plain reservation check.
    fresh();
    await c.seed(e.ref, 0n, 0, 'missing');
    for (let i = 0; i < 10; i++) expect((await c.reserve(res(`p${i}`, '0.1', [e]))).ok).toBe(true);
    expect(await c.reserve(res('p10', '0.1', [e]))).toMatchObject({ ok: false, failure: { kind: 'budget' } });
  });

  it('adds and subtracts large exact amounts (big decimal arithmetic)', async () => {
    fresh();
    const e = entity({ maxBudget: M('123456789.123456789123456789123456') });
    await c.seed(e.ref, M('99999999.999999999999999999999999'), 0, 'missing');
    expect((await c.reserve(res('x', '0.000000000000000000000001', [e]))).ok).toBe(true);
    await c.settle({
      requestId: 'x',
      now: 1_000_001,
      cost: M('0.000000000000000000000001'),
      extraTokens: 0,
      entities: [e],
    });
    expect((await c.read(e.ref))?.spend).toBe(M('100000000'));
    // Random sums agree with bigint arithmetic.
    let expected = M('100000000');
    for (let i = 0; i < 40; i++) {
      const cost = BigInt(Math.floor(Math.random() * 1e15)) * 10n ** BigInt(Math.floor(Math.random() * 12));
      expected += cost;
      await c.settle({ requestId: `r${i}`, now: 1_000_001, cost, extraTokens: 0, entities: [e] });
    }
    expect((await c.read(e.ref))?.spend).toBe(expected);
  });

  it('checks every entity before applying any (all or nothing)', async () => {
    fresh();
    const k = entity({ ref: 'key:k', maxBudget: M('10') });
    const t = entity({ ref: 'team:t', maxBudget: M('1') });
    await c.seed(k.ref, 0n, 0, 'missing');
    await c.seed(t.ref, M('0.95'), 0, 'missing');
    const r = await c.reserve(res('q', '0.1', [k, t]));
    expect(r).toMatchObject({ ok: false, failure: { kind: 'budget', index: 1 } });
    expect((await c.read(k.ref))?.reserved).toBe(0n);
  });

  it('soft mode: spend < max, no reservation', async () => {
    fresh();
    const e = entity({ maxBudget: M('1') });
    await c.seed(e.ref, M('0.99'), 0, 'missing');
    expect((await c.reserve(res('s1', '5', [e], 1_000_000, false))).ok).toBe(true);
    expect((await c.read(e.ref))?.reserved).toBe(0n);
    await c.settle({ requestId: 's1', now: 1_000_001, cost: M('0.01'), extraTokens: 0, entities: [e] });
    expect((await c.reserve(res('s2', '0', [e], 1_000_000, false))).ok).toBe(false);
  });

  it('resets at a new period (lazily on reserve, or by resetPeriod) and alerts a soft budget once per period', async () => {
    fresh();
    const e = entity({ maxBudget: M('1'), softBudget: M('0.5'), periodEnd: 2_000_000 });
    await c.seed(e.ref, M('0.4'), 2_000_000, 'missing');
    expect((await c.reserve(res('p1', '0.1', [e]))).ok).toBe(true);
    const s1 = await c.settle({
      requestId: 'p1',
      now: 1_000_001,
      cost: M('0.1'),
      extraTokens: 0,
      entities: [e],
    });
    expect(s1.softCrossed).toEqual([{ index: 0, spend: M('0.5') }]);
    const s2 = await c.settle({
      requestId: 'p2',
      now: 1_000_002,
      cost: M('0.1'),
      extraTokens: 0,
      entities: [e],
    });
    expect(s2.softCrossed).toEqual([]);
    const next = { ...e, periodEnd: 3_000_000 };
    expect((await c.reserve(res('p3', '0.2', [next], 2_000_001))).ok).toBe(true);
    expect((await c.read(e.ref))?.spend).toBe(0n);
    const s3 = await c.settle({
      requestId: 'p3',
      now: 2_000_002,
      cost: M('0.6'),
      extraTokens: 0,
      entities: [next],
    });
    expect(s3.softCrossed).toHaveLength(1);
    await c.resetPeriod(e.ref, 4_000_000);
    expect(await c.read(e.ref)).toMatchObject({ spend: 0n, periodEnd: 4_000_000 });
    await c.resetPeriod(e.ref, 4_000_000); // idempotent
    await c.settle({
      requestId: 'p4',
      now: 3_000_001,
      cost: M('0.3'),
      extraTokens: 0,
      entities: [{ ...e, periodEnd: 4_000_000 }],
    });
    await c.resetPeriod(e.ref, 4_000_000);
    expect((await c.read(e.ref))?.spend).toBe(M('0.3'));
  });

  it('drops expired reservations and parallel slots', async () => {
    fresh();
    const e = entity({ maxBudget: M('1'), parallel: 1 });
    await c.seed(e.ref, 0n, 0, 'missing');
    expect((await c.reserve(res('e1', '1', [e]))).ok).toBe(true);
    expect(await c.reserve(res('e2', '0.1', [e]))).toMatchObject({
      ok: false,
      failure: { kind: 'parallel' },
    });
    expect((await c.reserve(res('e2', '0.1', [e], 1_000_000 + 60_001))).ok).toBe(true);
    expect((await c.read(e.ref))?.reserved).toBe(M('0.1'));
  });

  it('limits requests and tokens per minute with the time to the next window', async () => {
    fresh();
    const e = entity({ track: false, maxBudget: null, rpm: 2, tpm: 100 });
    const now = 60_000 * 100 + 15_000;
    expect((await c.reserve(res('r1', '0', [e], now))).ok).toBe(true);
    expect((await c.reserve(res('r2', '0', [e], now))).ok).toBe(true);
    expect(await c.reserve(res('r3', '0', [e], now))).toEqual({
      ok: false,
      failure: { kind: 'rpm', index: 0, used: 2, retryAfterMs: 45_000 },
    });
    expect((await c.reserve(res('r3', '0', [e], now + 45_000))).ok).toBe(true);
    const tok = entity({ ref: 'user:u', track: false, maxBudget: null, tpm: 100 });
    expect((await c.reserve(res('t1', '0', [tok], now))).ok).toBe(true);
    await c.settle({ requestId: 't1', now, cost: 0n, extraTokens: 95, entities: [tok] });
    expect(await c.reserve(res('t2', '0', [tok], now))).toMatchObject({
      ok: false,
      failure: { kind: 'tpm', used: 105 },
    });
  });

  it('seed max raises a lagging counter of the same period only; resetSpend zeroes by type', async () => {
    fresh();
    await c.seed('key:z', M('1'), 5, 'missing');
    await c.seed('key:z', M('0.5'), 5, 'missing');
    expect((await c.read('key:z'))?.spend).toBe(M('1'));
    await c.seed('key:z', M('2'), 6, 'max');
    expect((await c.read('key:z'))?.spend).toBe(M('1'));
    await c.seed('key:z', M('2'), 5, 'max');
    expect((await c.read('key:z'))?.spend).toBe(M('2'));
    await c.seed('user:z', M('3'), 0, 'missing');
    await c.resetSpend(['key', 'team']);
    expect((await c.read('key:z'))?.spend).toBe(0n);
    expect((await c.read('user:z'))?.spend).toBe(M('3'));
    await c.drop('user:z');
    expect(await c.read('user:z')).toBeNull();
  });
});
