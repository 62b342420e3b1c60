import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatMoney,
  isMoneyText,
  MONEY_SCALE,
  mulInt,
  mulMillis,
  parseMoney,
  sumMoney,
  ZERO,
} from './money.js';

describe('money', () => {
  it('parses decimal text, exponent forms and numbers exactly', () => {
    expect(parseMoney('0.000420')).toBe(420n * 10n ** 18n);
    expect(parseMoney('4.2e-4')).toBe(parseMoney('0.00042'));
    expect(parseMoney(4.2e-4)).toBe(parseMoney('0.00042'));
    expect(parseMoney(2.0751953125e-9)).toBe(20751953125n * 10n ** 5n);
    expect(parseMoney('3')).toBe(3n * 10n ** 24n);
    expect(parseMoney(3n)).toBe(3n * 10n ** 24n);
    expect(parseMoney('-1.5')).toBe(-15n * 10n ** 23n);
    expect(parseMoney('.5')).toBe(5n * 10n ** 23n);
    expect(parseMoney('1e2')).toBe(100n * 10n ** 24n);
    expect(parseMoney(' 0.1 ')).toBe(10n ** 23n);
  });

  it('rejects non-numbers, NaN, infinities and too many decimals', () => {
    for (const bad of ['', 'abc', '1.2.3', '0x10', '1e', '.', '--1'])
      expect(() => parseMoney(bad)).toThrow(RangeError);
    expect(() => parseMoney(Number.NaN)).toThrow(RangeError);
    expect(() => parseMoney(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => parseMoney(`0.${'0'.repeat(24)}1`)).toThrow(/decimal places/);
    expect(parseMoney(`0.${'0'.repeat(23)}1000`)).toBe(1n); // trailing zeros beyond scale are fine
    expect(isMoneyText('0.1')).toBe(true);
    expect(isMoneyText('x')).toBe(false);
  });

  it('formats in shortest exact form', () => {
    expect(formatMoney(parseMoney('0.012'))).toBe('0.012');
    expect(formatMoney(ZERO)).toBe('0');
    expect(formatMoney(parseMoney('-0.5'))).toBe('-0.5');
    expect(formatMoney(parseMoney('12'))).toBe('12');
    expect(formatMoney(1n)).toBe(`0.${'0'.repeat(MONEY_SCALE - 1)}1`);
    expect(formatMoney(-1n)).toBe(`-0.${'0'.repeat(MONEY_SCALE - 1)}1`);
    // Whole amounts whose digits end in zeros, and a fraction that starts right at the point.
    expect(formatMoney(parseMoney('100000'))).toBe('100000');
    expect(formatMoney(parseMoney('120.5'))).toBe('120.5');
    expect(formatMoney(parseMoney('0.1'))).toBe('0.1');
    expect(formatMoney(parseMoney('123456.78901234567890123456789'))).toBe('123456.78901234567890123456789');
  });

  it('0.1 + 0.2 is 0.3 (no float artefacts)', () => {
    expect(formatMoney(parseMoney(0.1) + parseMoney(0.2))).toBe('0.3');
    expect(formatMoney(mulInt(parseMoney('0.000003'), 1000) + mulInt(parseMoney('0.0000003'), 5000))).toBe(
      '0.0045',
    );
  });

  it('mulMillis: per-second price × milliseconds, exact', () => {
    expect(formatMoney(mulMillis(parseMoney('0.000420'), 5000))).toBe('0.0021');
    expect(formatMoney(mulMillis(parseMoney('0.000420'), 1))).toBe('0.00000042');
    expect(mulMillis(1n, 1)).toBe(0n); // 0.001 yocto rounds half-up to 0
    expect(mulMillis(1n, 500)).toBe(1n);
  });

  it('sumMoney adds', () => {
    expect(sumMoney([1n, 2n, 3n])).toBe(6n);
    expect(sumMoney([])).toBe(0n);
  });

  it('property: formatMoney/parseMoney round trip for any bigint', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
        (m) => parseMoney(formatMoney(m)) === m,
      ),
    );
  });

  it('property: any JS number with <= 24 decimals parses to the decimal of its shortest text', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 15 }), (digits, exp) => {
        const n = digits / 10 ** exp; // a float; its shortest text is what an author would have written
        const text = String(n);
        return formatMoney(parseMoney(n)) === formatMoney(parseMoney(text));
      }),
    );
  });

  it('property: formatted money never shows float artefacts', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 ** 6 }),
        fc.integer({ min: 0, max: 10 ** 7 }),
        (micro, qty) => {
          const price = parseMoney(`${micro}e-12`);
          const s = formatMoney(mulInt(price, qty));
          // exact: equals integer arithmetic in units of 1e-12 USD, and printed with no trailing zeros
          const frac = s.split('.')[1] ?? '';
          return (
            parseMoney(s) === BigInt(micro) * BigInt(qty) * 10n ** 12n &&
            frac.length <= 12 &&
            !frac.endsWith('0')
          );
        },
      ),
    );
  });
});
