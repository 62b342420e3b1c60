import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile } from './load.js';

const dir = join(import.meta.dirname, '__fixtures__', 'seeds');
const env = {
  AZURE_API_KEY: 'azure-key',
  AZURE_API_BASE: 'https://example.openai.azure.com',
  AZURE_API_VERSION: '2024-02-01',
  OPENAI_API_KEY: 'sk-openai',
  ANTHROPIC_API_KEY: 'sk-ant',
  ANTHROPIC_PROD_API_KEY: 'sk-ant-prod',
};
const load = (name: string, strict = false) => loadConfigFile(join(dir, name), env, { strict });

describe("the seeds' own configs (LiteLLM docs)", () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
  const typo = files.filter((f) => f.includes('envrion'));

  it('has the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(12);
    expect(typo).toHaveLength(2);
  });

  for (const f of files.filter((x) => !typo.includes(x))) {
    it(`${f} loads without errors or warnings`, () => {
      const cfg = load(f);
      expect(cfg.deployments.length).toBeGreaterThan(0);
      expect(cfg.warnings).toEqual([]);
    });
  }

  for (const f of typo) {
    it(`${f} disables its deployment with "did you mean os.environ/?" on the api_version line`, () => {
      const cfg = load(f);
      expect(cfg.deployments).toEqual([]);
      expect(cfg.disabledDeployments).toHaveLength(1);
      expect(cfg.disabledDeployments?.[0].reasons.join('\n')).toMatch(
        /:8 model_list\[0\]\.(llm_params|litellm_params)\.api_version: did you mean os\.environ\/\?/,
      );
    });

    it(`${f} fails strictly with "did you mean os.environ/?" on the api_version line`, () => {
      let err: unknown;
      try {
        load(f, true);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      const errors = (err as ConfigError).diagnostics.filter((d) => d.severity === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].path).toMatch(/^model_list\[0\]\.(llm_params|litellm_params)\.api_version$/);
      expect(errors[0].line).toBe(8);
      expect(errors[0].message).toContain('did you mean os.environ/?');
      expect((err as ConfigError).message).toContain('api_version: did you mean os.environ/?');
    });
  }

  it('llm_params (seed 000) carries per-second pricing as written', () => {
    const cfg = load('seed000-custom-pricing-llm-params-sagemaker.yaml');
    expect(cfg.deployments.map((d) => [d.modelName, d.provider, d.customPricing])).toEqual([
      ['sagemaker-completion-model', 'sagemaker', { input_cost_per_second: '0.000420' }],
      ['sagemaker-embedding-model', 'sagemaker', { input_cost_per_second: '0.000420' }],
    ]);
  });

  it('base_model from model_info (Azure chat) and from litellm_params (Azure images)', () => {
    expect(load('seed001-azure-base-model.yaml').deployments[0]).toMatchObject({
      provider: 'azure',
      upstreamModel: 'chatgpt-v-2',
      apiVersion: '2023-07-01-preview',
      apiKey: 'azure-key',
      apiBase: 'https://example.openai.azure.com',
      baseModel: 'azure/gpt-4-1106-preview',
    });
    expect(load('seed003-azure-image-base-model.yaml').deployments[0]).toMatchObject({
      upstreamModel: 'dall-e-3-test',
      apiVersion: '2023-06-01-preview',
      baseModel: 'dall-e-3',
      mode: 'image_generation',
      extraParams: {},
    });
  });

  it('cache pricing and quoted model names (seeds 001, 002)', () => {
    expect(load('seed001-override-claude.yaml').deployments[0]).toMatchObject({
      modelName: 'prod/claude-3-5-sonnet-20241022',
      provider: 'anthropic',
      upstreamModel: 'claude-3-5-sonnet-20241022',
      apiKey: 'sk-ant-prod',
      customPricing: {
        input_cost_per_token: '0.000006',
        output_cost_per_token: '0.00003',
        cache_creation_input_token_cost: '0.0000075',
        cache_read_input_token_cost: '0.0000006',
      },
    });
    const multi = load('seed002-multi-provider.yaml').deployments;
    expect(multi.map((d) => d.modelName)).toEqual(['gpt-4', 'azure-gpt35', 'codellama', 'sagemaker-model']);
    expect(multi[2]).toMatchObject({ provider: 'ollama_chat', apiBase: 'http://ollama:11434' });
  });
});
