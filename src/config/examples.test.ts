import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from './load.js';

const dir = join(import.meta.dirname, '..', '..', 'examples');

/** The env vars each example needs (the same list as examples/README.md). */
const NEEDS: Record<string, string[]> = {
  'config.yaml': [],
  'openai-builtin.yaml': ['OPENAI_API_KEY', 'LITELLM_MASTER_KEY'],
  'azure-base-model.yaml': ['AZURE_API_BASE', 'AZURE_API_KEY', 'LITELLM_MASTER_KEY'],
  'ollama-custom-pricing.yaml': ['LITELLM_MASTER_KEY'],
  'sagemaker-per-second.yaml': ['UPSTREAM_API_KEY', 'LITELLM_MASTER_KEY'],
  'claude-cache-pricing.yaml': ['ANTHROPIC_API_KEY', 'LITELLM_MASTER_KEY'],
};

function envFor(file: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of NEEDS[file] ?? [])
    env[name] = name.endsWith('_BASE') ? 'https://example.openai.azure.com' : `sk-test-${name}`;
  return env;
}

describe('examples/', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('every example is listed here with its env vars', () => {
    expect(files.sort()).toEqual(Object.keys(NEEDS).sort());
  });

  for (const file of files) {
    it(`${file} loads with its env vars, without errors or warnings`, () => {
      const cfg = loadConfigFile(join(dir, file), envFor(file));
      expect(cfg.deployments.length).toBeGreaterThan(0);
      expect(cfg.warnings).toEqual([]);
      expect(cfg.generalSettings.masterKey).toMatch(/^sk-/);
    });

    for (const name of NEEDS[file] ?? []) {
      it(`${file} names ${name} when it is missing`, () => {
        const env = envFor(file);
        delete env[name];
        const missing = `environment variable ${name} is not set`;
        expect(() => loadConfigFile(join(dir, file), env, { strict: true })).toThrow(missing);
        // Not strict: a variable a deployment needs disables that deployment (named in its reasons);
        // one the settings need (the master key) still refuses the start.
        let cfg: ReturnType<typeof loadConfigFile> | undefined;
        try {
          cfg = loadConfigFile(join(dir, file), env);
        } catch (err) {
          expect((err as Error).message).toContain(missing);
          expect(name).toBe('LITELLM_MASTER_KEY');
          return;
        }
        const reasons = (cfg.disabledDeployments ?? []).flatMap((d) => d.reasons);
        expect(reasons.length).toBeGreaterThan(0);
        for (const r of reasons) expect(r).toContain(missing);
      });
    }
  }

  it('the offline demo needs no network: every model has a mock_response', () => {
    const cfg = loadConfigFile(join(dir, 'config.yaml'), {});
    expect(cfg.generalSettings.masterKey).toBe('sk-1234');
    expect(cfg.deployments.map((d) => d.modelName)).toEqual(['demo', 'gpt-4o', 'claude-sonnet']);
    for (const d of cfg.deployments) expect(d.mockResponse, d.modelName).toBeTruthy();
    expect(cfg.deployments[0].customPricing).toEqual({
      input_cost_per_token: '0.000002',
      output_cost_per_token: '0.000008',
    });
    expect(cfg.deployments[1]).toMatchObject({
      provider: 'openai',
      upstreamModel: 'gpt-4o',
      customPricing: {},
    });
    expect(cfg.deployments[2].customPricing).toMatchObject({ cache_read_input_token_cost: '0.0000003' });
  });

  it('the per-second example points at the mock upstream with exact per-second prices', () => {
    const cfg = loadConfigFile(join(dir, 'sagemaker-per-second.yaml'), envFor('sagemaker-per-second.yaml'));
    for (const d of cfg.deployments) {
      expect(d.apiBase).toBe('http://127.0.0.1:4100/v1');
      expect(d.customPricing).toEqual({ input_cost_per_second: '0.000420' });
    }
    expect(cfg.deployments.map((d) => d.provider)).toEqual(['openai', 'custom_openai']);
  });
});
