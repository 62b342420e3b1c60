/**
 * The console's exact JSON parser: every number kept as its source text (money never goes through
 * a double), malformed or too deep input refused, and printing back keeps the numbers exact.
 */
import { describe, expect, it } from 'vitest';
import { count, JsonNumber, numText, parseExactJson, stringifyExact } from './exact-json';

describe('parseExactJson', () => {
  it('keeps every digit of every number', () => {
    const v = parseExactJson(
      '{"spend":0.000000123456789012345678,"total":0.0015265,"n":28,"neg":-1.5e-7,"s":"a \\"q\\" \\u00e9","a":[true,false,null,{}],"e":[]}',
    ) as Record<string, unknown>;
    expect(v.spend).toBeInstanceOf(JsonNumber);
    expect(numText(v.spend)).toBe('0.000000123456789012345678');
    expect(numText(v.total)).toBe('0.0015265');
    expect(numText(v.neg)).toBe('-1.5e-7');
    expect(v.s).toBe('a "q" é');
    expect(v.a).toEqual([true, false, null, {}]);
    expect(v.e).toEqual([]);
    expect(count(v.n)).toBe(28);
    // What JSON.parse would lose:
    expect(JSON.parse('0.1000000000000000055511151231257827')).toBe(0.1);
    expect(numText(parseExactJson(' 0.1000000000000000055511151231257827 '))).toBe(
      '0.1000000000000000055511151231257827',
    );
  });

  it('rejects malformed JSON and absurd nesting', () => {
    for (const bad of ['{', '{"a":}', '[1,]', '"open', '{"a":1}x', 'NaN', '01', '{a:1}']) {
      expect(() => parseExactJson(bad), bad).toThrow(SyntaxError);
    }
    expect(() => parseExactJson(`${'['.repeat(500)}${']'.repeat(500)}`)).toThrow(/nested too deeply/);
  });

  it('prints a parsed value back with numbers unquoted and exact', () => {
    const text =
      '{"usage":{"prompt_tokens":12,"cost":0.000000000000000000000001,"note":"12"},"list":[1.50,{}]}';
    expect(stringifyExact(parseExactJson(text), 0).replace(/\s+/g, '')).toBe(
      '{"usage":{"prompt_tokens":12,"cost":0.000000000000000000000001,"note":"12"},"list":[1.50,{}]}',
    );
  });
});
