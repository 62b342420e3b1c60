/**
 * Where OpenAI-format providers put reasoning tokens, on recorded usage shapes: OpenAI counts them inside
 * completion_tokens, xAI outside (total = prompt + completion + reasoning). Both end up inside outputTokens,
 * so the output is billed once for every token generated.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, formatMoney, priceUsage, resolvePricing } from '../../pricing/index.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { deployment, input } from '../test-support.js';
import shapes from './__fixtures__/usage-shapes.json' with { type: 'json' };
import { parseOpenAiResponse } from './openai-endpoints.js';
import { OPENAI_COMPATIBLE } from './openai-providers.js';
import { createOpenAiStreamDecoder } from './openai-stream.js';
import { usageFromXai } from './xai-usage.js';

const enc = new TextEncoder();
const ci = input('chat', {}, deployment('openai/gpt-5'), true);
const parse = (body: unknown, convert?: (raw: unknown) => ReturnType<typeof usageFromXai>) =>
  parseOpenAiResponse('chat', body, undefined, ci, convert);

describe('OpenAI: reasoning inside completion_tokens', () => {
  it('o4-mini: outputTokens = completion_tokens (1246, of which 1024 reasoning)', () => {
    const u = usageFromOpenAi(shapes.openai_o4_mini_reasoning.usage);
    expect(u).toMatchObject({
      inputTokens: 1117,
      cacheReadTokens: 1024,
      outputTokens: 1246,
      reasoningTokens: 1024,
    });
  });

  it('the response’s service_tier reaches the usage (non-streamed and streamed)', () => {
    const parsed = parse(shapes.openai_gpt5_flex);
    expect(parsed.usage?.serviceTier).toBe('flex');
    const d = createOpenAiStreamDecoder(ci, { object: 'chat.completion.chunk' });
    d.push(
      enc.encode(
        `data: ${JSON.stringify({ id: 'c', model: 'gpt-5', service_tier: 'flex', choices: [{ index: 0, delta: { content: 'hi' } }] })}\n\n`,
      ),
    );
    d.push(
      enc.encode(
        `data: ${JSON.stringify({ id: 'c', model: 'gpt-5', choices: [], usage: shapes.openai_gpt5_flex.usage })}\n\n`,
      ),
    );
    expect(d.end().usage?.serviceTier).toBe('flex');
  });

  it('gpt-5 flex, hand-priced: 2000 × 0.000000625 + 700 × 0.000005 = 0.00475', () => {
    // 0.00125 + 0.0035; reasoning (448) is part of the 700 output tokens, billed once
    const r = resolvePricing({ name: 'g', model: 'openai/gpt-5', provider: 'openai' }, builtinCatalog());
    const c = priceUsage(r, parse(shapes.openai_gpt5_flex).usage!);
    expect(formatMoney(c.costUsd)).toBe('0.00475');
  });
});

describe('xAI: reasoning outside completion_tokens', () => {
  it('grok-3-mini: 9 completion + 94 reasoning = 103 output tokens (total 135 = 32 + 9 + 94)', () => {
    const u = usageFromXai(shapes.xai_grok_3_mini_reasoning.usage);
    expect(u).toMatchObject({ inputTokens: 32, cacheReadTokens: 6, outputTokens: 103, reasoningTokens: 94 });
    // The OpenAI normaliser would have billed only 9 of the 103 generated tokens.
    expect(usageFromOpenAi(shapes.xai_grok_3_mini_reasoning.usage)?.outputTokens).toBe(9);
  });

  it('hand-priced with xai/grok-3-mini: 32 × 0.0000003 + 103 × 0.0000005 = 0.0000611', () => {
    // no cache read price: the 6 cached tokens are billed at the input price (fallback, noted)
    // 0.0000096 + 0.0000515 = 0.0000611
    const r = resolvePricing({ name: 'x', model: 'xai/grok-3-mini', provider: 'xai' }, builtinCatalog());
    const c = priceUsage(r, usageFromXai(shapes.xai_grok_3_mini_reasoning.usage)!);
    expect(formatMoney(c.costUsd)).toBe('0.0000611');
  });

  it('no reasoning, or a total that already includes it: nothing added', () => {
    expect(usageFromXai(shapes.xai_grok_4_no_reasoning_detail.usage)?.outputTokens).toBe(40);
    const inside = {
      prompt_tokens: 10,
      completion_tokens: 50,
      total_tokens: 60,
      completion_tokens_details: { reasoning_tokens: 30 },
    };
    expect(usageFromXai(inside)?.outputTokens).toBe(50);
    expect(usageFromXai(null)).toBeNull();
  });

  it('the xai provider uses it (non-streamed and streamed)', () => {
    expect(OPENAI_COMPATIBLE.xai.convertUsage).toBe(usageFromXai);
    expect(OPENAI_COMPATIBLE.openai.convertUsage).toBeUndefined();
    const parsed = parse(shapes.xai_grok_3_mini_reasoning, OPENAI_COMPATIBLE.xai.convertUsage);
    expect(parsed.usage?.outputTokens).toBe(103);
    const d = createOpenAiStreamDecoder(ci, { object: 'chat.completion.chunk', convertUsage: usageFromXai });
    d.push(
      enc.encode(
        `data: ${JSON.stringify({ id: 'c', model: 'grok-3-mini', choices: [], usage: shapes.xai_grok_3_mini_reasoning.usage })}\n\n`,
      ),
    );
    expect(d.end().usage?.outputTokens).toBe(103);
  });
});
