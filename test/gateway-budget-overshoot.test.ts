/**
 * Reservations cannot be gamed with max_tokens, and a strict budget is exceeded by at most one
 * request's true overshoot even when the upstream returns more than max_tokens (the project's mock
 * echoes the prompt whatever max_tokens says). The issue: a budget for ~10 requests admitted 28.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

// 70 words: the mock answers with them, ~70 completion tokens, whatever max_tokens asks for.
const ECHO = Array.from({ length: 70 }, (_, i) => `w${i % 10}`).join(' ');
let t: TestGateway;

beforeAll(async () => {
  // Output price only: 0.00001 per token. max_tokens 5 reserves 5 × 0.00001 = 0.00005; the model's
  // output limit (100) bounds what any answer can cost: 100 × 0.00001 = 0.001.
  t = await startTestGateway(`
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0.00001, max_output_tokens: 100 }
general_settings:
  master_key: sk-1234
  budget_enforcement: strict
`);
});
afterAll(async () => {
  await t?.close();
});

async function keyWithBudget(maxBudget: string): Promise<string> {
  const r = await fetch(`${t.url}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify({ max_budget: maxBudget }),
  });
  return ((await r.json()) as { key: string }).key;
}

/** The largest true cost minus reservation among the answers (bigint: no Math.max). */
function largestOvershoot(costs: bigint[], reserved: bigint): bigint {
  let m = 0n;
  for (const c of costs) if (c - reserved > m) m = c - reserved;
  return m;
}

const chat = (key: string, extra: Record<string, unknown>) =>
  fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: ECHO }], ...extra }),
  }).then(async (r) => ({
    status: r.status,
    cost: r.headers.get('x-tollgate-response-cost'),
    body: (await r.json()) as { error?: { type: string; param: string | null } },
  }));

describe('strict budget against max_tokens games', () => {
  it.each([0, -1, '100', {}])(
    'max_tokens %j is refused with a 400 before anything is reserved',
    async (v) => {
      const key = await keyWithBudget('1');
      const r = await chat(key, { max_tokens: v });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param: 'max_tokens' });
    },
  );

  it('50 concurrent requests with max_tokens 5 on a budget of 0.0031 and an upstream that answers ~70 tokens: spend ends within one request’s overshoot', async () => {
    const budget = parseMoney('0.0031');
    const key = await keyWithBudget('0.0031');
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(key, { max_tokens: 5 })));
    const ok = results.filter((r) => r.status === 200);
    for (const r of results.filter((x) => x.status !== 200)) {
      // Either the budget is spent (400), or it is too close to run next to the others (429, retry).
      expect([400, 429]).toContain(r.status);
      expect(r.body.error?.type).toBe(r.status === 400 ? 'budget_exceeded' : 'rate_limit_error');
    }
    expect(ok.length).toBeGreaterThan(0);
    const costs = ok.map((r) => parseMoney(r.cost!));
    const reserved = parseMoney('0.00005'); // 5 tokens × 0.00001
    const maxOvershoot = largestOvershoot(costs, reserved);
    const spent = costs.reduce((a, c) => a + c, 0n);
    // Each answer really cost more than reserved (≈ 70 × 0.00001 = 0.0007).
    for (const c of costs) expect(c > reserved).toBe(true);
    expect(spent <= budget + maxOvershoot).toBe(true);

    // Keep going sequentially (settle, then block): the key ends blocked, still within the bound.
    let last = 200;
    for (let i = 0; i < 20 && last === 200; i++) {
      const r = await chat(key, { max_tokens: 5 });
      last = r.status;
      if (r.status === 200) costs.push(parseMoney(r.cost!));
    }
    expect(last).toBe(400);
    const total = costs.reduce((a, c) => a + c, 0n);
    const over = largestOvershoot(costs, reserved);
    expect(total <= budget + over).toBe(true);
    expect(total >= budget).toBe(true);
    // The ledger agrees with what the responses said.
    await t.gw.ledger.flush(10_000);
    const info = await fetch(`${t.url}/key/info?key=${encodeURIComponent(key)}`, {
      headers: { authorization: 'Bearer sk-1234' },
    });
    // Exact JSON number: read it as text, never through a float.
    const spend = /"spend":(-?[0-9.]+(?:[eE][-+]?\d+)?)/.exec(await info.text())?.[1];
    expect(formatMoney(parseMoney(spend!))).toBe(formatMoney(total));
  }, 60_000);
});
