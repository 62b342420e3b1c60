import { describe, expect, it } from 'vitest';
import { exact, normalizeDecimal, parseExactJson, rawJson, stringifyExact } from './exact-json.js';

describe('exact JSON', () => {
  it('writes money as the exact decimal text, never a float round trip', () => {
    const body = { total_spend: exact('0.0015265'), a: [exact('0.1'), exact('0.2')], sum: exact('0.30000') };
    expect(stringifyExact(body)).toBe('{"total_spend":0.0015265,"a":[0.1,0.2],"sum":0.3}');
    // JSON.stringify of the float sum would have been 0.30000000000000004
    expect(stringifyExact({ x: exact('123456789012345678901234.000000000000000000000001') })).toBe(
      '{"x":123456789012345678901234.000000000000000000000001}',
    );
  });

  it('normalizes NUMERIC text to its shortest form', () => {
    expect(normalizeDecimal('0.0030000')).toBe('0.003');
    expect(normalizeDecimal('12.000')).toBe('12');
    expect(normalizeDecimal('-0.00')).toBe('0');
    expect(normalizeDecimal('1e-7')).toBe('0.0000001');
    expect(normalizeDecimal('00042.5')).toBe('42.5');
    expect(() => normalizeDecimal('NaN')).toThrow(RangeError);
  });

  it('matches JSON.stringify for ordinary values and writes raw jsonb text verbatim', () => {
    const v = { s: 'a"b\n', n: 3, b: false, nul: null, u: undefined, arr: [1, 'x', null], d: new Date(0) };
    expect(stringifyExact(v)).toBe(JSON.stringify(v));
    expect(stringifyExact({ m: rawJson('{"price": 0.10000000000000000001}') })).toBe(
      '{"m":{"price": 0.10000000000000000001}}',
    );
  });

  it('parses JSON keeping numbers as exact text', () => {
    expect(parseExactJson('{"a":0.10000000000000000001,"b":[1,true,null,"x"],"c":{}}')).toEqual({
      a: '0.10000000000000000001',
      b: ['1', true, null, 'x'],
      c: {},
    });
    expect(() => parseExactJson('{"a":1,}')).toThrow(SyntaxError);
  });
});
