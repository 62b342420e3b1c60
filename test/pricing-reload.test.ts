/**
 * A runtime cost map (general_settings.cost_map) is used over the built-in catalog, and
 * POST /pricing/reload swaps in a changed map without a restart; a broken map keeps the old prices.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-costmap-'));
const mapFile = join(dir, 'prices.json');
const entry = (input: number, output: number) =>
  JSON.stringify({
    'gpt-4o': {
      input_cost_per_token: input,
      output_cost_per_token: output,
      litellm_provider: 'openai',
      mode: 'chat',
    },
  });

let t: TestGateway;
beforeAll(async () => {
  writeFileSync(mapFile, entry(0.001, 0.002));
  t = await startTestGateway(`
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, mock_response: "hello" }
general_settings:
  master_key: sk-1234
  cost_map: ${mapFile}
`);
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function priceOf(): Promise<{
  cost: string;
  usage: { prompt_tokens: number; completion_tokens: number };
}> {
  const r = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] }),
  });
  const body = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return { cost: r.headers.get('x-tollgate-response-cost')!, usage: body.usage };
}

const reload = () =>
  fetch(`${t.url}/pricing/reload`, { method: 'POST', headers: { authorization: 'Bearer sk-1234' } }).then(
    (r) => r.json(),
  );

describe('runtime cost map', () => {
  it('prices from the loaded map, then from the reloaded one', async () => {
    const a = await priceOf();
    // 0.001 × prompt + 0.002 × completion, in tenths of a thousandth
    expect(a.cost).toBe(String((a.usage.prompt_tokens * 1 + a.usage.completion_tokens * 2) / 1000));
    writeFileSync(mapFile, entry(0.003, 0.004));
    await reload();
    const b = await priceOf();
    expect(b.cost).toBe(String((b.usage.prompt_tokens * 3 + b.usage.completion_tokens * 4) / 1000));
  });

  it('a malformed map on reload keeps the previous prices, with a warning', async () => {
    writeFileSync(mapFile, '{ not json');
    const r = (await reload()) as { ok?: boolean; warnings?: string[] };
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r.warnings)).toMatch(/prices\.json|JSON/i);
    const c = await priceOf();
    expect(c.cost).toBe(String((c.usage.prompt_tokens * 3 + c.usage.completion_tokens * 4) / 1000));
  });
});
