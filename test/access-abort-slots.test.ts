/**
 * max_parallel_requests slots held by streams are released as soon as the client goes away:
 * abort in-flight streams (mid-stream and before the first byte), then the key's next requests
 * are admitted at once. On Redis counters (the shared setup). Before the fix, a stream aborted while
 * waiting for upstream headers was retried upstream for the gone client and kept its slot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { REDIS_URL, requireRedis } from './support/services.js';

let t: TestGateway;
beforeAll(async () => {
  const prefix = await requireRedis();
  t = await startTestGateway(
    `
model_list:
  - model_name: slow
    litellm_params: { model: openai/gpt-4o-stream-slow-300, api_base: "{{MOCK}}/v1", api_key: sk-mock }
  - model_name: stuck
    litellm_params: { model: openai/gpt-4o-slow-5000, api_base: "{{MOCK}}/v1", api_key: sk-mock, max_retries: 3 }
  - model_name: fast
    litellm_params: { model: openai/gpt-4o, mock_response: "ok" }
general_settings:
  master_key: sk-1234
`,
    { redisUrl: REDIS_URL, env: { TOLLGATE_REDIS_PREFIX: prefix } },
  );
});
afterAll(async () => {
  await t?.close();
});

const chat = (key: string, model: string, stream: boolean, signal?: AbortSignal) =>
  fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      model,
      stream,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'one two three four five six seven eight nine ten' }],
    }),
    signal,
  });

describe('parallel slots of aborted streams', () => {
  it('are free right after the clients go away (mid-stream and before the first byte)', async () => {
    const gen = await fetch(`${t.url}/key/generate`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ max_parallel_requests: 4 }),
    });
    const { key } = (await gen.json()) as { key: string };
    const aborts: AbortController[] = [];
    const started: Promise<unknown>[] = [];
    for (let i = 0; i < 2; i++) {
      const a = new AbortController();
      aborts.push(a);
      started.push(
        chat(key, 'slow', true, a.signal).then(async (r) => {
          const reader = r.body!.getReader();
          await reader.read(); // first chunk arrived: the stream is running
        }),
      );
    }
    for (let i = 0; i < 2; i++) {
      const a = new AbortController();
      aborts.push(a);
      chat(key, 'stuck', true, a.signal).catch(() => {}); // waits for upstream headers
    }
    await Promise.all(started);
    // All 4 slots are in use now.
    expect((await chat(key, 'fast', false)).status).toBe(429);
    for (const a of aborts) a.abort();
    // The server sees the disconnects within a few ms; give it no more than that.
    await new Promise((r) => setTimeout(r, 50));
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const rs = await Promise.all([1, 2, 3, 4].map(() => chat(key, 'fast', false)));
      statuses.push(...rs.map((r) => r.status));
    }
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 30_000);
});
