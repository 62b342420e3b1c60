import { describe, expect, it } from 'vitest';
import { decode, deployment, roundTrip, sseDataPayloads, streamRoundTrip } from '../test-support.js';
import { countPromptTokens, countTextTokens } from '../token-count.js';
import { mockFamily } from './mock-family.js';
import { mockResponse, mockStream } from './mock-wire.js';

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
  it('OpenAI chunks whose content adds up to the text, then a usage chunk matching mockResponse and [DONE]', () => {
    const m = mockStream('chat', body, d, 'one two  three');
    const payloads = m.chunks.flatMap((c) => sseDataPayloads(c));
    expect(payloads.at(-1)).toBe('[DONE]');
    const chunks = payloads.slice(0, -2) as {
      choices: { delta: { content?: string }; finish_reason: string | null }[];
    }[];
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('one two  three');
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(m.usage).toEqual(mockResponse('chat', body, d, 'one two  three').usage);
    expect(payloads.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: m.usage.inputTokens } });
    // The chunks are valid OpenAI SSE for our own decoder too.
    const { outcome } = decode(mockFamily, 'chat', d, m.chunks);
    expect(outcome.text).toBe('one two  three');
    expect(outcome.usage).toMatchObject({
      inputTokens: m.usage.inputTokens,
      outputTokens: m.usage.outputTokens,
    });
  });

  it('native Anthropic events for anthropic_messages, readable by the pass-through decoder', () => {
    const m = mockStream(
      'anthropic_messages',
      { messages: [{ role: 'user', content: 'hi' }] },
      deployment('anthropic/claude'),
      'hello world',
    );
    const { outcome, out } = decode(mockFamily, 'anthropic_messages', d, m.chunks);
    expect(out).toBe(m.chunks.join(''));
    expect(outcome.usage).toMatchObject({
      inputTokens: m.usage.inputTokens,
      outputTokens: m.usage.outputTokens,
      estimated: false,
    });
    expect(outcome.text).toBe('hello world');
  });

  it('completion streams; embeddings cannot stream', () => {
    const payloads = mockStream('completion', { prompt: 'x' }, d, 'a b').chunks.flatMap((c) =>
      sseDataPayloads(c),
    );
    expect(payloads.at(-2)).toMatchObject({ object: 'text_completion', choices: [] });
    expect(() => mockStream('embedding', { input: 'x' }, d, 'a')).toThrow(/cannot stream embedding/);
  });
});

describe('the mock family', () => {
  it('answers every call type in-process, parsed and priced like a real upstream', async () => {
    const r = await roundTrip(mockFamily, 'chat', { ...body, model: 'demo' }, d);
    expect(r.request.url).toBe('mock:chat');
    expect(r.usage).toEqual(mockResponse('chat', body, d, 'canned').usage);
    expect((r.body.choices as { message: { content: string } }[])[0].message.content).toBe('canned');
    const img = await roundTrip(mockFamily, 'image_generation', { prompt: 'cat', n: 3, size: '256x256' }, d);
    expect(img.usage!.images).toEqual({ count: 3, size: '256x256', quality: undefined });
    const s = await streamRoundTrip(mockFamily, 'chat', body, d);
    expect(s.outcome.text).toBe('canned');
    expect(s.outcome.usage).toMatchObject({
      inputTokens: r.usage!.inputTokens,
      outputTokens: r.usage!.outputTokens,
    });
    expect(s.out.endsWith('data: [DONE]\n\n')).toBe(true);
  });
});
