/**
 * Through the gateway: a runtime cost map is a dated price version; requests are priced by the version in
 * effect when they started and their spend rows name it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-versions-'));
const MAP = join(dir, 'map.json');
writeFileSync(
  MAP,
  JSON.stringify({
    'gpt-4o': {
      litellm_provider: 'openai',
      mode: 'chat',
      input_cost_per_token: 0.000001,
      output_cost_per_token: 0.000002,
    },
  }),
);
const CONFIG = `
model_list:
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o
      mock_response: "priced by the runtime map"
general_settings:
  master_key: sk-1234
  cost_map: ${MAP}
`;
const auth = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('runtime cost map as a price version', () => {
  it('the request is priced by costmap@<load time>#sha and the row stores that id', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'gpt', messages: [{ role: 'user', content: 'hello' }] }),
    });
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    const id = res.headers.get('x-tollgate-request-id');
    // prompt × 0.000001 + completion × 0.000002, exact (the map's price, not the built-in 0.0000025 / 0.00001)
    const text = formatMoney(
      parseMoney('0.000001') * BigInt(body.usage.prompt_tokens) +
        parseMoney('0.000002') * BigInt(body.usage.completion_tokens),
    );
    expect(res.headers.get('x-tollgate-response-cost')).toBe(text);
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !row; i++) {
      const r = await fetch(`${t.url}/spend/logs?request_id=${id}`, { headers: auth });
      row = ((await r.json()) as Array<Record<string, unknown>>)[0];
      if (!row) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row?.price_version).toMatch(/^costmap@\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9a-f]{8}$/);
  });
});
