import { describe, expect, it } from 'vitest';
import { Cooldowns } from './cooldowns.js';

describe('deployment cooldown (allowed_fails + cooldown_time)', () => {
  const make = (over: Partial<ConstructorParameters<typeof Cooldowns>[0]> = {}) => {
    let now = 1_000_000 * 60_000; // a whole minute
    const c = new Cooldowns({
      allowedFails: 2,
      allowedFailsPolicy: {},
      cooldownMs: 30_000,
      disabled: false,
      now: () => now,
      ...over,
    });
    return { c, tick: (ms: number) => (now += ms), now: () => now };
  };

  it('cools a deployment down once it fails more than allowed_fails times in a minute, for cooldown_time', () => {
    const { c, tick, now } = make();
    expect(c.recordFailure('a', 'InternalServerError', 500, 3)).toBe(false);
    expect(c.recordFailure('a', 'InternalServerError', 500, 3)).toBe(false);
    expect(c.coolingUntil('a')).toBe(0);
    expect(c.recordFailure('a', 'InternalServerError', 500, 3)).toBe(true);
    expect(c.coolingUntil('a')).toBe(now() + 30_000);
    tick(29_999);
    expect(c.coolingUntil('a')).toBeGreaterThan(0);
    tick(1);
    expect(c.coolingUntil('a')).toBe(0);
  });

  it('failures in an earlier minute do not count', () => {
    const { c, tick } = make();
    c.recordFailure('a', 'TimeoutError', 504, 2);
    c.recordFailure('a', 'TimeoutError', 504, 2);
    tick(60_000);
    expect(c.recordFailure('a', 'TimeoutError', 504, 2)).toBe(false);
  });

  it('a 429 cools down at once, unless allowed_fails_policy tolerates rate limits', () => {
    expect(make().c.recordFailure('a', 'RateLimitError', 429, 2)).toBe(true);
    const tolerant = make({ allowedFailsPolicy: { RateLimitError: 3 } }).c;
    for (let i = 0; i < 3; i++) expect(tolerant.recordFailure('a', 'RateLimitError', 429, 2)).toBe(false);
    expect(tolerant.recordFailure('a', 'RateLimitError', 429, 2)).toBe(true);
  });

  it('never cools down the only deployment of a group, nor with disable_cooldowns', () => {
    const { c } = make();
    for (let i = 0; i < 5; i++) expect(c.recordFailure('solo', 'RateLimitError', 429, 1)).toBe(false);
    const off = make({ disabled: true }).c;
    for (let i = 0; i < 5; i++) expect(off.recordFailure('a', 'RateLimitError', 429, 3)).toBe(false);
    expect(off.coolingUntil('a')).toBe(0);
  });
});
