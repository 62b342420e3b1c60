import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeCachedMap } from '../cost-map/cost-map-cache.js';
import { LITELLM_COST_MAP_URL } from '../cost-map/index.js';
import { sha256Text } from '../cost-map/parse-cost-map.js';
import { costCommand, pricingExplain, pricingExplainCommand } from './pricing-commands.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-pricing-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_key: sk-test
  - model_name: azure-gpt-3.5
    litellm_params:
      model: azure/chatgpt-v-2
      api_base: https://example.openai.azure.com
      api_key: azure-secret
      api_version: "2023-07-01-preview"
    model_info:
      base_model: azure/gpt-4-1106-preview
  - model_name: azure-nobase
    litellm_params:
      model: azure/my-deployment
      api_base: https://example.openai.azure.com
      api_key: azure-secret
  - model_name: prod/claude-3-5-sonnet-20241022
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_key: sk-ant
    model_info:
      input_cost_per_token: 0.000006
      output_cost_per_token: 0.00003
  - model_name: watsonx-model
    litellm_params:
      model: watsonx/my-endpoint
    model_info:
      input_cost_per_second: 0.000420
`;

describe('pricingExplainCommand', () => {
  const env = { LITELLM_LOCAL_MODEL_COST_MAP: 'True' };

  it('a table of every deployment with effective prices and origins', async () => {
    const text = await pricingExplainCommand({ configPath: write('c.yaml', CONFIG), env });
    expect(text).toMatch(/^Price catalog: builtin:litellm@caddc6dd \(snapshot 2025-11-21, 1803 models\)/);
    expect(text).toMatch(
      /gpt-4o {2}\(openai\/gpt-4o\)\n {2}serves: chat, completion, embedding, image_generation, responses, responses_get, responses_delete, responses_input_items, transcription, translation, speech, image_edit, image_variation, moderation\n {2}source: catalog:gpt-4o@2025-11-21/,
    );
    expect(text).toMatch(/input_cost_per_token\s+0\.0000025\s+2\.5\s+catalog:gpt-4o/);
    expect(text).toMatch(/source: base_model:azure\/gpt-4-1106-preview/);
    expect(text).toMatch(/azure-nobase[\s\S]*UNPRICED[\s\S]*warning: .*base_model/);
    expect(text).toMatch(/source: custom\+catalog:claude-3-5-sonnet-20241022@2025-11-21/);
    expect(text).toMatch(/input_cost_per_token\s+0\.000006\s+6\s+custom/);
    expect(text).toMatch(
      /cache_read_input_token_cost\s+0\.0000003\s+0\.3\s+catalog:claude-3-5-sonnet-20241022/,
    );
    // A provider with no wire format here is what the server would disable: shown as such, with the reason.
    expect(text).toMatch(
      /watsonx-model {2}\(watsonx\/my-endpoint\) {2}model_list\[4\][^\n]*\n {2}serves: nothing — DISABLED[^\n]*\n {2}ERROR: provider "watsonx" \(model "watsonx\/my-endpoint"\) is not supported by Tollgate/,
    );
    expect(text).toMatch(/1 problem: fix config\.yaml/);
    expect(text).not.toContain('azure-secret');
    expect(text).not.toContain('sk-ant');
  });

  it('counts what the server would not serve (the CLI exits non-zero on it)', async () => {
    const r = await pricingExplain({ configPath: write('c5.yaml', CONFIG), env });
    expect(r.errors).toBe(1);
    // The fix the reason gives: an OpenAI-compatible server in front of it is `openai/<model>` + api_base.
    const served = CONFIG.replace(
      'model: watsonx/my-endpoint',
      'model: openai/my-endpoint\n      api_base: http://127.0.0.1:4100/v1',
    );
    const ok = await pricingExplain({ configPath: write('c6.yaml', served), env });
    expect(ok.errors).toBe(0);
    expect(ok.text).toMatch(/input_cost_per_second\s+0\.00042\s+custom/);
    await expect(
      pricingExplain({ configPath: write('c7.yaml', CONFIG), env, strict: true }),
    ).resolves.toMatchObject({
      errors: 1,
      text: expect.stringContaining('ERROR: model_list[4] (watsonx-model)'),
    });
  });

  it('one model name, JSON form', async () => {
    const json = JSON.parse(
      await pricingExplainCommand({
        configPath: write('c2.yaml', CONFIG),
        modelName: 'azure-gpt-3.5',
        json: true,
        env,
      }),
    );
    expect(json.catalog).toEqual({ source: 'builtin:litellm@caddc6dd', snapshot: '2025-11-21', size: 1803 });
    expect(json.deployments).toHaveLength(1);
    expect(json.deployments[0]).toMatchObject({
      model_name: 'azure-gpt-3.5',
      source: 'base_model:azure/gpt-4-1106-preview',
      entry_key: 'azure/gpt-4-1106-preview',
      unpriced: false,
      prices: { input_cost_per_token: { usd: '0.00001', origin: 'catalog:azure/gpt-4-1106-preview' } },
    });
    expect(JSON.stringify(json)).not.toContain('azure-secret');
  });

  it('unknown model name → error with suggestion; a base_model newer than the catalog is a warning', async () => {
    await expect(
      pricingExplainCommand({ configPath: write('c3.yaml', CONFIG), modelName: 'gpt-4', env }),
    ).rejects.toThrow(/no deployment with model_name "gpt-4".*did you mean "gpt-4o"/);
    const bad = `
model_list:
  - model_name: x
    litellm_params:
      model: azure/x
      api_base: https://example.openai.azure.com
    model_info:
      base_model: azure/gpt-4o-1106-preview
`;
    const r = await pricingExplain({ configPath: write('bad.yaml', bad), env });
    expect(r.errors).toBe(0);
    expect(r.text).toMatch(
      /warning: base_model "azure\/gpt-4o-1106-preview" is not in the price catalog in use .*load a newer cost map .*recorded as unpriced/,
    );
    expect(r.text).toMatch(/UNPRICED/);
  });

  it('a broken general_settings.cost_map falls back to the built-in catalog with a warning', async () => {
    const cfg = `${CONFIG}\ngeneral_settings:\n  cost_map: ${join(dir, 'nope.json')}\n`;
    const text = await pricingExplainCommand({ configPath: write('c4.yaml', cfg), env: {} });
    expect(text).toMatch(/warning: cost map .*nope\.json could not be loaded .*using the built-in catalog/);
  });
});

describe('pricingExplainCommand with the public map (default)', () => {
  it('explains with the map the gateway cached in its data directory, without the network', async () => {
    const dataDir = join(dir, 'data');
    const text = JSON.stringify({
      'gpt-4o': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: 0.000002 },
    });
    await writeCachedMap(join(dataDir, 'cost-map'), {
      text,
      meta: {
        source: LITELLM_COST_MAP_URL,
        locationSha256: sha256Text(LITELLM_COST_MAP_URL),
        fetchedAt: '2026-02-03T04:05:06.000Z',
        checkedAt: '2026-02-03T04:05:06.000Z',
        snapshot: '2026-02-03',
        sha256: sha256Text(text),
      },
    });
    const never = globalThis.fetch;
    globalThis.fetch = () => {
      throw new Error('pricing explain must not fetch');
    };
    try {
      const cfg = write('c5.yaml', CONFIG);
      const cached = await pricingExplainCommand({ configPath: cfg, env: {}, dataDir, modelName: 'gpt-4o' });
      expect(cached).toMatch(
        /^Price catalog: https:\/\/raw\.githubusercontent\.com\/.* \(snapshot 2026-02-03,/,
      );
      expect(cached).toMatch(/input_cost_per_token\s+0\.000002\s+2\s+catalog:gpt-4o/);
      // no cache in this data dir: the built-in catalog
      const none = await pricingExplainCommand({ configPath: cfg, env: {}, dataDir: join(dir, 'empty') });
      expect(none).toMatch(/^Price catalog: builtin:litellm@caddc6dd \(snapshot 2025-11-21, 1803 models\)/);
    } finally {
      globalThis.fetch = never;
    }
  });
});

describe('costCommand', () => {
  it('prices a usage with the built-in catalog', () => {
    const text = costCommand({ model: 'gpt-4o', input: 1000, output: 500, cached: 200 });
    expect(text).toMatch(/^gpt-4o {2}source: catalog:gpt-4o@2025-11-21/);
    expect(text).toMatch(/input\s+800 token\s+0\.0000025\s+input_cost_per_token\s+0\.002/);
    expect(text).toMatch(/cache_read\s+200 token\s+0\.00000125/);
    expect(text).toMatch(/total: 0\.00725 USD$/);
  });

  it('JSON, reasoning fallback note, seconds', () => {
    const j = JSON.parse(costCommand({ model: 'gpt-4o', input: 10, output: 10, reasoning: 4, json: true }));
    expect(j.costUsd).toBe('0.000125');
    expect(j.lines.find((l: { kind: string }) => l.kind === 'reasoning').note).toMatch(/fallback/);
    expect(costCommand({ model: 'whisper-1', input: 0, output: 0, seconds: 2.5 })).toMatch(
      /total: 0\.00025 USD/,
    );
  });

  it('unpriced model with suggestions; invalid counts rejected', () => {
    const t = costCommand({ model: 'gpt-4oo', input: 1, output: 1 });
    expect(t).toMatch(/cost 0, unpriced/);
    expect(t).toMatch(/did you mean: .*gpt-4o/);
    expect(() => costCommand({ model: 'gpt-4o', input: 10, output: 0, cached: 20 })).toThrow(
      /exceed --input/,
    );
    expect(() => costCommand({ model: 'gpt-4o', input: -1, output: 0 })).toThrow(/whole number/);
    expect(() => costCommand({ model: 'gpt-4o', input: 1.5, output: 0 })).toThrow(/whole number/);
  });

  it('anthropic/ prefix and tier', () => {
    const t = costCommand({ model: 'anthropic/claude-sonnet-4-5', input: 250_000, output: 1000 });
    expect(t).toMatch(/tier: above_200k_tokens/);
    expect(t).toMatch(/total: 1\.5225 USD/); // 250000 × 6e-6 + 1000 × 2.25e-5
  });
});

describe('tollgate cost: service tier, 1-hour cache writes, batch', () => {
  it('gpt-5 flex: 1000 × 0.000000625 + 100 × 0.000005 = 0.001125', () => {
    const out = costCommand({ model: 'gpt-5', input: 1000, output: 100, serviceTier: 'flex' });
    expect(out).toContain('service tier: flex');
    expect(out).toContain('total: 0.001125 USD');
  });

  it('claude-sonnet-4-5 1-hour writes at 2× input, flagged: 1000 × 0.000006 = 0.006', () => {
    const out = costCommand({
      model: 'anthropic/claude-sonnet-4-5',
      input: 1000,
      output: 0,
      cacheWrite: 1000,
      cacheWrite1h: 1000,
    });
    expect(out).toContain('total: 0.006 USD');
    expect(out).toMatch(/note \(cache_write_1h\): fallback: no 1-hour cache write price/);
    expect(() =>
      costCommand({ model: 'gpt-4o', input: 10, output: 0, cacheWrite: 1, cacheWrite1h: 2 }),
    ).toThrow(/exceeds --cache-write/);
  });

  it('batch: gpt-4o-2024-08-06 1000 × 0.00000125 = 0.00125', () => {
    expect(costCommand({ model: 'gpt-4o-2024-08-06', input: 1000, output: 0, batch: true })).toContain(
      'total: 0.00125 USD',
    );
  });
});
