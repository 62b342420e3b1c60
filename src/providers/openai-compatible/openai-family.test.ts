import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { getFamily } from '../registry.js';
import {
  built,
  decode,
  deployment,
  input,
  jsonBody,
  roundTrip,
  splitAt,
  splitBytes,
  sseDataPayloads,
  streamRoundTrip,
  UpstreamHttpError,
} from '../test-support.js';
import { parseOpenAiError } from './openai-error.js';
import { createOpenAiCompatibleFamily } from './openai-family.js';
import { OPENAI_COMPATIBLE } from './openai-providers.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const openai = createOpenAiCompatibleFamily(OPENAI_COMPATIBLE.openai);
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

/** Client-facing payloads minus the closing usage chunk and [DONE] that finalize adds. */
function content(out: string): unknown[] {
  return sseDataPayloads(out).filter(
    (p) =>
      p !== '[DONE]' &&
      !(
        typeof p === 'object' &&
        p !== null &&
        'usage' in p &&
        (p as unknown as { choices: unknown[] }).choices.length === 0
      ),
  );
}
const last = (out: string) =>
  sseDataPayloads(out)
    .filter((p) => p !== '[DONE]')
    .at(-1) as Record<string, any>;

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
  ])('%s defaults to %s', async (provider, base) => {
    const d = deployment(`${provider}/some-model`, { apiKey: 'sk-k' });
    const req = await built(getFamily(provider)!, 'chat', chat, d);
    expect(req.url).toBe(`${base}/chat/completions`);
    expect(req.headers.authorization).toBe('Bearer sk-k');
    expect(jsonBody(req).model).toBe('some-model');
  });

  it('maps each call type to its path and asks for usage on streams only', async () => {
    const d = deployment('openai/gpt-4o', { apiKey: 'k', apiBase: 'http://h/v1/' });
    expect((await built(openai, 'completion', { prompt: 'x' }, d)).url).toBe('http://h/v1/completions');
    expect((await built(openai, 'embedding', { input: 'x' }, d)).url).toBe('http://h/v1/embeddings');
    expect((await built(openai, 'image_generation', { prompt: 'x' }, d)).url).toBe(
      'http://h/v1/images/generations',
    );
    const s = jsonBody(await built(openai, 'chat', { ...chat, stream_options: { foo: 1 } }, d, true));
    expect(s).toMatchObject({ stream: true, stream_options: { foo: 1, include_usage: true } });
    const ns = jsonBody(await built(openai, 'chat', { ...chat, stream: true }, d, false));
    expect(ns.stream).toBeUndefined();
    expect(ns.stream_options).toBeUndefined();
  });

  it('keeps unknown fields and client values over deployment defaults', async () => {
    const d = deployment('openai/gpt-4o', { apiKey: 'k', extraParams: { temperature: 0.2, top_p: 0.5 } });
    const body = jsonBody(await built(openai, 'chat', { ...chat, temperature: 1, logit_bias: { 1: 2 } }, d));
    expect(body).toMatchObject({ temperature: 1, top_p: 0.5, logit_bias: { 1: 2 }, model: 'gpt-4o' });
  });

  it('reads the key from the provider env var; without one it is a configuration error, never retried', async () => {
    process.env.GROQ_API_KEY = 'gsk_env';
    const groq = getFamily('groq')!;
    expect((await built(groq, 'chat', chat, deployment('groq/llama3'))).headers.authorization).toBe(
      'Bearer gsk_env',
    );
    delete process.env.DEEPSEEK_API_KEY;
    const d = deployment('deepseek/deepseek-chat', { modelName: 'ds' });
    const deepseek = getFamily('deepseek')!;
    expect(deepseek.checkDeployment!(d)).toEqual([
      'no API key: set litellm_params.api_key or DEEPSEEK_API_KEY',
    ]);
    const err = await built(deepseek, 'chat', chat, d).catch((e) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', status: 503, retryable: false });
    expect(err.message).toBe(
      'Deployment ds (deepseek/deepseek-chat, id test-id) is misconfigured: no API key: set litellm_params.api_key or DEEPSEEK_API_KEY',
    );
  });

  it('requires api_base for hosted_vllm and custom_openai, and sends no auth header without a key', async () => {
    delete process.env.HOSTED_VLLM_API_BASE;
    await expect(built(getFamily('hosted_vllm')!, 'chat', chat, deployment('hosted_vllm/m'))).rejects.toThrow(
      /needs litellm_params.api_base/,
    );
    await expect(
      built(getFamily('custom_openai')!, 'chat', chat, deployment('custom_openai/m')),
    ).rejects.toThrow(/api_base/);
    const req = await built(
      getFamily('custom_openai')!,
      'chat',
      chat,
      deployment('custom_openai/m', { apiBase: 'http://x/v1' }),
    );
    expect(req.url).toBe('http://x/v1/chat/completions');
    expect(req.headers.authorization).toBeUndefined();
    expect(
      getFamily('custom_openai')!.checkDeployment!(deployment('custom_openai/m', { apiBase: 'ftp://x' })),
    ).toEqual(['api_base must be an http(s) URL (got a value of 7 characters)']);
  });
});

describe('fixtures', () => {
  it('non-streaming chat: body and text passed through, usage normalised and kept raw, model from the body', () => {
    const text = fixture('openai-chat.json');
    const upstream = JSON.parse(text);
    const parsed = openai.endpoints.chat!.parse(
      upstream,
      text,
      input('chat', chat, deployment('openai/gpt-4o')),
    );
    expect(parsed.body).toBe(upstream);
    expect(parsed.text).toBe(text);
    expect(parsed.rawUsage).toBe(upstream.usage);
    expect(parsed.responseModel).toBe('gpt-4o-2024-08-06');
    expect(parsed.usage).toMatchObject({ inputTokens: 1117, cacheReadTokens: 1024, outputTokens: 46 });
  });

  it('stream: content forwarded byte-for-byte; the usage chunk comes last with the exact cost, then [DONE]', () => {
    const raw = fixture('openai-chat.chunks.txt');
    const { out, outcome } = decode(openai, 'chat', deployment('openai/o3-mini'), [raw], {
      costText: '0.000123456789012345678901',
    });
    const rawEvents = raw.split('\n\n').filter((e) => e.startsWith('data: {') && !e.includes('"choices":[]'));
    const usageEvent = raw.split('\n\n').find((e) => e.includes('"choices":[]'))!;
    expect(out.startsWith(rawEvents.map((e) => `${e}\n\n`).join(''))).toBe(true);
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
    // The upstream's own usage chunk, its usage object kept whole, plus cost as an exact JSON number.
    const finalLine = out.split('\n\n').at(-3)!;
    expect(finalLine).toContain('"cost":0.000123456789012345678901,"request_id":"req-1"');
    const upstreamUsage = JSON.parse(usageEvent.slice(6)).usage;
    expect(last(out).usage).toMatchObject(upstreamUsage);
    expect(outcome.usage).toMatchObject({
      inputTokens: 1412,
      cacheReadTokens: 1280,
      outputTokens: 218,
      reasoningTokens: 192,
    });
    expect(outcome.rawUsage).toEqual(upstreamUsage);
    expect(outcome.text).toBe('Hello! How can I help you today? 😊');
    expect(outcome.responseModel).toBe('o3-mini-2025-01-31');
    expect(outcome.error).toBeNull();
  });

  it('stream: without include_usage the client gets no usage chunk (as from OpenAI), only [DONE]', () => {
    const raw = fixture('openai-chat.chunks.txt');
    const { out } = decode(openai, 'chat', deployment('openai/o3-mini'), [raw], { includeUsage: false });
    expect(out).not.toContain('"cost"');
    expect(sseDataPayloads(out).filter((p) => p !== '[DONE]')).toEqual(content(out));
    expect(out.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('stream: an error event is never forwarded verbatim; it becomes a redacted error frame', () => {
    const key = 'sk-proj-SECRETSECRETSECRET0123';
    const d = deployment('openai/gpt-4o', { apiKey: key });
    const raw =
      'data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n' +
      `data: {"error":{"message":"Incorrect API key provided: ${key}","type":"invalid_request_error"}}\n\n`;
    const { out, outcome } = decode(openai, 'chat', d, [raw]);
    expect(outcome.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', retryable: false });
    expect(outcome.text).toBe('Hel');
    expect(out).not.toContain('SECRET');
    const frames = sseDataPayloads(out);
    expect(frames).toHaveLength(2);
    expect(frames[1]).toMatchObject({ error: { type: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' } });
    expect((frames[1] as { error: { message: string } }).error.message).toContain(
      'Incorrect API key provided: sk-proj-***',
    );
  });

  it('stream: an event that is not JSON makes the stream malformed (a clear error, not forwarded)', () => {
    const { out, outcome } = decode(openai, 'chat', deployment('openai/gpt-4o'), ['data: {"choices":[\n\n']);
    expect(outcome.error?.message).toMatch(/sent a malformed stream: an event that is not JSON/);
    expect(out).not.toContain('"choices":[\n');
  });

  it('stream: tool-call arguments count as generated text', () => {
    const { outcome } = decode(openai, 'chat', deployment('openai/gpt-4o-mini'), [
      fixture('openai-tools.chunks.txt'),
    ]);
    expect(outcome.text).toBe('{"location":"Paris, France"}');
    expect(outcome.usage).toMatchObject({ inputTokens: 81, outputTokens: 17 });
  });

  it('stream: Groq usage in x_groq is read', () => {
    const { outcome, out } = decode(getFamily('groq')!, 'chat', deployment('groq/llama'), [
      fixture('groq-chat.chunks.txt'),
    ]);
    expect(outcome.usage).toMatchObject({ inputTokens: 42, outputTokens: 4 });
    expect(content(out)).toHaveLength(3);
  });

  it('stream: usage riding on a content chunk is taken and stripped', () => {
    const raw =
      'data: {"id":"c","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}\n\ndata: [DONE]\n\n';
    const { out, outcome } = decode(openai, 'chat', deployment('hosted_vllm/m'), [raw]);
    expect(content(out)).toEqual([
      {
        id: 'c',
        object: 'chat.completion.chunk',
        model: 'm',
        choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: 'stop' }],
      },
    ]);
    expect(outcome.usage).toMatchObject({ inputTokens: 5, outputTokens: 1 });
    expect(last(out)).toMatchObject({ id: 'c', choices: [], usage: { prompt_tokens: 5, cost: 0.0012 } });
  });

  it('stream without usage: usage null; the gateway estimate goes into a synthesised usage chunk', () => {
    const raw = fixture('openai-chat.chunks.txt')
      .split('\n\n')
      .filter((e) => !e.includes('"choices":[]'))
      .join('\n\n');
    const { outcome, out } = decode(openai, 'chat', deployment('openai/o3-mini'), [raw]);
    expect(outcome.usage).toBeNull();
    expect(last(out)).toMatchObject({
      id: 'chatcmpl-BC1aXyz',
      model: 'o3-mini-2025-01-31',
      choices: [],
      usage: { prompt_tokens: 0, cost: 0.0012, estimated: true },
    });
  });

  it('stream output is the same however the upstream bytes are split (even inside a UTF-8 character)', () => {
    const raw = fixture('openai-chat.chunks.txt');
    const whole = decode(openai, 'chat', deployment('openai/o3-mini'), [raw]);
    fc.assert(
      fc.property(fc.array(fc.nat(raw.length), { maxLength: 20 }), (cuts) => {
        const split = decode(openai, 'chat', deployment('openai/o3-mini'), splitAt(raw, cuts));
        expect(split.out).toBe(whole.out);
        expect(split.outcome).toEqual(whole.outcome);
        const bytes = decode(openai, 'chat', deployment('openai/o3-mini'), splitBytes(raw, cuts));
        expect(bytes.out).toBe(whole.out);
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
    expect(r.usage!.cacheReadTokens).toBe(64);
    expect(r.usage!.inputTokens).toBeGreaterThan(64);
    expect(r.usage!.reasoningTokens).toBe(10);
    expect(r.usage!.outputTokens).toBeGreaterThan(10);
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
    expect(s.outcome.usage!.inputTokens).toBeGreaterThan(0);
    expect(s.outcome.text).toBe('Hello from the mock upstream. You said: hello there');
    const text = content(s.out)
      .map((c) => (c as { choices: { delta: { content?: string } }[] }).choices[0].delta.content ?? '')
      .join('');
    expect(text).toBe(s.outcome.text);
  });

  it('completion, embedding and image generation', async () => {
    const c = await roundTrip(
      openai,
      'completion',
      { model: 'g', prompt: 'Say this is a test' },
      d('gpt-3.5-turbo-instruct'),
    );
    expect(c.body.object).toBe('text_completion');
    expect(c.usage!.inputTokens).toBe(5);
    const cs = await streamRoundTrip(
      openai,
      'completion',
      { model: 'g', prompt: 'x' },
      d('gpt-3.5-turbo-instruct'),
    );
    expect(cs.outcome.usage!.outputTokens).toBeGreaterThan(0);
    expect(last(cs.out).object).toBe('text_completion');
    const e = await roundTrip(
      openai,
      'embedding',
      { model: 'g', input: ['a b', 'c'] },
      d('text-embedding-3-small'),
    );
    expect((e.body.data as unknown[]).length).toBe(2);
    expect(e.usage).toMatchObject({ inputTokens: 3, outputTokens: 0 });

    const i = await roundTrip(
      openai,
      'image_generation',
      { model: 'g', prompt: 'a cat', n: 2, size: '1024x1024' },
      d('gpt-image-1'),
    );
    expect(i.usage!.images).toEqual({ count: 2, size: '1024x1024', quality: 'medium' });
    expect(i.usage!.outputTokens).toBe(544);
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
    expect(err.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', status: 401, retryable: false });
    expect(err.error.message).toMatch(/returned 401: Incorrect API key provided/);
    expect(err.error.message).not.toContain('6789');
    const rl = await roundTrip(openai, 'chat', chat, d('gpt-4o-fail-429')).catch((e) => e);
    expect(rl.status).toBe(429);
    expect(rl.error).toMatchObject({ status: 429, retryable: true });
    expect(rl.error.message).toBe(
      'Upstream deployment test-group (openai/gpt-4o-fail-429, id test-id) returned 429: Rate limit reached for requests (mock fail-429).',
    );
  });

  it('missing usage is null (the gateway estimates it)', async () => {
    const r = await roundTrip(openai, 'chat', chat, d('gpt-4o-no-usage'));
    expect(r.usage).toBeNull();
    expect(r.rawUsage).toBeNull();
    const s = await streamRoundTrip(openai, 'chat', chat, d('gpt-4o-no-usage'));
    expect(s.outcome.usage).toBeNull();
    expect(s.outcome.text).not.toBe('');
  });

  it('a stream cut by the upstream keeps the text generated so far', async () => {
    const s = await streamRoundTrip(openai, 'chat', chat, d('gpt-4o-cut-3'));
    expect(s.outcome.usage).toBeNull();
    expect(s.outcome.text).toBe('Hello from ');
  });

  it('text-completion-openai serves chat through /completions', async () => {
    const a = getFamily('text-completion-openai')!;
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
    expect(last(s.out)).toMatchObject({
      object: 'chat.completion.chunk',
      usage: { prompt_tokens: 2 },
    });
  });
});

describe('parseOpenAiError', () => {
  it('reads the OpenAI, vLLM and plain-string shapes and falls back to an excerpt', () => {
    expect(
      parseOpenAiError(400, '{"error":{"message":"bad","type":"invalid_request_error","code":null}}'),
    ).toEqual({
      message: 'bad',
      type: 'invalid_request_error',
    });
    expect(parseOpenAiError(400, '{"object":"error","message":"too long","type":"BadRequestError"}')).toEqual(
      {
        message: 'too long',
        type: 'BadRequestError',
      },
    );
    expect(parseOpenAiError(500, '{"error":"boom"}')).toEqual({ message: 'boom' });
    expect(parseOpenAiError(502, '<html>Bad gateway</html>')).toEqual({
      message: '<html>Bad gateway</html>',
    });
    expect(parseOpenAiError(503, '')).toEqual({ message: 'upstream returned HTTP 503' });
  });
});
