import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_CHAT_BODY } from './bench.js';
import { type MockUpstream, startMockUpstream } from './server.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON access in assertions
  return { status: res.statusCode, headers: res.headers, text, json: json as Record<string, any> };
}

const bearer = { authorization: 'Bearer sk-test' };
const msgs = [{ role: 'user', content: 'hi' }];

describe('credentials, per provider error shape', () => {
  it('OpenAI: missing or invalid bearer → 401', async () => {
    const none = await post('/v1/chat/completions', { model: 'gpt-4o', messages: msgs });
    expect(none.status).toBe(401);
    expect(none.json.error.message).toMatch(/You didn't provide an API key/);
    const bad = await post(
      '/v1/chat/completions',
      { model: 'gpt-4o', messages: msgs },
      { authorization: 'Bearer sk-invalid-123456' },
    );
    expect(bad.json.error).toMatchObject({ code: 'invalid_api_key', type: 'invalid_request_error' });
  });

  it('Azure: api-key required, api-version required', async () => {
    expect(
      (await post('/openai/deployments/d/chat/completions?api-version=2024-10-21', { messages: msgs })).json,
    ).toEqual({
      error: { code: '401', message: expect.stringMatching(/^Access denied/) },
    });
    const noVersion = await post(
      '/openai/deployments/d/chat/completions',
      { messages: msgs },
      { 'api-key': 'k' },
    );
    expect(noVersion.status).toBe(404);
  });

  it('Anthropic: x-api-key and anthropic-version required; validates like the real API', async () => {
    const noKey = await post(
      '/v1/messages',
      { model: 'c', max_tokens: 5, messages: msgs },
      { 'anthropic-version': '2023-06-01' },
    );
    expect(noKey.json).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
    const noVersion = await post(
      '/v1/messages',
      { model: 'c', max_tokens: 5, messages: msgs },
      { 'x-api-key': 'k' },
    );
    expect(noVersion.status).toBe(400);
    const h = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' };
    expect((await post('/v1/messages', { model: 'c', messages: msgs }, h)).json.error.message).toBe(
      'max_tokens: Field required',
    );
    expect(
      (await post('/v1/messages', { model: 'c', max_tokens: 5, messages: msgs, user: 'x' }, h)).json.error
        .message,
    ).toBe('user: Extra inputs are not permitted');
  });

  it('an explicit key list is enforced', async () => {
    const strict = await startMockUpstream({ apiKeys: ['sk-good'] });
    try {
      const ok = await request(`${strict.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-good' },
        body: '{"model":"e","input":"x"}',
      });
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
      const bad = await request(`${strict.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-other' },
        body: '{"model":"e","input":"x"}',
      });
      expect(bad.statusCode).toBe(401);
      await bad.body.text();
    } finally {
      await strict.close();
    }
  });
});

describe('switches', () => {
  it('fail-<status> answers the status in the provider shape (429 with retry-after)', async () => {
    const r = await post('/v1/chat/completions', { model: 'gpt-4o-fail-429', messages: msgs }, bearer);
    expect(r.status).toBe(429);
    expect(r.headers['retry-after']).toBe('0');
    expect(r.json.error.type).toBe('rate_limit_exceeded');
    const a = await post(
      '/v1/messages',
      { model: 'claude-fail-500', max_tokens: 5, messages: msgs },
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    expect(a.json).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    const o = await post('/api/chat', { model: 'llama-fail-400', messages: msgs });
    expect(o.status).toBe(400);
    expect(typeof o.json.error).toBe('string');
  });

  it('flaky-<n> fails n times then succeeds', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await post('/v1/chat/completions', { model: 'flaky-2-x', messages: msgs }, bearer)).status,
      );
    expect(statuses).toEqual([500, 500, 200]);
  });

  it('slow-<ms> still answers; hang never does', async () => {
    expect(
      (await post('/v1/chat/completions', { model: 'gpt-slow-30', messages: msgs }, bearer)).status,
    ).toBe(200);
    const hung = request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ model: 'gpt-hang', messages: msgs }),
      headersTimeout: 200,
    });
    await expect(hung).rejects.toThrow(/timeout/i);
  });

  it('cache-<n> and reasoning-<n> shape OpenAI usage; Anthropic reports cache outside input_tokens', async () => {
    const o = await post(
      '/v1/chat/completions',
      { model: 'gpt-4o-cache-50-reasoning-7', messages: msgs },
      bearer,
    );
    const u = o.json.usage;
    expect(u.prompt_tokens_details.cached_tokens).toBe(50);
    expect(u.prompt_tokens).toBeGreaterThan(50);
    expect(u.completion_tokens_details.reasoning_tokens).toBe(7);
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    const a = await post(
      '/v1/messages',
      { model: 'claude-cache-50-cache-write-9', max_tokens: 5, messages: msgs },
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    expect(a.json.usage).toMatchObject({ cache_read_input_tokens: 50, cache_creation_input_tokens: 9 });
    expect(a.json.usage.input_tokens).toBe(u.prompt_tokens - 50);
  });

  it('streams: include_usage chunk only when asked, then [DONE]', async () => {
    const withUsage = await post(
      '/v1/chat/completions',
      { model: 'gpt-4o', messages: msgs, stream: true, stream_options: { include_usage: true } },
      bearer,
    );
    expect(withUsage.headers['content-type']).toMatch(/text\/event-stream/);
    expect(withUsage.text).toMatch(/"choices":\[\],"usage":\{"prompt_tokens"/);
    expect(withUsage.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const without = await post(
      '/v1/chat/completions',
      { model: 'gpt-4o', messages: msgs, stream: true },
      bearer,
    );
    expect(without.text).not.toContain('prompt_tokens');
  });

  it('ollama streams NDJSON unless stream is false', async () => {
    const s = await post('/api/generate', { model: 'llama3', prompt: 'hi' });
    const lines = s.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ done: true, done_reason: 'stop' });
    expect(lines.at(-1).prompt_eval_count).toBe(1);
    const ns = await post('/api/generate', { model: 'llama3', prompt: 'hi', stream: false });
    expect(ns.json).toMatchObject({ done: true, response: 'Hello from the mock upstream. You said: hi' });
  });
});

describe('bench fast path and recording', () => {
  it('answers model "bench" with the pre-serialised body and does not record it', async () => {
    const before = mock.requests.length;
    const r = await post('/v1/chat/completions', { model: 'bench', messages: msgs }, bearer);
    expect(r.text).toBe(BENCH_CHAT_BODY.toString());
    const s = await post('/v1/chat/completions', { model: 'bench', stream: true, messages: msgs }, bearer);
    expect(s.text).toContain('data: [DONE]');
    expect(mock.requests.length).toBe(before);
  });

  it('records method, path, query, headers and parsed body', async () => {
    await post(
      '/openai/deployments/my-dep/embeddings?api-version=2024-10-21',
      { input: 'x' },
      { 'api-key': 'k' },
    );
    expect(mock.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/openai/deployments/my-dep/embeddings',
      query: { 'api-version': '2024-10-21' },
      body: { input: 'x' },
    });
    expect(mock.requests.at(-1)!.headers['api-key']).toBe('k');
  });

  it('unknown routes and bad JSON are errors', async () => {
    expect((await post('/v1/nothing', {}, bearer)).status).toBe(404);
    expect((await post('/v1/chat/completions', '{oops', bearer)).status).toBe(400);
  });
});

describe('Responses API and the other endpoints, in their real wire formats', () => {
  it('a Responses stream is the typed event sequence with running sequence numbers; the response is stored', async () => {
    const r = await post('/v1/responses', { model: 'gpt-4o', input: 'hello there', stream: true }, bearer);
    const events = r.text
      .split('\n\n')
      .filter(Boolean)
      .map(
        (b) =>
          JSON.parse(b.split('\ndata: ')[1]) as {
            type: string;
            sequence_number: number;
            response?: { id: string };
          },
      );
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...events
        .filter((e) => e.type === 'response.output_text.delta')
        .map(() => 'response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    const id = events.at(-1)!.response!.id;
    const got = await request(`${mock.url}/v1/responses/${id}`, { headers: bearer });
    expect(got.statusCode).toBe(200);
    expect(((await got.body.json()) as { id: string }).id).toBe(id);
  });

  it('Cohere rerank reports search units; Anthropic count_tokens needs its headers', async () => {
    const co = await post('/v2/rerank', { model: 'rerank-v3.5', query: 'a', documents: ['a', 'b'] }, bearer);
    expect(co.json.meta.billed_units).toEqual({ search_units: 1 });
    expect(co.json.results[0]).toEqual({ index: 0, relevance_score: 1 });
    const noVersion = await post(
      '/v1/messages/count_tokens',
      { model: 'c', messages: msgs },
      { 'x-api-key': 'k' },
    );
    expect(noVersion.status).toBe(400);
    const ok = await post(
      '/v1/messages/count_tokens',
      { model: 'c', messages: msgs },
      { 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
    );
    expect(ok.json.input_tokens).toBeGreaterThan(0);
  });
});
