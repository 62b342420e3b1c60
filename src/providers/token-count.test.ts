import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  countPromptTokens,
  countPromptTokensDetailed,
  countTextTokens,
  countTextTokensDetailed,
  EXACT_BUDGET_CHARS,
  encodingForModel,
  MAX_RUN,
} from './token-count.js';

const require = createRequire(import.meta.url);
/** The tokenizer library counting a text in one piece (quadratic on long runs: small inputs only). */
const library = (text: string) =>
  (require('gpt-tokenizer/encoding/o200k_base') as { countTokens(t: string, o: object): number }).countTokens(
    text,
    { disallowedSpecial: new Set() },
  );

describe('token counting', () => {
  it('chooses o200k_base for the gpt-4o/4.1/5/o-series families and cl100k_base otherwise', () => {
    for (const m of [
      'gpt-4o',
      'openai/gpt-4o-mini',
      'gpt-4.1-nano',
      'o3-mini',
      'azure/o1',
      'gpt-5',
      'chatgpt-4o-latest',
    ]) {
      expect(encodingForModel(m), m).toBe('o200k_base');
    }
    for (const m of ['gpt-4', 'gpt-3.5-turbo', 'claude-3-5-sonnet', 'llama3', undefined]) {
      expect(encodingForModel(m), String(m)).toBe('cl100k_base');
    }
  });

  it('counts text with the real tokenizer', () => {
    expect(countTextTokens('hello world', 'gpt-4o')).toBe(2);
    expect(countTextTokens('', 'gpt-4o')).toBe(0);
    // Special-token text is counted, not rejected.
    expect(countTextTokens('<|endoftext|>', 'gpt-4')).toBeGreaterThan(0);
  });

  it('counts chat messages with the cookbook overhead (3 per message + 3 priming)', () => {
    const body = { messages: [{ role: 'user', content: 'hello world' }] };
    // 3 (message) + 1 ("user") + 2 ("hello world") + 3 (priming)
    expect(countPromptTokens(body, 'gpt-4o')).toBe(9);
    const withName = { messages: [{ role: 'user', content: 'hello world', name: 'bob' }] };
    expect(countPromptTokens(withName, 'gpt-4o')).toBe(9 + 1 + countTextTokens('bob', 'gpt-4o'));
  });

  it('counts content parts, prompts, embedding inputs and Anthropic system', () => {
    const parts = {
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'hello world' },
            { type: 'image_url', image_url: { url: 'x' } },
          ],
        },
      ],
    };
    expect(countPromptTokens(parts, 'gpt-4o')).toBe(9 + 85);
    expect(countPromptTokens({ prompt: 'hello world' }, 'gpt-4o')).toBe(2);
    expect(countPromptTokens({ input: ['hello world', 'hello'] }, 'gpt-4o')).toBe(3);
    expect(countPromptTokens({ system: 'hello world', messages: [] }, 'gpt-4o')).toBe(3 + 2);
  });

  it('chunked counting equals the tokenizer on ordinary text (words, punctuation, newlines, digits)', () => {
    const word = fc.oneof(
      fc.constantFrom(
        'the',
        'gateway',
        'counts',
        'every',
        'token',
        'élan',
        '日本語',
        '2025',
        '3.14',
        ',',
        '.',
        '!',
      ),
      fc.string({ minLength: 1, maxLength: 12, unit: 'grapheme-ascii' }).filter((w) => !/\s/.test(w)),
    );
    const sep = fc.constantFrom(' ', ' ', ' ', '\n', '  ', '\t');
    fc.assert(
      fc.property(fc.array(fc.tuple(word, sep), { maxLength: 600 }), (parts) => {
        const text = parts.map(([w, s]) => w + s).join('');
        const r = countTextTokensDetailed(text, 'gpt-4o');
        expect(r).toEqual({ tokens: library(text), exact: true });
      }),
      { numRuns: 60 },
    );
  });

  it('cuts a run without whitespace every MAX_RUN characters: a 4,000-character run counts as the tokenizer does', () => {
    for (const run of ['a'.repeat(4000), '7'.repeat(4000)]) {
      expect(countTextTokensDetailed(run, 'gpt-4o')).toEqual({ tokens: library(run), exact: true });
    }
    // A surrogate pair is never split at a cut.
    const emoji = '😀'.repeat(MAX_RUN * 3);
    expect(countTextTokens(emoji, 'gpt-4o')).toBe(library(emoji));
  });

  it('beyond the exact budget estimates linearly, flagged, within [0.1, 1] token per UTF-8 byte', () => {
    const big = 'x'.repeat(EXACT_BUDGET_CHARS * 4);
    const r = countTextTokensDetailed(big, 'gpt-4o');
    expect(r.exact).toBe(false);
    expect(r.tokens).toBeGreaterThanOrEqual(big.length * 0.1);
    expect(r.tokens).toBeLessThanOrEqual(big.length);
    // One prompt shares one budget: many messages that together exceed it are an estimate too.
    const body = {
      messages: Array.from({ length: 8 }, () => ({
        role: 'user',
        content: 'word '.repeat(EXACT_BUDGET_CHARS / 20),
      })),
    };
    const p = countPromptTokensDetailed(body, 'gpt-4o');
    expect(p.exact).toBe(false);
    expect(p.tokens).toBeGreaterThan(0);
    expect(
      countPromptTokensDetailed({ messages: [{ role: 'user', content: 'hello world' }] }, 'gpt-4o'),
    ).toEqual({
      tokens: 9,
      exact: true,
    });
  });
});
