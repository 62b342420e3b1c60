import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../pricing/money.js';
import { isoOfMs, spendText } from './spend-row.js';

/** What spendText did before its shortcut for formatMoney's own text. */
function spendTextSlow(text: string): string {
  try {
    return formatMoney(parseMoney(text));
  } catch {
    return text;
  }
}

describe('row timestamps', () => {
  it('isoOfMs writes what toISOString writes, whatever order the seconds come in', () => {
    const cases = [0, 1, 9, 10, 99, 100, 999, 1000, 1_764_674_183_682, 253_402_300_799_999];
    for (const ms of cases) expect(isoOfMs(ms)).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 253_402_300_799_999 }), { maxLength: 20 }), (list) => {
        for (const ms of list) expect(isoOfMs(ms)).toBe(new Date(ms).toISOString());
        // Neighbouring milliseconds, as the start and end of calls come in.
        for (const ms of list)
          for (const d of [0, 1, -1, 999, 1000]) {
            const t = Math.max(0, ms + d);
            expect(isoOfMs(t)).toBe(new Date(t).toISOString());
          }
      }),
      { numRuns: 300 },
    );
  });
});

describe('spend text', () => {
  it('keeps formatMoney output as it is and still normalises every other decimal', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), (m) => {
        const text = formatMoney(m);
        expect(spendText(text)).toBe(text);
      }),
      { numRuns: 2000 },
    );
    for (const t of [
      '-0',
      '0.000090',
      '00.5',
      '1e-5',
      '+3',
      '.5',
      '5.',
      '-0.0',
      '1.50',
      '0.1234567890123456789012345',
    ])
      expect(spendText(t)).toBe(spendTextSlow(t));
    expect(spendText('-0')).toBe('0');
    expect(spendText('0.000090')).toBe('0.00009');
    // More than 24 decimals: NUMERIC keeps them, unchanged.
    expect(spendText('0.1234567890123456789012345')).toBe('0.1234567890123456789012345');
    expect(() => spendText('1,5')).toThrow(/not a decimal number/);
  });

  it('agrees with the long way on random decimal text', () => {
    const decimal = fc
      .tuple(
        fc.constantFrom('', '-', '+'),
        fc.stringMatching(/^[0-9]{0,6}$/),
        fc.option(fc.stringMatching(/^[0-9]{0,30}$/)),
      )
      .filter(([, w, f]) => w !== '' || (f !== null && f !== ''))
      .map(([s, w, f]) => `${s}${w}${f === null ? '' : `.${f}`}`);
    fc.assert(
      fc.property(decimal, (t) => {
        expect(spendText(t)).toBe(spendTextSlow(t));
      }),
      { numRuns: 3000 },
    );
  });
});
