/**
 * The response cache end to end, on the local backend and on Redis shared by two gateways: a repeat
 * is answered without calling the upstream, logged with spend 0, cache_hit and the cost it saved;
 * `cache` controls (no-cache, no-store, s-maxage), x-litellm-cache-key, streams served from and
 * stored into the cache, and the /cache management routes.
 */
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSpendLog } from '../src/ledger/batch-writer.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { REDIS_URL, requireRedis } from './support/services.js';

const MODELS = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0.000002, output_cost_per_token: 0.00001 }
  - model_name: embed
    litellm_params: { model: openai/text-embedding-3-small, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0.00000002, mode: embedding }
general_settings:
  master_key: sk-1234
`;

const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };

async function chat(url: string, body: object): Promise<{ status: number; headers: Headers; json: any }> {
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: H,
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: await r.json() };
}

const upstreamCalls = (t: TestGateway) =>
  t.mock.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

describe('local response cache', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(
      `${MODELS}litellm_settings:\n  cache: true\n  cache_params: { type: local, ttl: 600, supported_call_types: [acompletion, aembedding] }\n`,
    );
  }, 60_000);
  afterAll(async () => t?.close());

  it('answers a repeat from the cache: no upstream call, spend 0, cache_hit, the cost it saved', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'cache me please' }] };
    const first = await chat(t.url, body);
    expect(first.status).toBe(200);
    const key = first.headers.get('x-litellm-cache-key');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const cost = first.headers.get('x-litellm-response-cost')!;
    // Cost by hand from the usage the mock reported: input × 0.000002 + output × 0.00001.
    const u = first.json.usage;
    const byHand =
      BigInt(u.prompt_tokens) * parseMoney('0.000002') + BigInt(u.completion_tokens) * parseMoney('0.00001');
    expect(cost).toBe(formatMoney(byHand));
    const calls = upstreamCalls(t);

    // Same request, fields in another order, with metadata: same key, served from the cache.
    const second = await chat(t.url, { messages: body.messages, metadata: { tags: ['x'] }, model: 'gpt-4o' });
    expect(second.status).toBe(200);
    expect(second.headers.get('x-litellm-cache-key')).toBe(key);
    expect(second.headers.get('x-tollgate-cache-hit')).toBe('true');
    expect(second.headers.get('x-litellm-response-cost')).toBe('0');
    expect(second.json).toEqual(first.json);
    expect(upstreamCalls(t)).toBe(calls);

    await t.gw.ledger.flush();
    const hit = await getSpendLog(t.gw.db, second.headers.get('x-tollgate-request-id')!);
    expect(hit).toMatchObject({ spend: '0', cache_hit: true, cache_key: key, saved_spend: cost });
    expect(hit?.prompt_tokens).toBe(u.prompt_tokens);
    const miss = await getSpendLog(t.gw.db, first.headers.get('x-tollgate-request-id')!);
    expect(miss).toMatchObject({ spend: cost, cache_hit: false, cache_key: key, saved_spend: null });
  });

  it('honours no-cache, no-store and s-maxage, and refuses a malformed cache field with 400', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'controls' }] };
    await chat(t.url, { ...body, cache: { 'no-store': true } });
    const calls = upstreamCalls(t);
    await chat(t.url, body); // nothing was stored: a miss, stored now
    expect(upstreamCalls(t)).toBe(calls + 1);
    const noCache = await chat(t.url, { ...body, cache: { 'no-cache': true } });
    expect(noCache.headers.get('x-tollgate-cache-hit')).toBeNull();
    expect(upstreamCalls(t)).toBe(calls + 2);
    await new Promise((r) => setTimeout(r, 1100));
    const stale = await chat(t.url, { ...body, cache: { 's-maxage': 1 } });
    expect(stale.headers.get('x-tollgate-cache-hit')).toBeNull();
    const fresh = await chat(t.url, { ...body, cache: { 's-maxage': 600 } });
    expect(fresh.headers.get('x-tollgate-cache-hit')).toBe('true');
    const bad = await chat(t.url, { ...body, cache: { ttl: -1 } });
    expect(bad.status).toBe(400);
    expect(bad.json.error.param).toBe('cache');
    // `cache` is never forwarded upstream.
    expect(t.mock.requests.every((r) => !(r.body as Record<string, unknown>)?.cache)).toBe(true);
  });

  it('replays a cached answer as a stream, and stores a streamed answer for later non-stream calls', async () => {
    const client = new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1` });
    const messages = [{ role: 'user' as const, content: 'stream and cache' }];
    const plain = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const calls = upstreamCalls(t);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: any = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe(plain.choices[0].message.content);
    expect(usage.cost).toBe(0);
    expect(usage.completion_tokens).toBe(plain.usage?.completion_tokens);
    expect(upstreamCalls(t)).toBe(calls);

    // A streamed miss is assembled and stored: the non-stream repeat is a hit with the same text.
    const m2 = [{ role: 'user' as const, content: 'first streamed, then cached' }];
    let streamed = '';
    for await (const c of await client.chat.completions.create({
      model: 'gpt-4o',
      messages: m2,
      stream: true,
    }))
      streamed += c.choices[0]?.delta?.content ?? '';
    await new Promise((r) => setTimeout(r, 50));
    const before = upstreamCalls(t);
    const again = await chat(t.url, { model: 'gpt-4o', messages: m2 });
    expect(again.headers.get('x-tollgate-cache-hit')).toBe('true');
    expect(again.json.choices[0].message.content).toBe(streamed);
    expect(upstreamCalls(t)).toBe(before);
  });

  it('caches embeddings too, and /cache/flushall empties the cache', async () => {
    const e = { model: 'embed', input: 'vector me' };
    const post = (b: object) =>
      fetch(`${t.url}/v1/embeddings`, { method: 'POST', headers: H, body: JSON.stringify(b) });
    await post(e);
    const hit = await post(e);
    expect(hit.headers.get('x-tollgate-cache-hit')).toBe('true');
    const ping = await fetch(`${t.url}/cache/ping`, { headers: H });
    expect(await ping.json()).toMatchObject({ status: 'healthy', cache_type: 'local' });
    const flushed = await fetch(`${t.url}/cache/flushall`, { method: 'POST', headers: H, body: '{}' });
    expect(((await flushed.json()) as { deleted: number }).deleted).toBeGreaterThan(0);
    const after = await post(e);
    expect(after.headers.get('x-tollgate-cache-hit')).toBeNull();
  });
});

describe('Redis response cache shared by two gateways', () => {
  let a: TestGateway;
  let b: TestGateway;
  let prefix: string;
  beforeAll(async () => {
    prefix = await requireRedis();
    const yaml = `${MODELS}litellm_settings:\n  cache: true\n  cache_params: { type: redis, ttl: 60, namespace: team-a }\n`;
    const opts = { redisUrl: REDIS_URL, env: { TOLLGATE_REDIS_PREFIX: prefix } };
    a = await startTestGateway(yaml, opts);
    b = await startTestGateway(yaml, opts);
  }, 90_000);
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('an answer cached through one gateway is a hit on the other; /cache/delete removes it for both', async () => {
    const body = { model: 'gpt-4o', messages: [{ role: 'user', content: 'shared across replicas' }] };
    const first = await chat(a.url, body);
    const key = first.headers.get('x-litellm-cache-key')!;
    expect(key.startsWith('team-a:')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const onB = await chat(b.url, body);
    expect(onB.headers.get('x-tollgate-cache-hit')).toBe('true');
    expect(onB.json).toEqual(first.json);
    expect(upstreamCalls(b)).toBe(0);
    const r = new Redis(REDIS_URL);
    expect(await r.pttl(`${prefix}cache:${key}`)).toBeGreaterThan(50_000);
    r.disconnect();
    const del = await fetch(`${b.url}/cache/delete`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ keys: [key] }),
    });
    expect(await del.json()).toMatchObject({ deleted: 1 });
    const miss = await chat(a.url, body);
    expect(miss.headers.get('x-tollgate-cache-hit')).toBeNull();
  });
});
