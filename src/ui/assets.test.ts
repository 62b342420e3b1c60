/**
 * The dashboard's browser modules that hold the exactness rules (ui/assets/json.js, format.js),
 * run in Node: numbers are kept as their exact text, money is displayed without float rounding.
 */

import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultUiDir } from './routes.js';

type Fn = (...args: unknown[]) => unknown;
const load = async (name: string) =>
  (await import(pathToFileURL(join(defaultUiDir(), 'assets', name)).href)) as Record<string, Fn>;

describe('ui/assets/json.js parseExactJson', () => {
  it('keeps every digit of every number', async () => {
    const { parseExactJson } = await load('json.js');
    const text =
      '{"spend":0.000000123456789012345678,"total":0.0015265,"n":28,"neg":-1.5e-7,"s":"a \\"q\\" \\u00e9","a":[true,false,null,{}],"e":[]}';
    expect(parseExactJson(text)).toEqual({
      spend: '0.000000123456789012345678',
      total: '0.0015265',
      n: '28',
      neg: '-1.5e-7',
      s: 'a "q" é',
      a: [true, false, null, {}],
      e: [],
    });
    expect(JSON.parse('0.1000000000000000055511151231257827')).toBe(0.1); // what JSON.parse would lose
    expect(parseExactJson(' 0.1000000000000000055511151231257827 ')).toBe(
      '0.1000000000000000055511151231257827',
    );
  });

  it('rejects malformed JSON', async () => {
    const { parseExactJson } = await load('json.js');
    for (const bad of ['{', '{"a":}', '[1,]', '"open', '{"a":1}x', 'NaN']) {
      expect(() => parseExactJson(bad), bad).toThrow(SyntaxError);
    }
  });
});

describe('ui/assets/format.js', () => {
  it('formatUsd shows the exact decimal text, grouped, padded to two places, never rounded', async () => {
    const { formatUsd } = await load('format.js');
    expect(formatUsd('0.000345')).toBe('$0.000345');
    expect(formatUsd('0.000000123456789012345678')).toBe('$0.000000123456789012345678');
    expect(formatUsd('1234.5')).toBe('$1,234.50');
    expect(formatUsd('1234567')).toBe('$1,234,567.00');
    expect(formatUsd('0')).toBe('$0.00');
    expect(formatUsd('12.999999999999999999')).toBe('$12.999999999999999999');
    expect(formatUsd('-0.25')).toBe('-$0.25');
    expect(formatUsd(null)).toBe('–');
    expect(formatUsd('n/a')).toBe('n/a');
  });

  it('formatInt groups whole numbers', async () => {
    const { formatInt } = await load('format.js');
    expect(formatInt('1234567')).toBe('1,234,567');
    expect(formatInt('28')).toBe('28');
    expect(formatInt(undefined)).toBe('–');
  });

  it('addDecimals sums exactly', async () => {
    const { addDecimals } = await load('format.js');
    expect(addDecimals(['0.1', '0.2'])).toBe('0.3');
    expect(addDecimals(['0.000000123456789012345678', '1', '0'])).toBe('1.000000123456789012345678');
    expect(addDecimals(['0.5', '-0.5'])).toBe('0');
    expect(addDecimals(['-1.25', '0.05'])).toBe('-1.2');
    expect(addDecimals([])).toBe('0');
  });

  it('formatTime shows the UTC timestamp the API sent', async () => {
    const { formatTime } = await load('format.js');
    expect(formatTime('2024-05-01T10:00:03.123Z')).toBe('2024-05-01 10:00:03');
  });
});
