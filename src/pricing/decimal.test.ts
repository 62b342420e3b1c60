import { describe, expect, it } from 'vitest';
import { compareDecimal, DecimalSum, sumDecimals } from './decimal.js';

describe('decimal sums', () => {
  it('adds decimal text exactly at any scale', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(sumDecimals(['0.000000000000000000000001', '1', '-0.5'])).toBe('0.500000000000000000000001');
    expect(new DecimalSum().toString()).toBe('0');
    expect(sumDecimals(['1.50', '2.50'])).toBe('4');
  });

  it('compares exactly', () => {
    expect(compareDecimal('0.3', '0.30000')).toBe(0);
    expect(compareDecimal('0.0000001', '0.00000009')).toBe(1);
    expect(compareDecimal('-1', '0')).toBe(-1);
  });
});
