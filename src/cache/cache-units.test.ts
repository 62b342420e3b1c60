import { describe, expect, it } from 'vitest';
import { cacheKey, readCacheControls } from './cache-key.js';
import { readCacheSettings } from './cache-settings.js';
import { LocalCacheStore } from './cache-store.js';
import { assembleStream } from './stream-assemble.js';
import { replayAsStream } from './stream-replay.js';

describe('cache key', () => {
  it('ignores field order, delivery and tracking fields; differs for anything that shapes the answer', () => {
    const a = cacheKey('', 'chat', {
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      temperature: 0,
    });
    const b = cacheKey('', 'chat', {
      temperature: 0,
      stream: true,
      metadata: { tags: ['t'] },
      cache: { ttl: 5 },
      messages: [{ content: 'x', role: 'user' }],
      model: 'm',
    });
    expect(a).toBe(b);
    expect(
      cacheKey('', 'chat', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 1 }),
    ).not.toBe(a);
    expect(
      cacheKey('', 'completion', { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 0 }),
    ).not.toBe(a);
    expect(cacheKey('ns', 'chat', { model: 'm' })).toMatch(/^ns:[0-9a-f]{64}$/);
  });

  it('reads the per-request cache controls and refuses malformed ones', () => {
    expect(readCacheControls({ 'no-cache': true, ttl: 60, 's-maxage': 10 })).toMatchObject({
      noCache: true,
      noStore: false,
      ttlSeconds: 60,
      maxAgeSeconds: 10,
    });
    expect(readCacheControls('yes')).toContain('must be an object');
    expect(readCacheControls({ ttl: 1.5 })).toContain('cache.ttl');
    expect(readCacheControls({ 'no-store': 'true' })).toContain('cache.no-store');
  });
});

describe('cache settings', () => {
  it('maps LiteLLM call types, defaults, and refuses bad values with the setting named', () => {
    const r = readCacheSettings(
      {
        cache: true,
        cache_params: { type: 'local', supported_call_types: ['acompletion', 'atranscription'] },
      },
      undefined,
      {},
    );
    expect([...(r.settings?.callTypes ?? [])]).toEqual(['chat']);
    expect(r.settings?.ttlSeconds).toBe(600);
    expect(r.warnings[0]).toContain('atranscription');
    expect(readCacheSettings({}, undefined, {}).settings).toBeNull();
    expect(
      readCacheSettings({ cache: true, cache_params: { type: 'memcached' } }, undefined, {}).errors[0],
    ).toContain('cache_params.type');
    expect(
      readCacheSettings({ cache: true, cache_params: { type: 'redis' } }, undefined, {}).errors[0],
    ).toContain('no Redis');
    expect(
      readCacheSettings(
        { cache: true, cache_params: { type: 'redis', host: 'r', port: 6380, password: 'p w' } },
        undefined,
        {},
      ).settings?.redisUrl,
    ).toBe('redis://:p%20w@r:6380');
  });
});

describe('local store', () => {
  it('expires entries and drops the least recently used one when full', async () => {
    let now = 0;
    const s = new LocalCacheStore(2, () => now);
    await s.set('a', '1', 10);
    await s.set('b', '2', 10);
    expect(await s.get('a')).toBe('1'); // a is now the most recent
    await s.set('c', '3', 10);
    expect(await s.get('b')).toBeNull();
    expect(await s.get('a')).toBe('1');
    now = 10_000;
    expect(await s.get('a')).toBeNull();
  });
});

describe('stream replay and assembly', () => {
  const completion = {
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get', arguments: '{"q":1}' } }],
        },
        finish_reason: 'tool_calls',
      },
    ],
    usage: { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12 },
  };

  it('replays a chat completion (tool calls included) as chunks and assembles it back', () => {
    const sse = replayAsStream('chat', JSON.stringify(completion), true, 'req-1')!;
    expect(sse.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(sse).toContain('"cost":0');
    expect(JSON.parse(assembleStream('chat', sse)!)).toEqual(completion);
  });

  it('assembles text deltas and drops the gateway usage fields; refuses an error frame or no [DONE]', () => {
    const chunk = (d: object) =>
      `data: ${JSON.stringify({ id: 'x', created: 2, model: 'm', choices: [d] })}\n\n`;
    const text =
      chunk({ index: 0, delta: { role: 'assistant', content: 'Hel' } }) +
      chunk({ index: 0, delta: { content: 'lo' }, finish_reason: 'stop' }) +
      `data: ${JSON.stringify({ id: 'x', choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, cost: 0.1, request_id: 'r' } })}\n\n` +
      'data: [DONE]\n\n';
    const body = JSON.parse(assembleStream('chat', text)!);
    expect(body.choices[0].message).toEqual({ role: 'assistant', content: 'Hello' });
    expect(body.usage).toEqual({ prompt_tokens: 1, completion_tokens: 2 });
    expect(assembleStream('chat', text.replace('data: [DONE]\n\n', ''))).toBeNull();
    expect(assembleStream('chat', `${text}data: {"error":{"message":"x"}}\n\n`)).toBeNull();
  });

  it('replays an Anthropic message as its event sequence', () => {
    const msg = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 2 },
    };
    const sse = replayAsStream('anthropic_messages', JSON.stringify(msg), false, 'r')!;
    const events = [...sse.matchAll(/^event: (\S+)$/gm)].map((m) => m[1]);
    expect(events).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(sse).toContain('"text":"Hi there"');
  });
});
