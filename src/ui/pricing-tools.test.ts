/**
 * The console's pricing tools on a bare Fastify app: catalog search over the built-in cost map
 * (exact prices), and the calculator (usage → exact cost, per deployment, through priceUsage),
 * with clear 400s for bad input. Costs checked against a hand calculation.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../gateway/error-handler.js';
import { logger } from '../logger.js';
import { builtinCatalog, parseMoney, type ResolvedPricing } from '../pricing/index.js';
import { type PricedDeployment, registerPricingTools } from './pricing-tools.js';

const price = (v: string) => parseMoney(v);

function deployment(
  modelName: string,
  id: string,
  model: string,
  prices: Record<string, string>,
  unpriced = false,
): PricedDeployment {
  const pricing: ResolvedPricing = {
    source: unpriced ? 'unpriced' : 'custom',
    entryKey: null,
    prices: Object.fromEntries(Object.entries(prices).map(([k, v]) => [k, price(v)])),
    origins: Object.fromEntries(Object.keys(prices).map((k) => [k, 'custom'])),
    unpriced,
    mode: 'chat',
    maxInputTokens: null,
    maxOutputTokens: null,
    warnings: [],
  };
  return { modelName, pricing, config: { id, model } };
}

let app: FastifyInstance;
beforeAll(async () => {
  app = Fastify({ logger: false });
  installErrorHandling(app, logger);
  registerPricingTools(app, {
    deployments: () => [
      deployment('chat', 'dep-a', 'openai/gpt-4o-mini', {
        input_cost_per_token: '0.0000013',
        output_cost_per_token: '0.0000027',
        cache_read_input_token_cost: '0.00000065',
      }),
      deployment('chat', 'dep-b', 'azure/gpt-4o-mini', {
        input_cost_per_token: '0.000002',
        output_cost_per_token: '0.000004',
      }),
      deployment('local', 'dep-c', 'ollama/llama3', {}, true),
    ],
    catalog: () => builtinCatalog(),
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const calc = (body: unknown) =>
  app.inject({ method: 'POST', url: '/pricing/calculate', payload: body as object });

describe('POST /pricing/calculate', () => {
  it('prices a usage exactly, line by line, for every deployment of the group', async () => {
    const res = await calc({
      model: 'chat',
      usage: { prompt_tokens: 1000, cache_read_tokens: 200, completion_tokens: 500 },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.data.map((d: { deployment_id: string }) => d.deployment_id)).toEqual(['dep-a', 'dep-b']);
    // dep-a: 800 uncached × 0.0000013 = 0.00104; 200 cache reads × 0.00000065 = 0.00013;
    //        500 × 0.0000027 = 0.00135; total 0.00252
    const a = body.data[0];
    expect(a.cost_usd).toBe('0.00252');
    expect(
      a.cost.lines.map((l: { kind: string; quantity: number; amount: string }) => [
        l.kind,
        l.quantity,
        l.amount,
      ]),
    ).toEqual([
      ['input', 800, '0.00104'],
      ['cache_read', 200, '0.00013'],
      ['output', 500, '0.00135'],
    ]);
    expect(a.explanation).toContain('cost 0.00252 USD source=custom');
    // dep-b has no cache price: cache reads at the input price: 1000 × 0.000002 + 500 × 0.000004 = 0.004
    expect(body.data[1].cost_usd).toBe('0.004');
  });

  it('one deployment on request; an unpriced one says so instead of a silent $0', async () => {
    const one = await calc({
      model: 'chat',
      deployment_id: 'dep-b',
      usage: { prompt_tokens: 1, completion_tokens: 1 },
    });
    expect(one.json().data.map((d: { deployment_id: string }) => d.deployment_id)).toEqual(['dep-b']);
    const local = (await calc({ model: 'local', usage: { prompt_tokens: 10 } })).json().data[0];
    expect(local.cost.unpriced).toBe(true);
    expect(local.explanation).toContain('UNPRICED');
  });

  it('refuses bad input with a clear 400', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ usage: {} }, /model/],
      [{ model: 'chat', usage: { prompt_tokens: -1 } }, /prompt_tokens/],
      [{ model: 'chat', usage: { prompt_tokens: 1.5 } }, /prompt_tokens/],
      [
        { model: 'chat', usage: { prompt_tokens: 10, cache_read_tokens: 20 } },
        /must include cache_read_tokens/,
      ],
      [
        { model: 'chat', usage: { completion_tokens: 1, reasoning_tokens: 2 } },
        /must include reasoning_tokens/,
      ],
      [{ model: 'chat', usage: { tokens: 5 } }, /usage/],
      [{ model: 'chat', deployment_id: 'dep-c', usage: {} }, /not in model group "chat"/],
    ];
    for (const [body, msg] of cases) {
      const res = await calc(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message, JSON.stringify(body)).toMatch(msg);
    }
    const unknown = await calc({ model: 'nope', usage: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('model_not_found');
    expect(unknown.json().error.message).toContain('Available models: chat, local');
  });
});

describe('GET /pricing/catalog', () => {
  it('finds entries by name with exact prices, exact matches first', async () => {
    const res = await app.inject({ method: 'GET', url: '/pricing/catalog?q=gpt-4o-mini&limit=5' });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.source).toMatch(/^builtin:litellm/);
    expect(body.total_matches).toBeGreaterThan(1);
    expect(body.data.length).toBeLessThanOrEqual(5);
    expect(body.data[0].key).toBe('gpt-4o-mini');
    // The map stores 1.5e-7 / 6e-7 / 7.5e-8 (JSON numbers): shown as exact decimals, never exponents.
    expect(body.data[0].prices).toMatchObject({
      input_cost_per_token: '0.00000015',
      output_cost_per_token: '0.0000006',
      cache_read_input_token_cost: '0.000000075',
    });
    expect(body.data[0].litellm_provider).toBe('openai');
    for (const d of body.data) expect(d.key.toLowerCase()).toContain('gpt-4o-mini');
  });

  it('filters by provider and validates limit', async () => {
    const res = await app.inject({
      method: 'GET',
      url: '/pricing/catalog?q=claude&provider=anthropic&limit=500',
    });
    for (const d of res.json().data) expect(d.litellm_provider).toBe('anthropic');
    expect((await app.inject({ method: 'GET', url: '/pricing/catalog?limit=0' })).statusCode).toBe(400);
    expect(
      (await app.inject({ method: 'GET', url: `/pricing/catalog?q=${'x'.repeat(300)}` })).statusCode,
    ).toBe(400);
    const none = (
      await app.inject({ method: 'GET', url: '/pricing/catalog?q=no-such-model-anywhere' })
    ).json();
    expect(none).toMatchObject({ total_matches: 0, data: [] });
  });
});
