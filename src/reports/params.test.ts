import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import {
  apiKeyHash,
  intParam,
  listParam,
  parseDate,
  parseTimezone,
  rangeOrLastDays,
  requiredRange,
} from './params.js';

function badMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    expect((e as GatewayError).status).toBe(400);
    expect((e as GatewayError).code).toBe('TG_ERR_BAD_REQUEST');
    return (e as Error).message;
  }
  throw new Error('expected a GatewayError');
}

describe('report parameters', () => {
  it('accepts real calendar dates only', () => {
    expect(parseDate('2024-02-29', 'start_date')).toBe('2024-02-29');
    expect(badMessage(() => parseDate('2023-02-29', 'start_date'))).toMatch(
      /Invalid start_date "2023-02-29".*YYYY-MM-DD/,
    );
    expect(badMessage(() => parseDate('05/01/2024', 'end_date'))).toMatch(/Invalid end_date/);
    expect(badMessage(() => parseDate('2024-13-01', 'end_date'))).toMatch(/Invalid end_date/);
  });

  it('requires both dates, in order', () => {
    expect(requiredRange({ start_date: '2024-05-01', end_date: '2024-05-01' })).toEqual({
      start: '2024-05-01',
      end: '2024-05-01',
      timezone: 'UTC',
    });
    expect(badMessage(() => requiredRange({ start_date: '2024-05-01' }))).toMatch(
      /provide start_date and end_date/,
    );
    expect(badMessage(() => requiredRange({ start_date: '2024-05-02', end_date: '2024-05-01' }))).toMatch(
      /end_date 2024-05-01 is before start_date 2024-05-02/,
    );
  });

  it('validates IANA time zones and refuses raw offsets', () => {
    expect(parseTimezone(undefined)).toBe('UTC');
    expect(parseTimezone('Asia/Kolkata')).toBe('Asia/Kolkata');
    expect(badMessage(() => parseTimezone('Mars/Olympus'))).toMatch(/Invalid timezone "Mars\/Olympus"/);
    expect(badMessage(() => parseTimezone('+05:30'))).toMatch(/IANA/);
  });

  it('defaults to the last 30 days (UTC, inclusive)', () => {
    const now = Date.parse('2024-05-31T15:00:00Z');
    expect(rangeOrLastDays({}, 30, now)).toEqual({ start: '2024-05-01', end: '2024-05-31', timezone: 'UTC' });
  });

  it('hashes raw keys like the logs store them, keeps hashes', () => {
    const h = createHash('sha256').update('sk-1234').digest('hex');
    expect(apiKeyHash('sk-1234')).toBe(h);
    expect(apiKeyHash(h.toUpperCase())).toBe(h);
  });

  it('parses limits and lists', () => {
    expect(intParam({ limit: '5' }, 'limit', 10, 1, 100)).toBe(5);
    expect(intParam({}, 'limit', 10, 1, 100)).toBe(10);
    expect(badMessage(() => intParam({ limit: '0' }, 'limit', 10, 1, 100))).toMatch(/from 1 to 100/);
    expect(badMessage(() => intParam({ limit: 'x' }, 'limit', 10, 1, 100))).toMatch(/whole number/);
    expect(listParam({ tags: 'a, b,,c' }, 'tags')).toEqual(['a', 'b', 'c']);
    expect(listParam({ tags: ['a', 'b,c'] }, 'tags')).toEqual(['a', 'b', 'c']);
  });
});
