import { describe, expect, it } from 'vitest';
import { GatewayError } from '../errors.js';
import { MAX_BODY_DEPTH, METADATA_LIMITS, validateRequestParams } from './request-params.js';

const chat = (extra: Record<string, unknown>) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

function error(fn: () => void): GatewayError {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error('expected a GatewayError');
}

describe('validateRequestParams', () => {
  it.each([
    [
      { max_tokens: 0 },
      'max_tokens',
      "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.",
    ],
    [{ max_tokens: -1 }, 'max_tokens', 'below minimum'],
    [{ max_tokens: '100' }, 'max_tokens', 'expected an integer, but got "100" instead.'],
    [{ max_tokens: {} }, 'max_tokens', 'expected an integer, but got an object instead.'],
    [{ max_tokens: 1.5 }, 'max_tokens', 'expected an integer'],
    [{ max_completion_tokens: 0 }, 'max_completion_tokens', 'below minimum'],
    [{ max_tokens: 2 ** 31 }, 'max_tokens', 'above maximum'],
    [{ temperature: 3 }, 'temperature', 'decimal above maximum value. Expected a value <= 2'],
    [{ temperature: 'hot' }, 'temperature', 'expected a number'],
    [{ top_p: -0.1 }, 'top_p', 'below minimum'],
    [{ n: 0 }, 'n', 'below minimum'],
    [{ stream: 'yes' }, 'stream', 'expected a boolean'],
    [{ stop: ['a', 'b', 'c', 'd', 'e'] }, 'stop', 'at most 4 items'],
    [{ stop: 5 }, 'stop', 'string or an array of strings'],
    [{ presence_penalty: 2.5 }, 'presence_penalty', 'above maximum'],
    [{ logit_bias: { '50256': -101 } }, 'logit_bias.50256', 'below minimum'],
    [{ logit_bias: { word: 1 } }, 'logit_bias', 'token ids'],
    [{ user: 42 }, 'user', 'expected a string'],
    [{ user: 'a\u0000b' }, 'user', 'control characters'],
    [{ user: 'x'.repeat(257) }, 'user', 'at most 256 characters'],
    [{ metadata: [] }, 'metadata', 'expected an object'],
    [{ metadata: { tags: 'x' } }, 'metadata.tags', 'array of strings'],
    [{ tags: ['ok', 'bad\u0000'] }, 'tags', 'control characters'],
  ])('refuses %j with a 400 naming %s', (extra, param, message) => {
    const e = error(() => validateRequestParams('chat', chat(extra)));
    expect(e).toMatchObject({ status: 400, code: 'TG_ERR_BAD_REQUEST', param });
    expect(e.message).toContain(message);
  });

  it('accepts what the OpenAI API accepts, null meaning "not set"', () => {
    expect(() =>
      validateRequestParams(
        'chat',
        chat({
          max_tokens: 1,
          max_completion_tokens: null,
          temperature: 0,
          top_p: 1,
          n: 2,
          stream: true,
          stream_options: { include_usage: true },
          stop: ['\n'],
          presence_penalty: -2,
          logit_bias: { '50256': -100 },
          seed: -5,
          logprobs: true,
          top_logprobs: 3,
          user: 'customer-1',
          metadata: { tags: ['a', 'b'], trace: { id: 'x', spans: [1, 2, 3] } },
          tags: ['c'],
        }),
      ),
    ).not.toThrow();
    expect(() => validateRequestParams('completion', { prompt: 'x', logprobs: 5, best_of: 2 })).not.toThrow();
    expect(() => validateRequestParams('embedding', { input: 'x', dimensions: 256 })).not.toThrow();
  });

  it('uses each API’s own ranges: Anthropic temperature ≤ 1, image n ≤ 10, completion logprobs an integer', () => {
    expect(
      error(() => validateRequestParams('anthropic_messages', { max_tokens: 10, temperature: 1.5 })).param,
    ).toBe('temperature');
    expect(() => validateRequestParams('chat', chat({ temperature: 1.5 }))).not.toThrow();
    expect(error(() => validateRequestParams('image_generation', { prompt: 'x', n: 11 })).param).toBe('n');
    expect(error(() => validateRequestParams('completion', { prompt: 'x', logprobs: true })).param).toBe(
      'logprobs',
    );
    expect(
      error(() => validateRequestParams('embedding', { input: 'x', encoding_format: 'hex' })).param,
    ).toBe('encoding_format');
    // The Responses API: tools is an array, max_output_tokens a positive integer.
    expect(error(() => validateRequestParams('responses', { input: 'x', tools: '\u0000' })).param).toBe(
      'tools',
    );
    expect(error(() => validateRequestParams('responses', { input: 'x', max_output_tokens: 0 })).param).toBe(
      'max_output_tokens',
    );
    expect(() =>
      validateRequestParams('responses', { input: 'x', tools: [], tool_choice: 'auto', store: false }),
    ).not.toThrow();
  });

  it('refuses any body field nested deeper than the body limit (a 5,000-level tools array)', () => {
    let deep: unknown = [];
    for (let i = 0; i < 5000; i++) deep = [deep];
    const e = error(() => validateRequestParams('chat', chat({ tools: deep })));
    expect(e).toMatchObject({ param: 'tools', status: 400 });
    let ok: unknown = {};
    for (let i = 1; i < MAX_BODY_DEPTH - 1; i++) ok = { p: ok };
    expect(() => validateRequestParams('chat', chat({ response_format: ok }))).not.toThrow();
  });

  it('bounds metadata depth, size and key count (5,000 levels refused without a stack overflow)', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    expect(error(() => validateRequestParams('chat', chat({ metadata: deep }))).message).toContain(
      `at most ${METADATA_LIMITS.maxDepth} levels`,
    );
    let ok: Record<string, unknown> = { leaf: 1 };
    for (let i = 1; i < METADATA_LIMITS.maxDepth; i++) ok = { d: ok };
    expect(() => validateRequestParams('chat', chat({ metadata: ok }))).not.toThrow();

    const big = { blob: 'x'.repeat(METADATA_LIMITS.maxBytes) };
    expect(error(() => validateRequestParams('chat', chat({ litellm_metadata: big }))).message).toContain(
      'too large',
    );
    const many = Object.fromEntries(
      Array.from({ length: METADATA_LIMITS.maxKeys + 1 }, (_, i) => [`k${i}`, 1]),
    );
    expect(error(() => validateRequestParams('chat', chat({ metadata: many }))).message).toContain(
      'too many keys',
    );
  });
});
