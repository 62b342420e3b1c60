import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { getAdapter } from '../registry.js';
import {
  decode,
  deployment,
  roundTrip,
  splitAt,
  sseDataPayloads,
  streamRoundTrip,
  UpstreamHttpError,
} from '../test-support.js';
import { createOpenAiCompatibleAdapter } from './openai-adapter.js';
import { OPENAI_COMPATIBLE } from './openai-providers.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const openai = createOpenAiCompatibleAdapter(OPENAI_COMPATIBLE.openai);
const chat = { model: 'group', messages: [{ role: 'user', content: 'hello there' }] };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

describe('buildRequest', () => {
  it.each([
    ['openai', 'https://api.openai.com/v1'],
    ['groq', 'https://api.groq.com/openai/v1'],
    ['together_ai', 'https://api.together.xyz/v1'],
    ['deepseek', 'https://api.deepseek.com/v1'],
    ['mistral', 'https://api.mistral.ai/v1'],
    ['fireworks_ai', 'https://api.fireworks.ai/inference/v1'],
    ['openrouter', 'https://openrouter.ai/api/v1'],
    ['xai', 'https://api.x.ai/v1'],
    ['lm_studio', 'http://localhost:1234/v1'],
  ])('%s defaults to %s', (provider, base) => {
    const d = deployment(`${provider}/some-model`, { apiKey: 'sk-k' });
    const req = getAdapter(provider)!.buildRequest('chat', chat, d, false);
    expect(req.url).toBe(`${base}/chat/completions`);
    expect(req.headers.authorization).toBe('Bearer sk-k');
    expect(JSON.parse(req.body).model).toBe('some-model');
  });

  it('maps each call type to its path and asks for usage on streams only', () => {
    const d = deployment('openai/gpt-4o', { apiKey: 'k', apiBase: 'http://h/v1/' });
    expect(openai.buildRequest('completion', { prompt: 'x' }, d, false).url).toBe('http://h/v1/completions');
    expect(openai.buildRequest('embedding', { input: 'x' }, d, false).url).toBe('http://h/v1/embeddings');
    expect(openai.buildRequest('image_generation', { prompt: 'x' }, d, false).url).toBe(
      'http://h/v1/images/generations',
    );
    const s = JSON.parse(openai.buildRequest('chat', { ...chat, stream_options: { foo: 1 } }, d, true).body);
    expect(s).toMatchObject({ stream: true, stream_options: { foo: 1, include_usage: true } });
    const ns = JSON.parse(openai.buildRequest('chat', { ...chat, stream: true }, d, false).body);
    expect(ns.stream).toBeUndefined();
    expect(ns.stream_options).toBeUndefined();
  });

  it('keeps unknown fields and client values over deployment defaults', () => {
    const d = deployment('openai/gpt-4o', { apiKey: 'k', extraParams: { temperature: 0.2, top_p: 0.5 } });
    const body = JSON.parse(
      openai.buildRequest('chat', { ...chat, temperature: 1, logit_bias: { 1: 2 } }, d, false).body,
    );
    expect(body).toMatchObject({ temperature: 1, top_p: 0.5, logit_bias: { 1: 2 }, model: 'gpt-4o' });
  });

  it('reads the key from the provider env var, and errors clearly without one', () => {
    process.env.GROQ_API_KEY = 'gsk_env';
    const groq = getAdapter('groq')!;
    expect(groq.buildRequest('chat', chat, deployment('groq/llama3'), false).headers.authorization).toBe(
      'Bearer gsk_env',
    );
    delete process.env.DEEPSEEK_API_KEY;
    expect(() =>
      getAdapter('deepseek')!.buildRequest(
        'chat',
        chat,
        deployment('deepseek/deepseek-chat', { modelName: 'ds' }),
        false,
      ),
    ).toThrow(
      /deployment "ds" \(deepseek\/deepseek-chat\) has no API key: set litellm_params.api_key or DEEPSEEK_API_KEY/,
    );
  });

  it('requires api_base for hosted_vllm and custom_openai, and sends no auth header without a key', () => {
    delete process.env.HOSTED_VLLM_API_BASE;
    expect(() =>
      getAdapter('hosted_vllm')!.buildRequest('chat', chat, deployment('hosted_vllm/m'), false),
    ).toThrow(/needs litellm_params.api_base/);
    expect(() =>
      getAdapter('custom_openai')!.buildRequest('chat', chat, deployment('custom_openai/m'), false),
    ).toThrow(/api_base/);
    const req = getAdapter('custom_openai')!.buildRequest(
      'chat',
      chat,
      deployment('custom_openai/m', { apiBase: 'http://x/v1' }),
      false,
    );
    expect(req.url).toBe('http://x/v1/chat/completions');
    expect(req.headers.authorization).toBeUndefined();
  });
});

describe('fixtures', () => {
  it('non-streaming chat: body passed through, usage normalised, model from the body', () => {
    const upstream = JSON.parse(fixture('openai-chat.json'));
    const parsed = openai.parseResponse('chat', upstream, deployment('openai/gpt-4o'));
    expect(parsed.body).toBe(upstream);
    expect(parsed.responseModel).toBe('gpt-4o-2024-08-06');
    expect(parsed.usage).toMatchObject({ inputTokens: 1117, cacheReadTokens: 1024, outputTokens: 46 });
  });

  it('stream: content forwarded byte-for-byte, usage chunk and [DONE] held back', () => {
    const raw = fixture('openai-chat.chunks.txt');
    const { out, result } = decode(openai, 'chat', deployment('openai/o3-mini'), [raw]);
    expect(out).not.toContain('[DONE]');
    expect(out).not.toContain('"prompt_tokens"');
    const rawEvents = raw.split('\n\n').filter((e) => e.startsWith('data: {') && !e.includes('"choices":[]'));
    expect(out).toBe(rawEvents.map((e) => `${e}\n\n`).join(''));
    expect(result.usage).toMatchObject({
      inputTokens: 1412,
      cacheReadTokens: 1280,
      outputTokens: 218,
      reasoningTokens: 192,
    });
    expect(result.usageChunk).toMatchObject({ choices: [], usage: { prompt_tokens: 1412 } });
    expect(result.text).toBe('Hello! How can I help you today? 😊');
    expect(result.responseModel).toBe('o3-mini-2025-01-31');
  });

  it('stream: tool-call arguments count as generated text', () => {
    const { result } = decode(openai, 'chat', deployment('openai/gpt-4o-mini'), [
      fixture('openai-tools.chunks.txt'),
    ]);
    expect(result.text).toBe('{"location":"Paris, France"}');
    expect(result.usage).toMatchObject({ inputTokens: 81, outputTokens: 17 });
  });

  it('stream: Groq usage in x_groq is read', () => {
    const { result, out } = decode(getAdapter('groq')!, 'chat', deployment('groq/llama'), [
      fixture('groq-chat.chunks.txt'),
    ]);
    expect(result.usage).toMatchObject({ inputTokens: 42, outputTokens: 4 });
    expect(sseDataPayloads(out)).toHaveLength(3);
  });

  it('stream: usage riding on a content chunk is taken and stripped', () => {
    const raw =
      'data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\ndata: [DONE]\n\n';
    const { out, result } = decode(openai, 'chat', deployment('hosted_vllm/m'), [raw]);
    expect(sseDataPayloads(out)).toEqual([
      {
        id: 'c',
        object: 'chat.completion.chunk',
        model: 'm',
        choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }],
      },
    ]);
    expect(result.usage).toMatchObject({ inputTokens: 5, outputTokens: 1 });
    expect(result.usageChunk).toMatchObject({ id: 'c', choices: [], usage: { prompt_tokens: 5 } });
  });

  it('stream without usage: usage null, a usage chunk shell is still provided', () => {
    const raw = fixture('openai-chat.chunks.txt')
      .split('\n\n')
      .filter((e) => !e.includes('"choices":[]'))
      .join('\n\n');
    const { result } = decode(openai, 'chat', deployment('openai/o3-mini'), [raw]);
    expect(result.usage).toBeNull();
    expect(result.usageChunk).toMatchObject({
      id: 'chatcmpl-BC1aXyz',
      model: 'o3-mini-2025-01-31',
      choices: [],
      usage: null,
    });
  });

  it('stream output is the same however the upstream text is split', () => {
    const raw = fixture('openai-chat.chunks.txt');
    const whole = decode(openai, 'chat', deployment('openai/o3-mini'), [raw]);
    fc.assert(
      fc.property(fc.array(fc.nat(raw.length), { maxLength: 20 }), (cuts) => {
        const split = decode(openai, 'chat', deployment('openai/o3-mini'), splitAt(raw, cuts));
        expect(split.out).toBe(whole.out);
        expect(split.result).toEqual(whole.result);
      }),
      { numRuns: 200 },
    );
  });
});

describe('round trips through the mock upstream', () => {
  const d = (model: string) =>
    deployment(`openai/${model}`, { apiBase: `${mock.url}/v1`, apiKey: 'sk-test' });

  it('chat, non-streaming, with cached and reasoning tokens', async () => {
    const r = await roundTrip(openai, 'chat', chat, d('gpt-4o-cache-64-reasoning-10'));
    expect(r.responseModel).toBe('gpt-4o-cache-64-reasoning-10');
    expect(r.usage.cacheReadTokens).toBe(64);
    expect(r.usage.inputTokens).toBeGreaterThan(64);
    expect(r.usage.reasoningTokens).toBe(10);
    expect(r.usage.outputTokens).toBeGreaterThan(10);
    expect((r.body.choices as { message: { content: string } }[])[0].message.content).toContain(
      'hello there',
    );
    const recorded = mock.requests.at(-1)!;
    expect(recorded.path).toBe('/v1/chat/completions');
    expect(recorded.headers.authorization).toBe('Bearer sk-test');
  });

  it('chat, streaming: include_usage is requested and the usage comes back', async () => {
    const s = await streamRoundTrip(openai, 'chat', chat, d('gpt-4o-mini'));
    expect(mock.requests.at(-1)!.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(s.raw).toContain('[DONE]');
    expect(s.out).not.toContain('[DONE]');
    expect(s.result.usage!.inputTokens).toBeGreaterThan(0);
    expect(s.result.text).toBe('Hello from the mock upstream. You said: hello there');
    const content = sseDataPayloads(s.out)
      .map((c) => (c as { choices: { delta: { content?: string } }[] }).choices[0].delta.content ?? '')
      .join('');
    expect(content).toBe(s.result.text);
  });

  it('completion, embedding and image generation', async () => {
    const c = await roundTrip(
      openai,
      'completion',
      { model: 'g', prompt: 'Say this is a test' },
      d('gpt-3.5-turbo-instruct'),
    );
    expect(c.body.object).toBe('text_completion');
    expect(c.usage.inputTokens).toBe(5);
    const cs = await streamRoundTrip(
      openai,
      'completion',
      { model: 'g', prompt: 'x' },
      d('gpt-3.5-turbo-instruct'),
    );
    expect(cs.result.usage!.outputTokens).toBeGreaterThan(0);
    expect(cs.result.usageChunk!.object).toBe('text_completion');
    const e = await roundTrip(
      openai,
      'embedding',
      { model: 'g', input: ['a b', 'c'] },
      d('text-embedding-3-small'),
    );
    expect((e.body.data as unknown[]).length).toBe(2);
    expect(e.usage).toMatchObject({ inputTokens: 3, outputTokens: 0 });
    expect(e.usageMissing).toBeUndefined();
    const i = await roundTrip(
      openai,
      'image_generation',
      { model: 'g', prompt: 'a cat', n: 2, size: '1024x1024' },
      d('gpt-image-1'),
    );
    expect(i.usage.images).toEqual({ count: 2, size: '1024x1024', quality: 'medium' });
    expect(i.usage.outputTokens).toBe(544);
  });

  it('upstream errors are parsed without echoing the key', async () => {
    const err = await roundTrip(
      openai,
      'chat',
      chat,
      deployment('openai/gpt-4o', { apiBase: `${mock.url}/v1`, apiKey: 'sk-invalid-0123456789' }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect(err.status).toBe(401);
    expect(err.parsed.message).toMatch(/^Incorrect API key provided/);
    expect(err.parsed.message).not.toContain('6789');
    const rl = await roundTrip(openai, 'chat', chat, d('gpt-4o-fail-429')).catch((e) => e);
    expect(rl.status).toBe(429);
    expect(rl.parsed).toEqual({
      message: 'Rate limit reached for requests (mock fail-429).',
      type: 'rate_limit_exceeded',
    });
  });

  it('missing usage is flagged', async () => {
    const r = await roundTrip(openai, 'chat', chat, d('gpt-4o-no-usage'));
    expect(r.usageMissing).toBe(true);
    const s = await streamRoundTrip(openai, 'chat', chat, d('gpt-4o-no-usage'));
    expect(s.result.usage).toBeNull();
    expect(s.result.text).not.toBe('');
  });

  it('a stream cut by the upstream keeps the text generated so far', async () => {
    const s = await streamRoundTrip(openai, 'chat', chat, d('gpt-4o-cut-3'));
    expect(s.result.usage).toBeNull();
    expect(s.result.text).toBe('Hello from ');
  });

  it('text-completion-openai serves chat through /completions', async () => {
    const a = getAdapter('text-completion-openai')!;
    const dep = deployment('text-completion-openai/gpt-3.5-turbo-instruct', {
      apiBase: `${mock.url}/v1`,
      apiKey: 'k',
    });
    const r = await roundTrip(a, 'chat', chat, dep);
    expect(mock.requests.at(-1)!.path).toBe('/v1/completions');
    expect(mock.requests.at(-1)!.body).toMatchObject({ prompt: 'hello there' });
    expect(r.body).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { role: 'assistant' }, finish_reason: 'stop' }],
    });
    const s = await streamRoundTrip(a, 'chat', chat, dep);
    const first = sseDataPayloads(s.out)[0] as { object: string; choices: { delta: { role: string } }[] };
    expect(first.object).toBe('chat.completion.chunk');
    expect(first.choices[0].delta.role).toBe('assistant');
    expect(s.result.usageChunk).toMatchObject({
      object: 'chat.completion.chunk',
      usage: { prompt_tokens: 2 },
    });
  });
});

describe('parseError', () => {
  it('reads the OpenAI, vLLM and plain-string shapes and falls back to an excerpt', () => {
    expect(
      openai.parseError(400, '{"error":{"message":"bad","type":"invalid_request_error","code":null}}'),
    ).toEqual({ message: 'bad', type: 'invalid_request_error' });
    expect(
      openai.parseError(400, '{"object":"error","message":"too long","type":"BadRequestError"}'),
    ).toEqual({ message: 'too long', type: 'BadRequestError' });
    expect(openai.parseError(500, '{"error":"boom"}')).toEqual({ message: 'boom' });
    expect(openai.parseError(502, '<html>Bad gateway</html>')).toEqual({
      message: '<html>Bad gateway</html>',
    });
    expect(openai.parseError(503, '')).toEqual({ message: 'upstream returned HTTP 503' });
  });
});
