import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/builtin-catalog.js';
import { resolvePricing } from '../../pricing/resolve.js';
import { decode, deployment, input, sseDataPayloads } from '../test-support.js';
import { vertexFamily } from './vertex-family.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage?: unknown };
const content = (out: string) =>
  (sseDataPayloads(out).filter((c) => c !== '[DONE]') as Chunk[])
    .map((c) => c.choices[0]?.delta?.content ?? '')
    .join('');

describe('Vertex wire fixtures, replayed', () => {
  it('Gemini stream: usage only on the last event (the first has just trafficType), no candidate index', () => {
    const { out, outcome } = decode(vertexFamily, 'chat', deployment('vertex_ai/gemini-2.5-flash'), [
      fixture('vertex-gemini.chunks.txt'),
    ]);
    expect(content(out)).toBe('Bonjour le monde !');
    expect(outcome.usage).toMatchObject({
      inputTokens: 6,
      outputTokens: 25,
      reasoningTokens: 21,
      estimated: false,
    });
    expect(outcome.rawUsage).toMatchObject({ trafficType: 'ON_DEMAND', thoughtsTokenCount: 21 });
  });

  it('Claude rawPredict: an Anthropic Message → chat.completion with cache-aware usage', () => {
    const json = JSON.parse(fixture('vertex-claude.json'));
    const parsed = vertexFamily.endpoints.chat!.parse(
      json,
      JSON.stringify(json),
      input('chat', {}, deployment('vertex_ai/claude-sonnet-4@20250514')),
    );
    expect(parsed.body).toMatchObject({
      object: 'chat.completion',
      choices: [{ message: { content: 'Paris is the capital of France.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1038, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 1024 } },
    });
    expect(parsed.usage).toMatchObject({ inputTokens: 1038, cacheReadTokens: 1024, outputTokens: 10 });
  });

  it('Claude streamRawPredict: Anthropic events → OpenAI chunks, usage from message_start/message_delta', () => {
    const { out, outcome } = decode(vertexFamily, 'chat', deployment('vertex_ai/claude-sonnet-4@20250514'), [
      fixture('vertex-claude.chunks.txt'),
    ]);
    expect(content(out)).toBe('Paris is the capital.');
    expect(outcome.usage).toMatchObject({ inputTokens: 14, outputTokens: 8, estimated: false });
  });

  it(':predict embeddings: reported token counts summed, vectors in order', () => {
    const json = JSON.parse(fixture('vertex-predict.json'));
    const parsed = vertexFamily.endpoints.embedding!.parse(
      json,
      JSON.stringify(json),
      input('embedding', { input: ['a', 'b'] }, deployment('vertex_ai/text-embedding-005')),
    );
    expect(parsed.usage).toMatchObject({ inputTokens: 9, estimated: false });
    expect(parsed.body).toMatchObject({
      data: [{ index: 0, embedding: [0.0302, -0.0461, 0.0051, 0.0735] }, { index: 1 }],
      usage: { prompt_tokens: 9 },
    });
    const b64 = vertexFamily.endpoints.embedding!.parse(
      json,
      '',
      input(
        'embedding',
        { input: ['a', 'b'], encoding_format: 'base64' },
        deployment('vertex_ai/text-embedding-005'),
      ),
    );
    const first = (b64.body.data as Array<{ embedding: string }>)[0].embedding;
    const floats = new Float32Array(new Uint8Array(Buffer.from(first, 'base64')).buffer);
    expect([...floats].map((v) => Math.round(v * 1e4) / 1e4)).toEqual([0.0302, -0.0461, 0.0051, 0.0735]);
  });
});

describe('catalog lookup for Google deployments', () => {
  it.each([
    ['gemini/gemini-2.5-pro', 'gemini', 'gemini/gemini-2.5-pro'],
    ['gemini/gemini-embedding-001', 'gemini', 'gemini/gemini-embedding-001'],
    ['vertex_ai/gemini-2.5-pro', 'vertex_ai', 'gemini-2.5-pro'],
    ['vertex_ai/gemini-2.5-flash', 'vertex_ai', 'gemini-2.5-flash'],
    ['vertex_ai/claude-sonnet-4@20250514', 'vertex_ai', 'vertex_ai/claude-sonnet-4@20250514'],
    ['vertex_ai/text-embedding-005', 'vertex_ai', 'text-embedding-005'],
    ['vertex_ai/gemini-embedding-001', 'vertex_ai', 'gemini-embedding-001'],
  ])('%s is priced from catalog entry %s', (model, provider, key) => {
    const r = resolvePricing({ name: 'x', model, provider }, builtinCatalog());
    expect(r.entryKey).toBe(key);
    expect(r.unpriced).toBe(false);
  });
});
