import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import {
  built,
  decode,
  deployment,
  input,
  jsonBody,
  roundTrip,
  splitAt,
  sseDataPayloads,
  streamRoundTrip,
} from '../test-support.js';
import { parseAnthropicError } from './anthropic-error.js';
import { ANTHROPIC_VERSION, anthropicFamily, messagesUrl } from './anthropic-family.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const chat = {
  model: 'claude-group',
  messages: [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'hello there' },
  ],
  user: 'u-1',
};
type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] };
const parse = (callType: 'chat' | 'anthropic_messages', json: unknown) =>
  anthropicFamily.endpoints[callType]!.parse(
    json,
    JSON.stringify(json),
    input(callType, {}, deployment('anthropic/x')),
  );
/** Client chunks without the closing usage chunk and [DONE]. */
const contentChunks = (out: string) =>
  (sseDataPayloads(out) as Chunk[]).filter((c) => (c as unknown) !== '[DONE]' && c.choices?.length > 0);

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
const d = (model: string) => deployment(`anthropic/${model}`, { apiBase: mock.url, apiKey: 'sk-ant-test' });

describe('request', () => {
  it('posts to /v1/messages with x-api-key and anthropic-version', async () => {
    const req = await built(
      anthropicFamily,
      'chat',
      chat,
      deployment('anthropic/claude-3-5-sonnet', { apiKey: 'sk-ant-k' }),
    );
    expect(req.url).toBe('https://api.anthropic.com/v1/messages');
    expect(req.headers).toMatchObject({ 'x-api-key': 'sk-ant-k', 'anthropic-version': ANTHROPIC_VERSION });
    expect(jsonBody(req)).toMatchObject({
      model: 'claude-3-5-sonnet',
      metadata: { user_id: 'u-1' },
      system: 'Be kind.',
    });
    expect(messagesUrl('http://h')).toBe('http://h/v1/messages');
    expect(messagesUrl('http://h/v1')).toBe('http://h/v1/messages');
    expect(messagesUrl('http://h/v1/messages')).toBe('http://h/v1/messages');
  });
});

describe('usage semantics', () => {
  it('adds cache reads and writes back into inputTokens', () => {
    const parsed = parse('chat', JSON.parse(fixture('anthropic-text.json')));
    expect(parsed.usage).toMatchObject({
      inputTokens: 21 + 188 + 1500,
      cacheReadTokens: 1500,
      cacheWriteTokens: 188,
      outputTokens: 12,
    });
    expect(parsed.body.usage).toMatchObject({
      prompt_tokens: 1709,
      completion_tokens: 12,
      total_tokens: 1721,
      prompt_tokens_details: { cached_tokens: 1500 },
      cache_creation_input_tokens: 188,
      cache_read_input_tokens: 1500,
    });
    expect(parsed.responseModel).toBe('claude-sonnet-4-20250514');
    expect(parsed.rawUsage).toEqual(JSON.parse(fixture('anthropic-text.json')).usage);
  });
});

describe('fixtures', () => {
  it('maps a Message with a tool call to chat.completion', () => {
    const parsed = parse('chat', JSON.parse(fixture('anthropic-tool.json')));
    expect(parsed.body).toMatchObject({
      object: 'chat.completion',
      model: 'claude-3-5-sonnet-20241022',
      choices: [
        {
          index: 0,
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: "I'll check the current weather in San Francisco for you.",
            tool_calls: [
              {
                id: 'toolu_01A09q90qw90lq917835lq9',
                type: 'function',
                function: {
                  name: 'get_weather',
                  arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
                },
              },
            ],
          },
        },
      ],
    });
  });

  it('converts the text stream to OpenAI chunks; the usage chunk with the cost comes last', () => {
    const { out, outcome } = decode(anthropicFamily, 'chat', deployment('anthropic/x'), [
      fixture('anthropic-text.chunks.txt'),
    ]);
    const chunks = contentChunks(out);
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Hello' },
      { content: '! Ça va? 👋' },
      {},
    ]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(outcome.usage).toMatchObject({
      inputTokens: 25 + 2048,
      cacheReadTokens: 2048,
      outputTokens: 15,
      estimated: false,
    });
    expect(sseDataPayloads(out).at(-2)).toMatchObject({
      object: 'chat.completion.chunk',
      choices: [],
      usage: { prompt_tokens: 2073, completion_tokens: 15, cache_read_input_tokens: 2048, cost: 0.0012 },
    });
    expect(sseDataPayloads(out).at(-1)).toBe('[DONE]');
    expect(outcome.text).toBe('Hello! Ça va? 👋');
    expect(outcome.responseModel).toBe('claude-sonnet-4-20250514');
    expect(outcome.rawUsage).toMatchObject({ cache_read_input_tokens: 2048, output_tokens: 15 });
  });

  it('converts tool_use blocks and input_json_delta to tool_calls deltas', () => {
    const { out } = decode(anthropicFamily, 'chat', deployment('anthropic/x'), [
      fixture('anthropic-tool.chunks.txt'),
    ]);
    const chunks = contentChunks(out);
    const toolDeltas = chunks.flatMap(
      (c) =>
        (c.choices[0].delta.tool_calls as {
          index: number;
          id?: string;
          function: { name?: string; arguments: string };
        }[]) ?? [],
    );
    expect(toolDeltas[0]).toEqual({
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(toolDeltas.map((t) => t.function.arguments).join('')).toBe(
      '{"location": "San Francisco, CA", "unit": "fahrenheit"}',
    );
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
  });

  it('a mid-stream error becomes a classified error frame; output it never reported is estimated', () => {
    const { out, outcome } = decode(anthropicFamily, 'chat', deployment('anthropic/x'), [
      fixture('anthropic-error.chunks.txt'),
    ]);
    expect(outcome.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', status: 529, retryable: false });
    expect(sseDataPayloads(out).at(-1)).toMatchObject({
      error: {
        message:
          'Upstream deployment test-group (anthropic/x, id test-id) sent an error mid-stream: Overloaded',
        type: 'upstream_error',
      },
    });
    expect(outcome.usage).toMatchObject({ inputTokens: 10, estimated: true });
    expect(outcome.usage!.outputTokens).toBeGreaterThan(1);
  });

  it('gives the same output however the stream is split (ids and created aside)', () => {
    const raw = fixture('anthropic-tool.chunks.txt');
    const norm = (s: string) => s.replace(/"created":\d+/g, '"created":0');
    const whole = decode(anthropicFamily, 'chat', deployment('anthropic/x'), [raw]);
    fc.assert(
      fc.property(fc.array(fc.nat(raw.length), { maxLength: 25 }), (cuts) => {
        const split = decode(anthropicFamily, 'chat', deployment('anthropic/x'), splitAt(raw, cuts));
        expect(norm(split.out)).toBe(norm(whole.out));
        expect(split.outcome.usage).toEqual(whole.outcome.usage);
        expect(split.outcome.text).toBe(whole.outcome.text);
      }),
      { numRuns: 200 },
    );
  });

  it('native pass-through: events unchanged, nothing appended, usage read from message_start/message_delta', () => {
    const raw = fixture('anthropic-text.chunks.txt');
    const pieces = splitAt(raw, [7, 100, 101, 333, 600]);
    const { out, outcome } = decode(anthropicFamily, 'anthropic_messages', deployment('anthropic/x'), pieces);
    expect(out).toBe(raw);
    expect(outcome.usage).toMatchObject({ inputTokens: 2073, cacheReadTokens: 2048, outputTokens: 15 });
  });

  it('native pass-through: an error event is withheld and replaced by a redacted native error frame', () => {
    const key = 'sk-ant-api03-SECRETSECRETSECRET';
    const raw = `${fixture('anthropic-text.chunks.txt').split('event: content_block_stop')[0]}event: error\ndata: {"type":"error","error":{"type":"api_error","message":"bad key ${key}"}}\n\n`;
    const { out, outcome } = decode(
      anthropicFamily,
      'anthropic_messages',
      deployment('anthropic/x', { apiKey: key }),
      [raw],
    );
    expect(out).not.toContain('SECRET');
    expect(outcome.error?.message).toContain('bad key sk-ant-***');
    expect(out.endsWith('\n\n')).toBe(true);
    const last = out.trim().split('\n\n').at(-1)!;
    expect(last.startsWith('event: error\ndata: ')).toBe(true);
    expect(JSON.parse(last.split('data: ')[1])).toMatchObject({
      type: 'error',
      error: { type: 'api_error' },
    });
  });
});

describe('round trips through the mock upstream', () => {
  it('chat non-streaming and streaming agree on usage, with cache fields', async () => {
    const r = await roundTrip(anthropicFamily, 'chat', chat, d('claude-3-5-sonnet-cache-100-cache-write-20'));
    const sent = mock.requests.at(-1)!;
    expect(sent.headers['anthropic-version']).toBe(ANTHROPIC_VERSION);
    expect(sent.body).toMatchObject({ max_tokens: 4096, system: 'Be kind.', metadata: { user_id: 'u-1' } });
    expect(r.usage!.cacheReadTokens).toBe(100);
    expect(r.usage!.cacheWriteTokens).toBe(20);
    expect(r.usage!.inputTokens).toBeGreaterThan(120);
    const s = await streamRoundTrip(
      anthropicFamily,
      'chat',
      chat,
      d('claude-3-5-sonnet-cache-100-cache-write-20'),
    );
    expect(s.outcome.usage).toEqual(r.usage);
    expect(s.outcome.text).toBe('Hello from the mock upstream. You said: hello there');
  });

  it('tool calls round-trip', async () => {
    const body = {
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    };
    const r = await roundTrip(anthropicFamily, 'chat', body, d('claude-3-haiku'));
    expect(r.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: { tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"mock"}' } }] },
        },
      ],
    });
    const s = await streamRoundTrip(anthropicFamily, 'chat', body, d('claude-3-haiku'));
    const args = contentChunks(s.out)
      .flatMap((c) => (c.choices?.[0]?.delta.tool_calls as { function: { arguments: string } }[]) ?? [])
      .map((t) => t.function.arguments)
      .join('');
    expect(args).toBe('{"city":"mock"}');
  });

  it('thinking blocks become reasoning_content', async () => {
    const r = await roundTrip(anthropicFamily, 'chat', chat, d('claude-sonnet-4-reasoning-50'));
    expect((r.body.choices as { message: Record<string, unknown> }[])[0].message.reasoning_content).toBe(
      'Let me think about this.',
    );
    const s = await streamRoundTrip(anthropicFamily, 'chat', chat, d('claude-sonnet-4-reasoning-50'));
    const reasoning = contentChunks(s.out)
      .map((c) => c.choices?.[0]?.delta.reasoning_content ?? '')
      .join('');
    expect(reasoning).toBe('Let me think about this.');
    expect(s.outcome.usage!.outputTokens).toBe(r.usage!.outputTokens);
  });

  it('native anthropic_messages: forwarded as is, usage extracted, stream passed through', async () => {
    const body = { model: 'x', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] };
    const r = await roundTrip(anthropicFamily, 'anthropic_messages', body, d('claude-3-5-haiku-cache-7'));
    expect(mock.requests.at(-1)!.body).toEqual({ ...body, model: 'claude-3-5-haiku-cache-7' });
    expect(r.body.type).toBe('message');
    expect(r.usage!.cacheReadTokens).toBe(7);
    const s = await streamRoundTrip(
      anthropicFamily,
      'anthropic_messages',
      body,
      d('claude-3-5-haiku-cache-7'),
    );
    expect(s.out).toBe(s.raw);
    expect(s.outcome.usage).toEqual(r.usage);
  });

  it('upstream errors: Anthropic shapes parsed; bad key → 401', async () => {
    const err = await roundTrip(
      anthropicFamily,
      'chat',
      chat,
      deployment('anthropic/claude', { apiBase: mock.url, apiKey: 'sk-ant-invalid' }),
    ).catch((e) => e);
    expect(err.status).toBe(401);
    expect(err.error).toMatchObject({ status: 401, retryable: false });
    expect(err.error.message).toMatch(/returned 401: invalid x-api-key$/);
    const over = await roundTrip(anthropicFamily, 'chat', chat, d('claude-fail-529')).catch((e) => e);
    expect(over.status).toBe(529);
    expect(over.error.retryable).toBe(true);
    expect(
      parseAnthropicError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}'),
    ).toEqual({
      message: 'Overloaded',
      type: 'overloaded_error',
    });
    expect(parseAnthropicError(500, 'oops')).toEqual({ message: 'oops' });
  });
});
