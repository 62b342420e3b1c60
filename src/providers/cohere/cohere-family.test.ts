import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import {
  built,
  decode,
  deployment,
  jsonBody,
  roundTrip,
  splitBytes,
  sseDataPayloads,
  streamRoundTrip,
} from '../test-support.js';
import { cohereFamily, cohereUrl } from './cohere-family.js';
import { chatToCohere } from './cohere-request.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const d = (model: string, key = 'co-test-key') =>
  deployment(`cohere/${model}`, { apiBase: mock.url, apiKey: key });
const parse = (json: unknown) =>
  cohereFamily.endpoints.chat!.parse(json, JSON.stringify(json), {
    callType: 'chat',
    body: {},
    deployment: d('command-r'),
    stream: false,
  });
type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] };
const deltas = (out: string) =>
  (sseDataPayloads(out) as Chunk[])
    .filter((c) => typeof c === 'object' && c.choices?.length > 0)
    .map((c) => c.choices[0]);

describe('request', () => {
  it('POST /v2/chat with a Bearer key; OpenAI names mapped, OpenAI-only fields dropped', async () => {
    const req = await built(
      cohereFamily,
      'chat',
      {
        messages: [{ role: 'user', content: 'hi' }],
        top_p: 0.5,
        stop: 'x',
        n: 1,
        user: 'u',
        tool_choice: 'required',
        tools: [{ type: 'function', function: { name: 'f' } }],
      },
      deployment('cohere/command-r-plus', { apiKey: 'k' }),
    );
    expect(req.url).toBe('https://api.cohere.com/v2/chat');
    expect(req.headers.authorization).toBe('Bearer k');
    expect(jsonBody(req)).toEqual({
      model: 'command-r-plus',
      messages: [{ role: 'user', content: 'hi' }],
      p: 0.5,
      stop_sequences: ['x'],
      tools: [{ type: 'function', function: { name: 'f' } }],
      tool_choice: 'REQUIRED',
    });
    expect(cohereUrl('https://api.cohere.ai/v1', 'embed')).toBe('https://api.cohere.ai/v2/embed');
    expect(cohereUrl('http://h/v2/chat', 'chat')).toBe('http://h/v2/chat');
  });

  it('tool calls and results keep the OpenAI shape Cohere v2 takes; a named tool_choice offers only that tool', () => {
    const out = chatToCohere(
      {
        messages: [
          { role: 'developer', content: 'sys' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: 'ok' }] },
        ],
        tools: [
          { type: 'function', function: { name: 'f' } },
          { type: 'function', function: { name: 'g' } },
        ],
        tool_choice: { type: 'function', function: { name: 'g' } },
        response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } },
      },
      'command-a-03-2025',
      true,
    );
    expect(out).toEqual({
      model: 'command-a-03-2025',
      stream: true,
      messages: [
        { role: 'system', content: 'sys' },
        {
          role: 'assistant',
          tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
      tools: [{ type: 'function', function: { name: 'g' } }],
      tool_choice: 'REQUIRED',
      response_format: { type: 'json_object', json_schema: { type: 'object' } },
    });
  });
});

describe('fixtures', () => {
  it('usage follows billed_units (what Cohere charges), raw usage kept', () => {
    const parsed = parse(JSON.parse(fixture('cohere-chat.json')));
    expect(parsed.usage).toMatchObject({ inputTokens: 17, outputTokens: 12 });
    expect(parsed.rawUsage).toEqual({
      billed_units: { input_tokens: 17, output_tokens: 12 },
      tokens: { input_tokens: 215, output_tokens: 12 },
    });
    expect(parsed.body).toMatchObject({
      choices: [{ finish_reason: 'stop', message: { content: 'LLMs stand for Large Language Models.' } }],
    });
    const tool = parse(JSON.parse(fixture('cohere-tool.json')));
    expect(tool.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            content: null,
            tool_plan: 'I will search for the weather in Toronto.',
            tool_calls: [
              {
                id: 'get_weather_1byjy32y4hvq',
                function: { name: 'get_weather', arguments: '{"location":"Toronto"}' },
              },
            ],
          },
        },
      ],
    });
  });

  it('streams text and tool calls; the same output however the bytes are split', () => {
    const text = decode(cohereFamily, 'chat', d('command-r'), [fixture('cohere-text.chunks.txt')]);
    expect(deltas(text.out).map((c) => c.delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Ça' },
      { content: ' va 👋' },
      {},
    ]);
    expect(deltas(text.out).at(-1)!.finish_reason).toBe('stop');
    expect(text.outcome.usage).toMatchObject({ inputTokens: 3, outputTokens: 4 });
    const raw = fixture('cohere-tool.chunks.txt');
    const tool = decode(cohereFamily, 'chat', d('command-r'), [raw]);
    const calls = deltas(tool.out).flatMap(
      (c) => (c.delta.tool_calls as { id?: string; function: { name?: string; arguments: string } }[]) ?? [],
    );
    expect(calls[0]).toMatchObject({
      id: 'get_weather_nsz5zm3w56q3',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(calls.map((c) => c.function.arguments).join('')).toBe('{\n    "location": "Toronto"}');
    expect(deltas(tool.out).at(-1)!.finish_reason).toBe('tool_calls');
    const norm = (s: string) => s.replace(/"created":\d+/g, '');
    fc.assert(
      fc.property(fc.array(fc.nat(Buffer.byteLength(raw)), { maxLength: 20 }), (cuts) => {
        expect(norm(decode(cohereFamily, 'chat', d('command-r'), splitBytes(raw, cuts)).out)).toBe(
          norm(tool.out),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('round trips through the mock Cohere API', () => {
  it('chat, stream and tools agree on usage', async () => {
    const body = { messages: [{ role: 'user', content: 'hello there' }] };
    const r = await roundTrip(cohereFamily, 'chat', body, d('command-r-plus'));
    expect(r.body).toMatchObject({
      choices: [{ message: { content: 'Hello from the mock upstream. You said: hello there' } }],
    });
    const s = await streamRoundTrip(cohereFamily, 'chat', body, d('command-r-plus'));
    expect(s.outcome.usage).toEqual(r.usage);
    const tools = {
      ...body,
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
    const t = await roundTrip(cohereFamily, 'chat', tools, d('command-r-plus'));
    expect(t.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: { tool_calls: [{ function: { name: 'get_weather', arguments: '{"city":"mock"}' } }] },
        },
      ],
    });
  });

  it('embed: texts, input_type search_document, usage from meta.billed_units', async () => {
    const r = await roundTrip(cohereFamily, 'embedding', { input: ['a b', 'c'] }, d('embed-english-v3.0'));
    expect(mock.requests.at(-1)!.body).toEqual({
      model: 'embed-english-v3.0',
      texts: ['a b', 'c'],
      input_type: 'search_document',
      embedding_types: ['float'],
    });
    expect(r.body.data).toHaveLength(2);
    expect(r.usage).toMatchObject({ inputTokens: 3, estimated: false });
  });

  it('a bad key is a 401 with the key redacted; a mid-stream error is classified', async () => {
    const err = await roundTrip(
      cohereFamily,
      'chat',
      { messages: [{ role: 'user', content: 'x' }] },
      d('command-r', 'co-invalid-key-123456'),
    ).catch((e) => e);
    expect(err.error).toMatchObject({ status: 401, retryable: false });
    expect(err.error.message).toMatch(/returned 401: invalid api token$/);
    const se = await streamRoundTrip(
      cohereFamily,
      'chat',
      { messages: [{ role: 'user', content: 'x y' }] },
      d('command-r-stream-error'),
    );
    expect(se.outcome.error!.message).toMatch(
      /sent an error mid-stream: internal server error \(mock stream-error\)$/,
    );
  });
});
