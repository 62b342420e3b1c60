import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../errors.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import {
  built,
  decode,
  deployment,
  input,
  roundTrip,
  splitBytes,
  sseDataPayloads,
  streamRoundTrip,
  UpstreamHttpError,
} from '../test-support.js';
import { classifyGoogleError } from './gemini-error.js';
import { geminiFamily, geminiMethodUrl } from './gemini-family.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON access in assertions
type Loose = Record<string, any>;
type Chunk = {
  choices: { index: number; delta: Record<string, unknown>; finish_reason: string | null }[];
  usage?: Record<string, unknown>;
};
const parse = (json: unknown, callType: 'chat' | 'embedding' = 'chat', body: Record<string, unknown> = {}) =>
  geminiFamily.endpoints[callType]!.parse(
    json,
    JSON.stringify(json),
    input(callType, body, deployment('gemini/gemini-2.5-flash')),
  );
const chunks = (out: string) => sseDataPayloads(out).filter((c) => c !== '[DONE]') as Chunk[];
const reply = (status: number, headers: Record<string, string> = {}) => ({
  status,
  headers,
  body: (async function* () {})(),
  text: async () => '',
});

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
const d = (model: string, over = {}) =>
  deployment(`gemini/${model}`, { apiBase: mock.url, apiKey: 'AIza-test-key', ...over });

describe('request', () => {
  it('posts to generativelanguage with x-goog-api-key (never the key in the URL)', async () => {
    const req = await built(
      geminiFamily,
      'chat',
      { messages: [{ role: 'user', content: 'hi' }] },
      deployment('gemini/gemini-2.5-flash', { apiKey: 'AIza-k' }),
    );
    expect(req.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent',
    );
    expect(req.headers).toEqual({ 'content-type': 'application/json', 'x-goog-api-key': 'AIza-k' });
    const stream = await built(
      geminiFamily,
      'chat',
      { messages: [{ role: 'user', content: 'hi' }] },
      deployment('gemini/gemini-2.5-flash', { apiKey: 'AIza-k' }),
      true,
    );
    expect(stream.url).toMatch(/:streamGenerateContent\?alt=sse$/);
  });

  it('accepts api_base as a host, a versioned base or a model URL', () => {
    expect(geminiMethodUrl('http://h', 'm', 'generateContent')).toBe(
      'http://h/v1beta/models/m:generateContent',
    );
    expect(geminiMethodUrl('http://h/v1', 'models/m', 'embedContent')).toBe(
      'http://h/v1/models/m:embedContent',
    );
    expect(geminiMethodUrl('http://h/v1beta/models/x', 'm', 'generateContent')).toBe(
      'http://h/v1beta/models/x:generateContent',
    );
  });

  it('a missing key is a load-time problem and a TG_ERR_PROVIDER_CONFIG at request time', () => {
    const saved = process.env.GEMINI_API_KEY;
    delete process.env.GEMINI_API_KEY;
    try {
      const dep = deployment('gemini/gemini-2.5-flash');
      expect(geminiFamily.checkDeployment!(dep)).toEqual([
        'no API key: set litellm_params.api_key or GEMINI_API_KEY',
      ]);
      expect(() => geminiFamily.endpoints.chat!.build(input('chat', { messages: [] }, dep))).toThrow(
        expect.objectContaining({ code: 'TG_ERR_PROVIDER_CONFIG', retryable: false }),
      );
      process.env.GEMINI_API_KEY = 'AIza-env';
      const dep2 = deployment('gemini/gemini-2.5-flash');
      expect(geminiFamily.checkDeployment!(dep2)).toEqual([]);
      expect(
        geminiFamily.endpoints.chat!.build(input('chat', { messages: [] }, dep2)).headers['x-goog-api-key'],
      ).toBe('AIza-env');
    } finally {
      if (saved === undefined) delete process.env.GEMINI_API_KEY;
      else process.env.GEMINI_API_KEY = saved;
    }
  });
});

describe('fixtures: non-streaming', () => {
  it('text with thoughts and cached tokens', () => {
    const json = JSON.parse(fixture('gemini-text.json'));
    const parsed = parse(json);
    expect(parsed.body).toMatchObject({
      id: 'Pn7taM6lBJmpkdUPy4Ov6Ag',
      object: 'chat.completion',
      model: 'gemini-2.5-flash',
      choices: [
        {
          index: 0,
          finish_reason: 'stop',
          message: {
            role: 'assistant',
            content: 'AI learns patterns from data to make predictions. ✨',
            reasoning_content: 'The user wants a one-line summary; keep it short.',
          },
        },
      ],
      usage: {
        prompt_tokens: 2078,
        completion_tokens: 239,
        total_tokens: 2317,
        prompt_tokens_details: { cached_tokens: 2048 },
        completion_tokens_details: { reasoning_tokens: 226 },
      },
    });
    expect(parsed.rawUsage).toEqual(json.usageMetadata);
    expect(parsed.responseModel).toBe('gemini-2.5-flash');
  });

  it('a function call: tool_calls with the thought signature in the id, finish_reason tool_calls', () => {
    const parsed = parse(JSON.parse(fixture('gemini-tool.json')));
    const choice = (parsed.body.choices as Array<Loose>)[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^call_[0-9a-f]{24}__thought__CiQBVKhc7jx0c2lnbmF0dXJlLWZvci10ZXN0cw==$/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
      },
    ]);
  });

  it('a blocked prompt is a TG_ERR_CONTENT_BLOCKED error naming the reason and category', () => {
    expect(() => parse(JSON.parse(fixture('gemini-blocked.json')))).toThrow(
      expect.objectContaining({
        code: 'TG_ERR_CONTENT_BLOCKED',
        status: 400,
        retryable: false,
        message: expect.stringMatching(
          /blocked the prompt: blockReason SAFETY \(flagged: DANGEROUS_CONTENT HIGH\)/,
        ),
      }),
    );
  });

  it('batch embeddings', () => {
    const parsed = parse(JSON.parse(fixture('gemini-embed-batch.json')), 'embedding', { input: ['a', 'b'] });
    expect(parsed.body).toMatchObject({
      object: 'list',
      data: [
        {
          object: 'embedding',
          index: 0,
          embedding: [0.013168523, -0.008711934, -0.046782676, 0.00069968984],
        },
        { object: 'embedding', index: 1 },
      ],
      usage: { prompt_tokens: 2, total_tokens: 2 },
    });
    // Google reported no usage: the gateway estimates (and flags) it.
    expect(parsed.usage).toBeNull();
  });
});

describe('fixtures: streaming', () => {
  it('text stream: role, reasoning, content, finish; the usage chunk with the cost last', () => {
    const { out, outcome } = decode(geminiFamily, 'chat', deployment('gemini/gemini-2.5-flash'), [
      fixture('gemini-text.chunks.txt'),
    ]);
    const cs = chunks(out);
    expect(cs.map((c) => c.choices[0]?.delta)).toEqual([
      { role: 'assistant', content: '', reasoning_content: '**Summarizing** the request in one line.' },
      { content: 'Hello! Ça va' },
      { content: '? 👋 How can I help?' },
      {},
      undefined,
    ]);
    expect(cs[3].choices[0].finish_reason).toBe('stop');
    expect(cs[4].usage).toMatchObject({
      prompt_tokens: 9,
      completion_tokens: 52,
      completion_tokens_details: { reasoning_tokens: 41 },
      cost: 0.0012,
      request_id: 'req-1',
    });
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(outcome.usage).toMatchObject({
      inputTokens: 9,
      outputTokens: 52,
      reasoningTokens: 41,
      estimated: false,
    });
    expect(outcome.responseModel).toBe('gemini-2.5-flash');
    expect(outcome.error).toBeNull();
  });

  it('gives the same client stream however the upstream bytes are split (inside UTF-8 and CRLF too)', () => {
    const text = fixture('gemini-text.chunks.txt');
    const strip = (s: string) => s.replace(/"id":"[^"]*"|"created":\d+/g, '');
    const whole = strip(decode(geminiFamily, 'chat', deployment('gemini/x'), [text]).out);
    const size = new TextEncoder().encode(text).length;
    fc.assert(
      fc.property(fc.array(fc.nat(size), { maxLength: 10 }), (cuts) => {
        expect(strip(decode(geminiFamily, 'chat', deployment('gemini/x'), splitBytes(text, cuts)).out)).toBe(
          whole,
        );
      }),
      { numRuns: 60 },
    );
  });

  it('parallel function calls stream as indexed tool_calls deltas', () => {
    const { out, outcome } = decode(geminiFamily, 'chat', deployment('gemini/gemini-2.5-pro'), [
      fixture('gemini-tool.chunks.txt'),
    ]);
    const cs = chunks(out);
    const calls = cs.flatMap((c) => (c.choices[0]?.delta.tool_calls as Array<Loose>) ?? []);
    expect(calls).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/__thought__CiQBVKhc7jx0c2lnLXBhcmlz$/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
      },
      {
        index: 1,
        id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"London"}' },
      },
    ]);
    expect(cs.find((c) => c.choices[0]?.finish_reason)?.choices[0].finish_reason).toBe('tool_calls');
    expect(outcome.usage).toMatchObject({ inputTokens: 74, outputTokens: 86, reasoningTokens: 50 });
  });

  it('a stream cut before its last event reports estimated usage', () => {
    const events = fixture('gemini-text.chunks.txt').split('\r\n\r\n');
    const { outcome } = decode(geminiFamily, 'chat', deployment('gemini/x'), [
      events.slice(0, 2).join('\r\n\r\n'),
    ]);
    expect(outcome.usage).toMatchObject({ inputTokens: 9, estimated: true });
    expect(outcome.usage!.outputTokens).toBeGreaterThan(0);
  });

  it('a Google error event, a blocked prompt or a non-JSON event stop the stream with a classified error', () => {
    const err = decode(geminiFamily, 'chat', deployment('gemini/x'), [
      'data: {"candidates":[{"content":{"parts":[{"text":"Hi"}],"role":"model"},"index":0}]}\r\n\r\n',
      'data: {"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}}\r\n\r\n',
    ]);
    expect(err.outcome.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', status: 503, retryable: false });
    expect(err.outcome.text).toBe('Hi');
    expect(sseDataPayloads(err.out).at(-1)).toMatchObject({ error: { code: 'upstream_error' } });

    const blocked = decode(geminiFamily, 'chat', deployment('gemini/x'), [
      `data: ${fixture('gemini-blocked.json').replace(/\n\s*/g, '')}\r\n\r\n`,
    ]);
    expect(blocked.outcome.error).toMatchObject({ code: 'TG_ERR_CONTENT_BLOCKED' });
    expect(blocked.outcome.usage).toMatchObject({ inputTokens: 12 });

    const bad = decode(geminiFamily, 'chat', deployment('gemini/x'), ['data: {"candidates": [\r\n\r\n']);
    expect(bad.outcome.error?.message).toMatch(/malformed stream/);
  });
});

describe('errors', () => {
  it('a 429 with RetryInfo becomes retryable with retry-after in whole seconds', () => {
    const ci = input('chat', {}, deployment('gemini/x', { apiKey: 'AIza-secret-key-1234' }));
    const e = classifyGoogleError(429, fixture('gemini-429.json'), reply(429), ci);
    expect(e).toMatchObject({
      code: 'TG_ERR_UPSTREAM',
      status: 429,
      retryable: true,
      headers: { 'retry-after': '35' },
    });
    expect(e.message).toContain('RESOURCE_EXHAUSTED: You exceeded your current quota');
  });

  it('a 400 is not retried and never shows the key', () => {
    const ci = input('chat', {}, deployment('gemini/x', { apiKey: 'AIzaSyD-secret-key-1234' }));
    const body = JSON.stringify({
      error: { code: 400, message: 'API key AIzaSyD-secret-key-1234 not valid.', status: 'INVALID_ARGUMENT' },
    });
    const e: GatewayError = classifyGoogleError(400, body, reply(400), ci);
    expect(e.retryable).toBe(false);
    expect(e.message).not.toContain('secret-key');
  });
});

describe('against the mock upstream', () => {
  it('chat: text and usage; the mock saw a Gemini body and the key header', async () => {
    const r = await roundTrip(
      geminiFamily,
      'chat',
      {
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hello gemini' },
        ],
        temperature: 0,
      },
      d('gemini-2.5-flash-cache-5-reasoning-7'),
    );
    expect((r.body.choices as Array<Loose>)[0].message.content).toContain('You said: hello gemini');
    expect(r.usage).toMatchObject({ cacheReadTokens: 5, reasoningTokens: 7 });
    const seen = mock.requests.at(-1)!;
    expect(seen.path).toBe('/v1beta/models/gemini-2.5-flash-cache-5-reasoning-7:generateContent');
    expect(seen.headers['x-goog-api-key']).toBe('AIza-test-key');
    expect(seen.body).toMatchObject({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0 },
    });
  });

  it('stream with a tool call', async () => {
    const { out, outcome } = await streamRoundTrip(
      geminiFamily,
      'chat',
      {
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
      },
      d('gemini-2.5-flash'),
    );
    const calls = chunks(out).flatMap((c) => (c.choices[0]?.delta.tool_calls as unknown[]) ?? []);
    expect(calls).toEqual([
      expect.objectContaining({ index: 0, function: { name: 'get_weather', arguments: '{"city":"mock"}' } }),
    ]);
    expect(outcome.usage?.outputTokens).toBeGreaterThan(0);
    expect(mock.requests.at(-1)!.query).toEqual({ alt: 'sse' });
  });

  it('embeddings, single and batch', async () => {
    const one = await roundTrip(
      geminiFamily,
      'embedding',
      { input: 'hello', dimensions: 4 },
      d('gemini-embedding-001'),
    );
    expect(mock.requests.at(-1)!.path).toMatch(/:embedContent$/);
    expect((one.body.data as Array<Loose>)[0].embedding).toHaveLength(4);
    const two = await roundTrip(geminiFamily, 'embedding', { input: ['a', 'b'] }, d('gemini-embedding-001'));
    expect(mock.requests.at(-1)!.path).toMatch(/:batchEmbedContents$/);
    expect(two.body.data).toHaveLength(2);
  });

  it('a rejected key is a 400 from Google, not retried', async () => {
    const err = await roundTrip(
      geminiFamily,
      'chat',
      { messages: [{ role: 'user', content: 'x' }] },
      d('gemini-2.5-flash', { apiKey: 'AIza-invalid' }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect((err as UpstreamHttpError).error).toMatchObject({ status: 400, retryable: false });
    expect((err as UpstreamHttpError).error.message).toContain('API key not valid');
  });
});
