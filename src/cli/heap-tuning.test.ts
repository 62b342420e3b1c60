import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from './heap-tuning.js';

describe('heapGrowingPercent', () => {
  it('defaults to 50 and takes a whole number, 0 meaning V8 decides', () => {
    expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(50);
    expect(heapGrowingPercent({})).toEqual({ percent: 50 });
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: ' 100 ' })).toEqual({ percent: 100 });
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: '0' })).toEqual({ percent: 0 });
  });

  it('keeps the default and says why for a value that is not a percent', () => {
    for (const raw of ['fast', '-5', '12.5', '5000']) {
      const r = heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: raw });
      expect(r.percent).toBe(50);
      expect(r.error).toContain(`not "${raw}"`);
    }
  });
});
