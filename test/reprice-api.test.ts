/**
 * Through the gateway: a request's spend row carries price_version and unpriced_parts (returned by
 * /spend/logs), and the admin re-pricing API answers a dry run with the diff report (JSON and CSV).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o
      mock_response: "hello from the mock"
  - model_name: nowhere
    litellm_params:
      model: openai/no-such-model-anywhere
      mock_response: "free?"
general_settings:
  master_key: sk-1234
`;
const auth = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies read by the tests
type Json = Record<string, any>;

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
});

async function chat(model: string): Promise<string> {
  const res = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi there' }] }),
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-tollgate-request-id') ?? '';
}

async function log(id: string): Promise<Json> {
  for (let i = 0; i < 100; i++) {
    const res = await fetch(`${t.url}/spend/logs?request_id=${id}`, { headers: auth });
    const rows = (await res.json()) as Json[];
    if (rows.length) return rows[0];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no spend log for ${id}`);
}

describe('spend rows: price_version and unpriced_parts', () => {
  it('a priced request names its version and has no unpriced parts; an unpriced one lists them', async () => {
    const priced = await log(await chat('gpt'));
    expect(priced.price_version).toBe('builtin@2025-11-21');
    expect(priced.unpriced_parts).toEqual([]);
    const free = await log(await chat('nowhere'));
    expect(free.spend).toBe(0);
    expect(free.pricing_source).toBe('unpriced');
    expect(free.unpriced_parts.map((p: { kind: string }) => p.kind)).toEqual(['input', 'output']);
    expect(free.unpriced_parts[0].quantity).toBe(free.prompt_tokens);
    expect(free.unpriced_parts[0].reason).toMatch(/no price for this deployment/);
  });
});

describe('POST /spend/reprice (admin)', () => {
  it('dry run with a price file: report per model, CSV too, nothing written', async () => {
    const id = await chat('gpt');
    const row = await log(id);
    const day = String(row.startTime).slice(0, 10);
    const prices = {
      'gpt-4o': {
        litellm_provider: 'openai',
        mode: 'chat',
        input_cost_per_token: 0,
        output_cost_per_token: 0,
      },
    };
    const res = await fetch(`${t.url}/spend/reprice`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ from: day, to: day, model: 'gpt', prices }),
    });
    expect(res.status).toBe(200);
    const r = (await res.json()) as Json;
    expect(r.dry_run).toBe(true);
    expect(r.rows.changed).toBeGreaterThanOrEqual(2); // every gpt request of the day, now free
    expect(r.totals.after).toBe('0');
    expect(r.by_model[0].id).toBe('gpt-4o'); // the spend row's model, as LiteLLM records it
    expect((await log(id)).spend).toBe(row.spend); // dry run: unchanged
    const csv = await fetch(`${t.url}/spend/reprice?format=csv`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ from: day, to: day, model: 'gpt', prices }),
    });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect((await csv.text()).split('\n')[0]).toBe('dimension,id,label,rows,before,after,delta');
  });

  it('bad input is a 400 in the OpenAI error shape; unknown run 404', async () => {
    const bad = await fetch(`${t.url}/spend/reprice`, {
      method: 'POST',
      headers: auth,
      body: '{"from":"2025-01-01"}',
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.message).toMatch(/"from" and "to"/);
    const badDate = await fetch(`${t.url}/spend/reprice`, {
      method: 'POST',
      headers: auth,
      body: '{"from":"2025-01-01","to":"01/02/2025"}',
    });
    expect(badDate.status).toBe(400);
    const badPrices = await fetch(`${t.url}/spend/reprice`, {
      method: 'POST',
      headers: auth,
      body: '{"from":"2025-01-01","to":"2025-01-02","prices":[1]}',
    });
    expect(badPrices.status).toBe(400);
    const none = await fetch(`${t.url}/spend/reprice/rp_nope`, { headers: auth });
    expect(none.status).toBe(404);
  });
});
