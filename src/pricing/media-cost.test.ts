import { describe, expect, it } from 'vitest';
import { builtinCatalog } from './builtin-catalog.js';
import { type Cost, priceUsage } from './cost.js';
import { explainCost } from './explain.js';
import { formatMoney } from './money.js';
import { resolvePricing } from './resolve.js';
import { emptyUsage, type Usage } from './usage.js';

const usage = (u: Partial<Usage>): Usage => ({ ...emptyUsage(), ...u });
const catalog = (model: string, provider = 'openai') =>
  resolvePricing({ name: 'dep', model: `${provider}/${model}`, provider }, builtinCatalog());
const custom = (prices: Record<string, string>) =>
  resolvePricing(
    { name: 'dep', model: 'openai/custom-x', provider: 'openai', customPricing: prices },
    builtinCatalog(),
  );
const usd = (c: Cost) => formatMoney(c.costUsd);

describe('audio duration (whisper-style per-second prices)', () => {
  it('bills the audio length, not the request time: 1.5 s × 0.0001 = 0.00015, source named', () => {
    const c = priceUsage(
      catalog('whisper-1'),
      usage({ durationMs: 9000, audioDuration: { ms: 1500, source: 'the uploaded file (music-metadata)' } }),
    );
    expect(usd(c)).toBe('0.00015');
    // whisper-1 lists input and output per-second prices at the same rate: billed once.
    expect(c.lines).toHaveLength(1);
    expect(c.lines[0]).toMatchObject({ kind: 'input_seconds', quantity: 1.5, unit: 'second' });
    expect(explainCost(c)).toContain('audio duration from the uploaded file (music-metadata)');
  });

  it('without an audio duration the request time stays the meter (2.25 s × 0.0001 = 0.000225)', () => {
    expect(usd(priceUsage(catalog('whisper-1'), usage({ durationMs: 2250 })))).toBe('0.000225');
  });

  it('token-priced transcription: 15 audio × 0.000006 + 4 text × 0.0000025 + 7 out × 0.00001 = 0.00017', () => {
    const c = priceUsage(
      catalog('gpt-4o-transcribe'),
      usage({ inputTokens: 19, audioInputTokens: 15, outputTokens: 7 }),
    );
    expect(usd(c)).toBe('0.00017');
  });
});

describe('characters (text to speech)', () => {
  it('11 characters × 0.000015 = 0.000165; text tokens are not billed where no token price exists', () => {
    const c = priceUsage(catalog('tts-1'), usage({ inputCharacters: 11, inputTokens: 2 }));
    expect(usd(c)).toBe('0.000165');
    expect(c.lines.map((l) => [l.kind, l.unit, l.quantity])).toEqual([['input_characters', 'character', 11]]);
    expect(c.unitPrices.input_cost_per_character).toBe('0.000015');
  });

  it('characters are only billed when the usage counts them (chat on a per-character entry)', () => {
    const r = custom({ input_cost_per_character: '0.0000001', input_cost_per_token: '0.000001' });
    expect(usd(priceUsage(r, usage({ inputTokens: 10 })))).toBe('0.00001');
    // 10 × 0.000001 + 40 × 0.0000001 = 0.000014
    expect(usd(priceUsage(r, usage({ inputTokens: 10, inputCharacters: 40 })))).toBe('0.000014');
  });
});

describe('queries (rerank search units)', () => {
  it('3 search units × 0.002 = 0.006; one query when the upstream reported none', () => {
    const r = catalog('rerank-english-v3.0', 'cohere');
    const c = priceUsage(r, usage({ queries: 3 }));
    expect(usd(c)).toBe('0.006');
    expect(c.lines[0]).toMatchObject({
      kind: 'queries',
      quantity: 3,
      unit: 'query',
      priceKey: 'input_cost_per_query',
    });
    expect(usd(priceUsage(r, usage({})))).toBe('0.002');
  });

  it('per-token rerank (Jina): 120 tokens × 0.000000018 = 0.00000216; no query price, no query line', () => {
    const c = priceUsage(
      catalog('jina-reranker-v2-base-multilingual', 'jina_ai'),
      usage({ inputTokens: 120, queries: 1 }),
    );
    expect(usd(c)).toBe('0.00000216');
    expect(c.lines.map((l) => l.kind)).toEqual(['input']);
  });
});
