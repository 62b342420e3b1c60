import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../pricing/builtin-catalog.js';
import { priceUsage } from '../../pricing/cost.js';
import { formatMoney } from '../../pricing/money.js';
import { resolvePricing } from '../../pricing/resolve.js';
import { geminiUsage, modalityTokens } from './gemini-usage.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8'));

describe('geminiUsage', () => {
  it('is null without a usage object ("not reported")', () => {
    expect(geminiUsage(undefined)).toBeNull();
    expect(geminiUsage('x')).toBeNull();
  });

  it('cached tokens are part of the prompt; thoughts are added to the candidates', () => {
    const u = geminiUsage(fixture('gemini-text.json').usageMetadata)!;
    expect(u).toMatchObject({
      inputTokens: 2078,
      cacheReadTokens: 2048,
      outputTokens: 13 + 226,
      reasoningTokens: 226,
      audioInputTokens: 0,
      estimated: false,
    });
  });

  it('tool-use prompt tokens are input; cached audio is not counted twice', () => {
    const u = geminiUsage(fixture('gemini-tool-use-usage.json'))!;
    // input = promptTokenCount 1200 + toolUsePromptTokenCount 450
    expect(u.inputTokens).toBe(1650);
    expect(u.cacheReadTokens).toBe(400);
    // audio: 400 in the prompt, 100 of them cached → 300 uncached audio tokens
    expect(u.audioInputTokens).toBe(300);
    expect(u.outputTokens).toBe(400);
    expect(u.reasoningTokens).toBe(90);
    // Everything adds up to Google's total.
    expect(u.inputTokens + u.outputTokens).toBe(fixture('gemini-tool-use-usage.json').totalTokenCount);
  });

  it('reads modality details', () => {
    expect(
      modalityTokens(
        [
          { modality: 'AUDIO', tokenCount: 3 },
          { modality: 'TEXT', tokenCount: 9 },
        ],
        'AUDIO',
      ),
    ).toBe(3);
    expect(modalityTokens(undefined, 'AUDIO')).toBe(0);
  });

  it('prices with the catalog: cache reads, thoughts at the reasoning price, audio at its own price', () => {
    const pricing = resolvePricing(
      { name: 'flash', model: 'gemini/gemini-2.5-flash', provider: 'gemini' },
      builtinCatalog(),
    );
    const cost = priceUsage(pricing, geminiUsage(fixture('gemini-tool-use-usage.json'))!);
    // gemini/gemini-2.5-flash (snapshot 2025-11-21): input 3e-7, cache read 3e-8, audio input 1e-6,
    // output 2.5e-6, reasoning 2.5e-6.
    //   uncached text input: 1650 − 400 cached − 300 audio = 950 × 3e-7  = 0.000285
    //   cache read:           400 × 3e-8                               = 0.000012
    //   audio input:          300 × 1e-6                               = 0.0003
    //   output (text):        400 − 90 = 310 × 2.5e-6                  = 0.000775
    //   reasoning:             90 × 2.5e-6                              = 0.000225
    //   total                                                          = 0.001597
    expect(formatMoney(cost.costUsd)).toBe('0.001597');
    expect(cost.lines.map((l) => [l.kind, l.quantity])).toEqual([
      ['input', 950],
      ['cache_read', 400],
      ['audio_input', 300],
      ['output', 310],
      ['reasoning', 90],
    ]);
  });
});
