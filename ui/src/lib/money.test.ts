/**
 * Money display and the console's own exact arithmetic (BigInt on scaled integers, never floats).
 */
import { describe, expect, it } from 'vitest';
import { JsonNumber } from './exact-json';
import {
  addDecimals,
  basisPoints,
  compareDecimal,
  formatInt,
  formatUsd,
  isMoneyInput,
  moneyText,
  shiftDecimal,
  toPlainDecimal,
} from './money';

describe('formatUsd', () => {
  it('shows the exact decimal text, grouped, padded to two places, never rounded', () => {
    expect(formatUsd('0.000345')).toBe('$0.000345');
    expect(formatUsd(new JsonNumber('0.000000123456789012345678'))).toBe('$0.000000123456789012345678');
    expect(formatUsd('1234.5')).toBe('$1,234.50');
    expect(formatUsd('1234567')).toBe('$1,234,567.00');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd('12.999999999999999999')).toBe('$12.999999999999999999');
    expect(formatUsd('-0.25')).toBe('-$0.25');
    expect(formatUsd('1.3e-7')).toBe('$0.00000013');
    expect(formatUsd(null)).toBe('–');
    expect(formatUsd('n/a')).toBe('n/a');
  });
});

describe('exact decimal helpers', () => {
  it('expands exponent notation exactly', () => {
    expect(toPlainDecimal('1.3e-7')).toBe('0.00000013');
    expect(toPlainDecimal('2.5E3')).toBe('2500');
    expect(toPlainDecimal('-4e-2')).toBe('-0.04');
    expect(toPlainDecimal('0.0')).toBe('0.0');
    expect(toPlainDecimal('abc')).toBeNull();
    expect(moneyText(new JsonNumber('5e-24'))).toBe('0.000000000000000000000005');
  });

  it('adds exactly', () => {
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3'); // 0.1 + 0.2 in floats is 0.30000000000000004
    expect(addDecimals(['0.000000123456789012345678', '1', new JsonNumber('0')])).toBe(
      '1.000000123456789012345678',
    );
    expect(addDecimals(['0.5', '-0.5'])).toBe('0');
    expect(addDecimals(['-1.25', '0.05'])).toBe('-1.2');
    expect(addDecimals([])).toBe('0');
  });

  it('compares and shifts exactly', () => {
    expect(compareDecimal('0.30', '0.3')).toBe(0);
    expect(compareDecimal('0.000000000000000000000002', '0.000000000000000000000001')).toBe(1);
    expect(compareDecimal('-1', '0')).toBe(-1);
    // 0.0000025 USD per token = 2.5 USD per million tokens
    expect(shiftDecimal('0.0000025', 6)).toBe('2.5');
    expect(shiftDecimal('0.0000013', 6)).toBe('1.3');
    expect(shiftDecimal('3', 6)).toBe('3000000');
  });

  it('basis points of a budget are floored with BigInt', () => {
    // 0.42 / 10 = 4.2% = 420 bp
    expect(basisPoints('0.42', '10')).toBe(420);
    // 1/3 = 3333.33… bp → 3333
    expect(basisPoints('1', '3')).toBe(3333);
    expect(basisPoints('12', '10')).toBe(12000);
    expect(basisPoints('1', null)).toBeNull();
    expect(basisPoints('1', '0')).toBeNull();
  });

  it('accepts only plain non-negative amounts as form input', () => {
    for (const ok of ['10', '0.25', '0.000001', '12.5 ']) expect(isMoneyInput(ok), ok).toBe(true);
    for (const bad of ['-1', '$5', '1e-3', '1,000', '', '.5', 'abc'])
      expect(isMoneyInput(bad), bad).toBe(false);
  });

  it('groups whole numbers', () => {
    expect(formatInt('1234567')).toBe('1,234,567');
    expect(formatInt(new JsonNumber('28'))).toBe('28');
    expect(formatInt(undefined)).toBe('–');
  });
});
