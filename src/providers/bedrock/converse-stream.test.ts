import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeEventStreamMessage } from '../aws/event-stream.js';
import { decode, deployment, sseDataPayloads } from '../test-support.js';
import { bedrockFamily } from './bedrock-family.js';
import { converseToChat, converseUsage } from './converse-response.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const d = deployment('bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0');

/** The fixture's events as AWS event-stream frames. */
function frames(name: string): Buffer {
  const events = JSON.parse(fixture(name)) as [string, unknown][];
  return Buffer.concat(
    events.map(([type, payload]) =>
      encodeEventStreamMessage(JSON.stringify(payload), { eventType: type, contentType: 'application/json' }),
    ),
  );
}

type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] };
const content = (out: string) =>
  (sseDataPayloads(out) as Chunk[]).filter((c) => typeof c === 'object' && c.choices?.length > 0);

describe('Converse usage semantics', () => {
  it('inputTokens excludes cache reads and writes: they are added back, as LiteLLM does', () => {
    const res = JSON.parse(fixture('converse-text.json'));
    const usage = converseUsage(res.usage)!;
    expect(usage).toMatchObject({
      inputTokens: 25 + 1500 + 200,
      cacheReadTokens: 1500,
      cacheWriteTokens: 200,
      outputTokens: 12,
    });
    // The sum matches Bedrock's own totalTokens.
    expect(usage.inputTokens + usage.outputTokens).toBe(res.usage.totalTokens);
    const chat = converseToChat(res, 'model-x', usage);
    expect(chat.usage).toMatchObject({
      prompt_tokens: 1725,
      completion_tokens: 12,
      total_tokens: 1737,
      prompt_tokens_details: { cached_tokens: 1500 },
      cache_read_input_tokens: 1500,
      cache_creation_input_tokens: 200,
    });
    expect(converseUsage(undefined)).toBeNull();
  });

  it('maps a tool-use answer to tool_calls', () => {
    const res = JSON.parse(fixture('converse-tool.json'));
    const chat = converseToChat(res, 'm', converseUsage(res.usage)!);
    expect(chat.choices).toEqual([
      {
        index: 0,
        finish_reason: 'tool_calls',
        logprobs: null,
        message: {
          role: 'assistant',
          content: "I'll look up the most popular song on WZPZ.",
          tool_calls: [
            {
              id: 'tooluse_hbTgdi0CSLq_hM4P8csZJA',
              type: 'function',
              function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
            },
          ],
        },
      },
    ]);
    // JSON mode: the forced tool's input is the content.
    const json = converseToChat(res, 'm', converseUsage(res.usage)!, 'top_song');
    expect(json.choices).toMatchObject([{ finish_reason: 'stop', message: { content: '{"sign":"WZPZ"}' } }]);
  });
});

describe('ConverseStream decoder', () => {
  it('text, tool-use start and input deltas, finish and usage; the usage chunk with the cost comes last', () => {
    const { out, outcome } = decode(bedrockFamily, 'chat', d, [frames('converse-stream-tool.events.json')]);
    const chunks = content(out);
    expect(chunks.map((c) => c.choices[0].delta)).toEqual([
      { role: 'assistant', content: '' },
      { content: "I'll look up" },
      { content: ' the top song. Ça va 👋' },
      {
        tool_calls: [
          {
            index: 0,
            id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
            type: 'function',
            function: { name: 'top_song', arguments: '' },
          },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"sign": "W' } }] },
      { tool_calls: [{ index: 0, function: { arguments: 'ZPZ"}' } }] },
      {},
    ]);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
    expect(outcome.usage).toMatchObject({
      inputTokens: 410 + 2024,
      cacheReadTokens: 2024,
      outputTokens: 55,
      estimated: false,
    });
    expect(outcome.rawUsage).toEqual({
      inputTokens: 410,
      outputTokens: 55,
      totalTokens: 2489,
      cacheReadInputTokens: 2024,
    });
    expect(sseDataPayloads(out).at(-2)).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 2434, completion_tokens: 55, cache_read_input_tokens: 2024, cost: 0.0012 },
    });
    expect(sseDataPayloads(out).at(-1)).toBe('[DONE]');
    expect(outcome.error).toBeNull();
  });

  it('gives the same output however the frames are split (ids and created aside)', () => {
    const raw = frames('converse-stream-tool.events.json');
    const norm = (s: string) =>
      s.replace(/"created":\d+/g, '"created":0').replace(/chatcmpl-[0-9a-f]+/g, 'id');
    const whole = decode(bedrockFamily, 'chat', d, [raw]);
    fc.assert(
      fc.property(fc.array(fc.nat(raw.length), { maxLength: 40 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        const pieces: Uint8Array[] = [];
        let prev = 0;
        for (const p of points) {
          pieces.push(raw.subarray(prev, p));
          prev = p;
        }
        pieces.push(raw.subarray(prev));
        const split = decode(bedrockFamily, 'chat', d, pieces);
        expect(norm(split.out)).toBe(norm(whole.out));
        expect(split.outcome.usage).toEqual(whole.outcome.usage);
      }),
      { numRuns: 200 },
    );
  });

  it('an exception frame becomes a classified error frame; nothing of it is forwarded', () => {
    const raw = Buffer.concat([
      encodeEventStreamMessage('{"role":"assistant"}', { eventType: 'messageStart' }),
      encodeEventStreamMessage('{"contentBlockIndex":0,"delta":{"text":"Hi"}}', {
        eventType: 'contentBlockDelta',
      }),
      encodeEventStreamMessage('{"message":"Too many tokens, please wait before trying again."}', {
        messageType: 'exception',
        exceptionType: 'throttlingException',
      }),
    ]);
    const { out, outcome } = decode(bedrockFamily, 'chat', d, [raw]);
    expect(outcome.error).toMatchObject({ code: 'TG_ERR_UPSTREAM', status: 429, retryable: false });
    expect(outcome.error!.message).toMatch(
      /sent an error mid-stream: Too many tokens, please wait before trying again. \(throttlingException\)$/,
    );
    expect(sseDataPayloads(out).at(-1)).toMatchObject({
      error: { type: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' },
    });
    expect(outcome.text).toBe('Hi');
    expect(outcome.usage).toBeNull();
  });

  it('a truncated frame or a payload that is not JSON makes the stream malformed', () => {
    const full = frames('converse-stream-tool.events.json');
    const cut = decode(bedrockFamily, 'chat', d, [full.subarray(0, full.length - 20)]);
    expect(cut.outcome.error?.message).toMatch(/sent a malformed stream: a truncated event-stream frame/);
    expect(cut.outcome.usage).toBeNull();
    const junk = decode(bedrockFamily, 'chat', d, [
      encodeEventStreamMessage('not json', { eventType: 'contentBlockDelta' }),
    ]);
    expect(junk.outcome.error?.message).toMatch(/a contentBlockDelta event whose payload is not JSON/);
  });
});
