import { describe, expect, it } from 'vitest';
import { addDuration, currentPeriodEnd, isValidDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses LiteLLM duration strings', () => {
    expect(parseDuration('30s').ms).toBe(30_000);
    expect(parseDuration('30m').ms).toBe(1_800_000);
    expect(parseDuration('30min').ms).toBe(1_800_000);
    expect(parseDuration('1h').ms).toBe(3_600_000);
    expect(parseDuration('7d').ms).toBe(7 * 86_400_000);
    expect(parseDuration('2w').ms).toBe(14 * 86_400_000);
    expect(parseDuration('1mo')).toMatchObject({ ms: 0, months: 1 });
    expect(parseDuration('45').ms).toBe(45_000);
    for (const bad of ['', 'abc', '0s', '-1d', '1y', '1.5h']) expect(isValidDuration(bad)).toBe(false);
    expect(() => parseDuration('1y')).toThrow(/"30s", "1h"/);
  });

  it('adds calendar months in UTC, clamping to the end of the month', () => {
    expect(new Date(addDuration(Date.UTC(2031, 0, 31, 12), parseDuration('1mo'))).toISOString()).toBe(
      '2031-02-28T12:00:00.000Z',
    );
    expect(new Date(addDuration(Date.UTC(2031, 10, 15), parseDuration('3mo'))).toISOString()).toBe(
      '2032-02-15T00:00:00.000Z',
    );
  });

  it('computes the current period end on the grid anchored at budget_reset_at', () => {
    const d = parseDuration('30s');
    const anchor = 1_000_000;
    expect(currentPeriodEnd(anchor, d, anchor - 1)).toBe(anchor);
    expect(currentPeriodEnd(anchor, d, anchor)).toBe(anchor + 30_000);
    expect(currentPeriodEnd(anchor, d, anchor + 95_000)).toBe(anchor + 120_000);
    const mo = parseDuration('1mo');
    const jan = Date.UTC(2031, 0, 1);
    expect(currentPeriodEnd(jan, mo, Date.UTC(2031, 2, 10))).toBe(Date.UTC(2031, 3, 1));
  });
});
