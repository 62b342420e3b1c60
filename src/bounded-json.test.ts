import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundJson, isPlainJsonWithin, TRUNCATED_MARK } from './bounded-json.js';

const LIMITS = { maxDepth: 8, maxBytes: 4096, maxKeys: 64 };

describe('boundJson', () => {
  it('returns plain JSON unchanged with no cuts', () => {
    const v = { a: 1, b: [true, null, 'x'], c: { d: 'é', e: [] } };
    expect(boundJson(v, LIMITS)).toMatchObject({ value: v, cuts: [], depth: 3 });
  });

  it('cuts nesting past maxDepth without recursing into it (100,000 levels)', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const b = boundJson({ deep }, LIMITS);
    expect(b.cuts).toEqual(['depth']);
    let v = (b.value as { deep: unknown }).deep;
    let levels = 1; // the wrapping object, then one level per array kept
    while (Array.isArray(v)) {
      v = v[0];
      levels++;
    }
    expect(v).toBe(TRUNCATED_MARK);
    expect(levels).toBe(LIMITS.maxDepth);
  });

  it('bounds size, keys, and replaces cycles, BigInt and throwing getters', () => {
    const big = boundJson({ s: 'x'.repeat(100_000), small: 'kept' }, { ...LIMITS, maxString: 512 });
    expect(big.cuts).toEqual(['bytes']);
    expect((big.value as { small: string }).small).toBe('kept');
    expect(JSON.stringify(big.value).length).toBeLessThan(LIMITS.maxBytes);

    const many = boundJson(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])), LIMITS);
    expect(many.cuts).toEqual(['keys']);
    expect(Object.keys(many.value as object)).toHaveLength(LIMITS.maxKeys + 1);

    const cyc: Record<string, unknown> = { n: 10n };
    cyc.self = cyc;
    Object.defineProperty(cyc, 'bad', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const b = boundJson(cyc, LIMITS);
    expect(b.value).toEqual({ n: '10', self: '[Circular]', bad: TRUNCATED_MARK });
    expect(b.cuts.sort()).toEqual(['cycle', 'unserializable']);
  });

  it('keeps "__proto__" as a plain key', () => {
    const v = JSON.parse('{"__proto__":{"x":1}}');
    expect(JSON.stringify(boundJson(v, LIMITS).value)).toBe('{"__proto__":{"x":1}}');
  });

  it('property: any JSON value comes back stringifiable within the limits, unchanged when it fits', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => {
        const b = boundJson(v, LIMITS);
        const text = JSON.stringify(b.value);
        expect(typeof text === 'string' || b.value === undefined).toBe(true);
        if (b.cuts.length === 0) expect(text).toBe(JSON.stringify(v));
        else expect(b.depth > LIMITS.maxDepth || b.bytes > 0).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('isPlainJsonWithin is true exactly when boundJson would change nothing (plain JSON values)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), (v) => {
        expect(isPlainJsonWithin(v, LIMITS)).toBe(boundJson(v, LIMITS).cuts.length === 0);
      }),
      { numRuns: 300 },
    );
    const cyc: Record<string, unknown> = {};
    cyc.self = cyc;
    expect(isPlainJsonWithin(cyc, LIMITS)).toBe(false);
    expect(isPlainJsonWithin({ n: 1n }, LIMITS)).toBe(false);
    expect(isPlainJsonWithin({ d: new Date(0) }, LIMITS)).toBe(false);
  });
});
