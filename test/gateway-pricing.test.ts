/**
 * End-to-end pricing through the gateway, per seed scenario: Azure with and without base_model,
 * Ollama with custom per-token prices, Claude cache pricing, per-second pricing, and the debug
 * line that answers "is my custom pricing used?".
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../src/logger.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: azure-gpt4
    litellm_params:
      model: azure/my-gpt4-deployment
      api_base: "{{MOCK}}"
      api_key: azure-key
      api_version: "2024-10-21"
    model_info:
      base_model: azure/gpt-4-1106-preview
  - model_name: azure-no-base
    litellm_params:
      model: azure/chatgpt-v-2
      api_base: "{{MOCK}}"
      api_key: azure-key
      api_version: "2024-10-21"
  - model_name: llama3.2
    litellm_params:
      model: ollama_chat/llama3.2
      api_base: "{{MOCK}}"
    model_info:
      input_cost_per_token: 0.00002
      output_cost_per_token: 0.00004
  - model_name: codellama
    litellm_params:
      model: ollama/codellama
      api_base: "{{MOCK}}"
    model_info:
      input_cost_per_token: 0.00003
      output_cost_per_token: 0.00006
  - model_name: claude-sonnet
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022-cache-5000
      api_base: "{{MOCK}}"
      api_key: sk-ant
    model_info:
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
      cache_creation_input_token_cost: 0.00000375
      cache_read_input_token_cost: 0.0000003
  - model_name: sagemaker-model
    litellm_params:
      model: custom_openai/berri-benchmarking-Llama-2-70b-chat-hf-4-slow-200
      api_base: "{{MOCK}}/v1"
      api_key: sm-key
    model_info:
      input_cost_per_second: 0.000420
general_settings:
  master_key: sk-1234
`;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
});

async function chat(model: string, content = 'hello there') {
  const res = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }] }),
  });
  const body = (await res.json()) as Record<string, any>;
  return {
    status: res.status,
    body,
    cost: res.headers.get('x-tollgate-response-cost'),
    headers: res.headers,
  };
}

const usd = (s: string) => parseMoney(s);

describe('seed scenarios through the gateway', () => {
  it('Azure with base_model is priced from the base model, not the generic name Azure answers with', async () => {
    const r = await chat('azure-gpt4');
    expect(r.status).toBe(200);
    // The mock answers like Azure: a generic family name.
    expect(r.body.model).not.toContain('1106');
    expect(r.headers.get('x-tollgate-pricing-source')).toBe('base_model:azure/gpt-4-1106-preview');
    // azure/gpt-4-1106-preview: 0.00001 in, 0.00003 out (catalog snapshot 2025-11-21)
    const u = r.body.usage;
    const expected = usd('0.00001') * BigInt(u.prompt_tokens) + usd('0.00003') * BigInt(u.completion_tokens);
    expect(r.cost).toBe(formatMoney(expected));
    // The request went to the Azure path with the api-key header.
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/openai/deployments/my-gpt4-deployment/chat/completions');
    expect(seen.headers['api-key']).toBe('azure-key');
  });

  it('Azure without base_model is priced by the model Azure reports (as LiteLLM does), warned at startup and on the cost', async () => {
    const r = await chat('azure-no-base');
    expect(r.status).toBe(200);
    expect(r.body.model).toBe('gpt-4'); // the mock answers with the generic family name, like Azure
    expect(r.headers.get('x-tollgate-pricing-source')).toBe('response_model:gpt-4');
    // azure/gpt-4: 0.00003 in, 0.00006 out (catalog snapshot 2025-11-21) — never a silent 0
    const u = r.body.usage;
    const expected = usd('0.00003') * BigInt(u.prompt_tokens) + usd('0.00006') * BigInt(u.completion_tokens);
    expect(r.cost).toBe(formatMoney(expected));
    expect(t.gw.warnings.join('\n')).toMatch(
      /azure-no-base.*priced by the model name Azure returns.*base_model/s,
    );
  });

  it('Ollama chat and generate with custom per-token prices', async () => {
    for (const [model, inP, outP] of [
      ['llama3.2', '0.00002', '0.00004'],
      ['codellama', '0.00003', '0.00006'],
    ] as const) {
      const r = await chat(model);
      expect(r.status).toBe(200);
      const u = r.body.usage;
      expect(u.prompt_tokens).toBeGreaterThan(0);
      expect(r.cost).toBe(
        formatMoney(usd(inP) * BigInt(u.prompt_tokens) + usd(outP) * BigInt(u.completion_tokens)),
      );
    }
    const paths = t.mock.requests.slice(-2).map((q) => q.path);
    expect(paths).toEqual(['/api/chat', '/api/generate']);
  });

  it('Claude cache reads are billed at the cache price (OpenAI usage keeps cached inside prompt_tokens)', async () => {
    const r = await chat('claude-sonnet');
    expect(r.status).toBe(200);
    const u = r.body.usage;
    const cached = u.prompt_tokens_details.cached_tokens;
    expect(cached).toBe(5000);
    const uncached = u.prompt_tokens - cached;
    const expected =
      usd('0.000003') * BigInt(uncached) +
      usd('0.0000003') * BigInt(cached) +
      usd('0.000015') * BigInt(u.completion_tokens);
    expect(r.cost).toBe(formatMoney(expected));
  });

  it('per-second pricing bills the measured duration', async () => {
    const r = await chat('sagemaker-model');
    expect(r.status).toBe(200);
    await t.gw.ledger.flush();
    const row = (
      await t.gw.db.query<{ duration_ms: number; spend: string }>(
        'SELECT duration_ms, spend FROM tg_spend_logs WHERE model_group = $1',
        ['sagemaker-model'],
      )
    ).rows[0];
    expect(row.duration_ms).toBeGreaterThanOrEqual(200);
    // duration (ms) × 0.000420 / 1000, exactly
    expect(row.spend).toBe(formatMoney((usd('0.000420') * BigInt(row.duration_ms)) / 1000n));
    expect(r.cost).toBe(row.spend);
  });

  it('GET /model/info shows effective prices and their source, without secrets', async () => {
    const res = await fetch(`${t.url}/model/info`, { headers: { authorization: 'Bearer sk-1234' } });
    const text = await res.text();
    expect(text).not.toContain('azure-key');
    expect(text).not.toContain('sk-ant');
    const data = (JSON.parse(text) as { data: Array<Record<string, any>> }).data;
    const claude = data.find((d) => d.model_name === 'claude-sonnet')!;
    expect(claude.model_info.input_cost_per_token).toBe(0.000003);
    expect(claude.model_info.cache_read_input_token_cost).toBe(0.0000003);
    // Written exactly, never via a float (no exponent form, no 0.30000000000000004-style digits).
    expect(text).toContain('"cache_read_input_token_cost":0.0000003,');
    expect(claude.model_info.pricing_origins.input_cost_per_token).toBe('custom');
    const azure = data.find((d) => d.model_name === 'azure-gpt4')!;
    expect(azure.model_info.pricing_source).toMatch(/^base_model:azure\/gpt-4-1106-preview/);
  });

  it('GET /pricing/explain?model= explains one model group', async () => {
    const res = await fetch(`${t.url}/pricing/explain?model=llama3.2`, {
      headers: { authorization: 'Bearer sk-1234' },
    });
    const body = (await res.json()) as { data: Array<Record<string, any>> };
    expect(body.data[0].source).toBe('custom');
    expect(body.data[0].prices.input_cost_per_token).toEqual({ usd: '0.00002', from: 'custom' });
  });

  it('debug logging explains which price was used for each request', async () => {
    const previous = logger.level;
    logger.level = 'debug';
    const spy = vi.spyOn(logger, 'debug');
    try {
      await chat('llama3.2');
    } finally {
      logger.level = previous;
    }
    const lines = spy.mock.calls.map((c) =>
      c.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '),
    );
    spy.mockRestore();
    const line = lines.find((l) => l.includes('pricing:') && l.includes('llama3.2'));
    expect(line).toBeDefined();
    expect(line).toContain('custom');
    expect(line).toContain('input_cost_per_token');
  });
});
