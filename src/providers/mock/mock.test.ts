import { describe, expect, it } from 'vitest';
import { createAnthropicPassthroughDecoder } from '../anthropic/anthropic-stream.js';
import { createOpenAiStreamDecoder } from '../openai-compatible/openai-stream.js';
import { deployment, sseDataPayloads } from '../test-support.js';
import { countPromptTokens, countTextTokens } from '../token-count.js';
import { mockResponse, mockStream } from './index.js';

const d = deployment('openai/gpt-4o', { mockResponse: 'canned' });
const body = { model: 'demo', messages: [{ role: 'user', content: 'hi, how are you?' }] };

describe('mockResponse', () => {
  it('chat: the canned text with tokenizer-counted usage', () => {
    const r = mockResponse('chat', body, d, 'Hello, I am a mock.');
    expect(r.body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      choices: [{ message: { role: 'assistant', content: 'Hello, I am a mock.' }, finish_reason: 'stop' }],
    });
    expect(r.usage.inputTokens).toBe(countPromptTokens(body, 'gpt-4o'));
    expect(r.usage.outputTokens).toBe(countTextTokens('Hello, I am a mock.', 'gpt-4o'));
    expect(r.body.usage).toMatchObject({
      prompt_tokens: r.usage.inputTokens,
      completion_tokens: r.usage.outputTokens,
    });
    expect(r.responseModel).toBe('gpt-4o');
  });

  it('completion, embedding (deterministic unit vectors), image, anthropic message', () => {
    expect(mockResponse('completion', { prompt: 'say hi' }, d, 'hi').body).toMatchObject({
      object: 'text_completion',
      choices: [{ text: 'hi' }],
    });
    const e1 = mockResponse('embedding', { input: ['a', 'b'] }, d, 'x');
    const e2 = mockResponse('embedding', { input: ['a'], dimensions: 4 }, d, 'x');
    const v = (e1.body.data as { embedding: number[] }[])[0].embedding;
    expect(v).toHaveLength(8);
    expect(Math.hypot(...v)).toBeCloseTo(1, 4);
    expect((e2.body.data as { embedding: number[] }[])[0].embedding).toHaveLength(4);
    expect(e1.usage.inputTokens).toBe(2);
    const img = mockResponse(
      'image_generation',
      { prompt: 'cat', n: 2, size: '512x512', response_format: 'b64_json' },
      d,
      'x',
    );
    expect(img.usage.images).toEqual({ count: 2, size: '512x512', quality: undefined });
    expect((img.body.data as { b64_json: string }[])[1].b64_json).toMatch(/^iVBOR/);
    const msg = mockResponse(
      'anthropic_messages',
      { messages: [{ role: 'user', content: 'hi' }], max_tokens: 10 },
      deployment('anthropic/claude'),
      'yo',
    );
    expect(msg.body).toMatchObject({
      type: 'message',
      content: [{ type: 'text', text: 'yo' }],
      stop_reason: 'end_turn',
    });
  });
});

describe('mockStream', () => {
  it('OpenAI chunks whose content adds up to the text, and a usage chunk matching mockResponse', () => {
    const m = mockStream('chat', body, d, 'one two  three');
    const chunks = m.chunks.flatMap((c) => sseDataPayloads(c)) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
    }[];
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('one two  three');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(m.chunks.join('')).not.toContain('[DONE]');
    expect(m.result.usage).toEqual(mockResponse('chat', body, d, 'one two  three').usage);
    expect(m.result.usageChunk).toMatchObject({
      choices: [],
      usage: { prompt_tokens: m.result.usage!.inputTokens },
    });
    // The chunks are valid OpenAI SSE for our own decoder too.
    const dec = createOpenAiStreamDecoder({ object: 'chat.completion.chunk' });
    dec.push(m.chunks.join(''));
    expect(dec.finish().text).toBe('one two  three');
  });

  it('native Anthropic events for anthropic_messages, readable by the pass-through decoder', () => {
    const m = mockStream(
      'anthropic_messages',
      { messages: [{ role: 'user', content: 'hi' }] },
      deployment('anthropic/claude'),
      'hello world',
    );
    expect(m.result.usageChunk).toBeNull();
    const dec = createAnthropicPassthroughDecoder();
    dec.push(m.chunks.join(''));
    const r = dec.finish();
    expect(r.usage).toMatchObject({
      inputTokens: m.result.usage!.inputTokens,
      outputTokens: m.result.usage!.outputTokens,
      estimated: false,
    });
    expect(r.text).toBe('hello world');
  });

  it('completion streams; embeddings cannot stream', () => {
    expect(mockStream('completion', { prompt: 'x' }, d, 'a b').result.usageChunk).toMatchObject({
      object: 'text_completion',
    });
    expect(() => mockStream('embedding', { input: 'x' }, d, 'a')).toThrow(/not supported/);
  });
});
