/**
 * Dates in a chosen time zone, with fixed instants (never the wall clock).
 */
import { describe, expect, it } from 'vitest';
import { addDays, formatTime, isDay, today } from './time';

const T = Date.parse('2024-05-31T23:30:00Z');

describe('time', () => {
  it('today() is the calendar date in the zone', () => {
    expect(today('UTC', 0, T)).toBe('2024-05-31');
    expect(today('Europe/Paris', 0, T)).toBe('2024-06-01'); // 01:30 CEST
    expect(today('America/New_York', -29, T)).toBe('2024-05-02');
  });

  it('formats log times in the zone', () => {
    expect(formatTime('2024-05-31T23:30:00.123456Z', 'UTC')).toBe('2024-05-31 23:30:00');
    expect(formatTime('2024-05-31T23:30:00.123456Z', 'Asia/Kolkata')).toBe('2024-06-01 05:00:00');
    expect(formatTime(undefined, 'UTC')).toBe('–');
  });

  it('validates and moves calendar days', () => {
    expect(isDay('2024-02-29')).toBe(true);
    expect(isDay('2023-02-29')).toBe(false);
    expect(isDay('2024-5-1')).toBe(false);
    expect(addDays('2024-03-30', 2)).toBe('2024-04-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});
