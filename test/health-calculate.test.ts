/**
 * /spend/calculate (price a usage or a prompt without sending it), /health (deployment checks that
 * are recorded but billed to nobody) and /routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };
let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway(`
model_list:
  - model_name: priced
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0.0000025, output_cost_per_token: 0.00001, cache_read_input_token_cost: 0.00000125 }
  - model_name: down
    litellm_params: { model: openai/gpt-4o, api_base: "http://127.0.0.1:9/v1", api_key: sk-mock, timeout: 2 }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0 }
  - model_name: images
    litellm_params: { model: openai/dall-e-3, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { mode: image_generation, output_cost_per_image: 0.04 }
general_settings:
  master_key: sk-1234
`);
}, 60_000);
afterAll(async () => t?.close());

const post = (path: string, body: object, key = 'sk-1234') =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { ...H, authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

describe('/spend/calculate', () => {
  it('prices a usage exactly, a completion_response, and a prompt; refuses bad input', async () => {
    const r = await post('/spend/calculate', {
      model: 'priced',
      usage: { prompt_tokens: 1000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 400 } },
    });
    const body = (await r.json()) as any;
    // 600 uncached × 0.0000025 + 400 cached × 0.00000125 + 200 × 0.00001 = 0.0015 + 0.0005 + 0.002 = 0.004
    expect(body).toMatchObject({
      cost: 0.004,
      model: 'priced',
      prompt_tokens: 1000,
      completion_tokens: 200,
      estimated_from_prompt: false,
    });
    const cr = (await (
      await post('/spend/calculate', {
        completion_response: { model: 'priced', usage: { prompt_tokens: 10, completion_tokens: 1 } },
      })
    ).json()) as any;
    // 10 × 0.0000025 + 1 × 0.00001 = 0.000035
    expect(cr.cost).toBe(0.000035);
    const prompt = (await (
      await post('/spend/calculate', {
        model: 'priced',
        messages: [{ role: 'user', content: 'hello there' }],
      })
    ).json()) as any;
    expect(prompt.completion_tokens).toBe(0);
    expect(prompt.estimated_from_prompt).toBe(true);
    expect(String(prompt.cost)).toBe(formatMoney(BigInt(prompt.prompt_tokens) * parseMoney('0.0000025')));
    expect(
      (await post('/spend/calculate', { model: 'nope', usage: { prompt_tokens: 1, completion_tokens: 1 } }))
        .status,
    ).toBe(400);
    expect(
      (
        await post('/spend/calculate', {
          model: 'priced',
          usage: { prompt_tokens: -1, completion_tokens: 1 },
        })
      ).status,
    ).toBe(400);
    expect((await post('/spend/calculate', { model: 'priced' })).status).toBe(400);
  });
});

describe('/health and /routes', () => {
  it('checks each deployment with a real minimal call, records it billed to nobody', async () => {
    const gen = (await (
      await post('/key/generate', { key_alias: 'bystander', max_budget: 1 })
    ).json()) as any;
    const plain = await fetch(`${t.url}/health`, { headers: { authorization: `Bearer ${gen.key}` } });
    expect(plain.status).toBe(403); // admin only
    const r = (await (await fetch(`${t.url}/health`, { headers: H })).json()) as any;
    expect(r.healthy_count).toBe(1);
    expect(r.unhealthy_count).toBe(1);
    expect(r.healthy_endpoints[0]).toMatchObject({ model_name: 'priced', call_type: 'chat' });
    expect(r.unhealthy_endpoints[0].model_name).toBe('down');
    expect(r.unhealthy_endpoints[0].error).not.toContain('sk-mock');
    expect(r.skipped_endpoints[0].model_name).toBe('images');
    await t.gw.ledger.flush();
    const rows = await t.gw.db.query<{
      api_key: string;
      spend: string;
      tags: string;
      team_id: string | null;
    }>(
      `SELECT api_key, spend::text AS spend, request_tags::text AS tags, team_id FROM tg_spend_logs WHERE request_id LIKE 'health-%'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({ api_key: '', tags: '["health_check"]', team_id: null });
    expect(parseMoney(rows.rows[0].spend) > 0n).toBe(true); // its real cost, attributed to nobody
    const info = (await (await fetch(`${t.url}/key/info?key=${gen.key}`, { headers: H })).json()) as any;
    expect(info.info.spend).toBe(0);
  });

  it('/routes lists every route with its kind', async () => {
    const r = (await (await fetch(`${t.url}/routes`)).json()) as any;
    const health = r.routes.find((x: any) => x.path === '/health');
    expect(health).toEqual({ path: '/health', methods: ['GET'], kind: 'admin' });
    expect(r.routes.some((x: any) => x.path === '/model/new' && x.kind === 'admin')).toBe(true);
  });
});
