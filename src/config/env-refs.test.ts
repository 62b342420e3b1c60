import { describe, expect, it } from 'vitest';
import { classifyEnvRef } from './env-refs.js';
import { parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const ok = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, sourcePath: 'config.yaml' });

describe('classifyEnvRef', () => {
  it('recognises os.environ/NAME', () => {
    expect(classifyEnvRef('os.environ/AZURE_API_KEY')).toEqual({ kind: 'ref', name: 'AZURE_API_KEY' });
  });

  it('flags near misses of os.environ/', () => {
    for (const v of [
      'os.envrion/X',
      'os.enviorn/X',
      'os.env/X',
      'os.environ.X',
      'os_environ/X',
      'OS.ENVIRON/X',
      'os.enviroment/X',
    ]) {
      expect(classifyEnvRef(v), v).toEqual({ kind: 'typo', written: v, name: 'X' });
    }
  });

  it('leaves ordinary values alone', () => {
    for (const v of [
      'sk-1234',
      'azure/gpt-4',
      'os.path/x',
      'https://os.environ.example.com/v1',
      'osaka/model',
    ]) {
      expect(classifyEnvRef(v), v).toBeUndefined();
    }
  });
});

describe('parseConfig: os.environ references', () => {
  it('resolves os.environ/NAME anywhere, converting numbers and booleans where a type is expected', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: os.environ/MODEL_NAME',
        '    litellm_params:',
        '      model: os.environ/MODEL',
        '      rpm: os.environ/RPM',
        '      timeout: os.environ/TIMEOUT',
        '      input_cost_per_token: os.environ/PRICE',
        '    model_info:',
        '      tags: [os.environ/TAG]',
        'general_settings:',
        '  master_key: os.environ/LITELLM_MASTER_KEY',
        '  require_pricing: os.environ/REQUIRE',
      ),
      {
        MODEL_NAME: 'demo',
        MODEL: 'openai/gpt-4o',
        RPM: '60',
        TIMEOUT: '2.5',
        PRICE: '0.000001',
        TAG: 't1',
        LITELLM_MASTER_KEY: 'sk-abc',
        REQUIRE: 'true',
      },
    );
    expect(cfg.deployments[0]).toMatchObject({
      modelName: 'demo',
      model: 'openai/gpt-4o',
      rpm: 60,
      timeout: 2.5,
      customPricing: { input_cost_per_token: '0.000001' },
      modelInfo: { tags: ['t1'] },
    });
    expect(cfg.generalSettings.masterKey).toBe('sk-abc');
    expect(cfg.generalSettings.requirePricing).toBe(true);
  });

  it('names every missing environment variable, with path and line', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: azure/x',
        '      api_key: os.environ/AZURE_API_KEY',
        '      api_base: os.environ/AZURE_API_BASE',
        'general_settings:',
        '  master_key: os.environ/LITELLM_MASTER_KEY',
      ),
    );
    expect(at(diags, 'model_list[0].litellm_params.api_key')).toMatchObject({
      line: 5,
      message: 'environment variable AZURE_API_KEY is not set (referenced as os.environ/AZURE_API_KEY)',
    });
    expect(at(diags, 'model_list[0].litellm_params.api_base').message).toContain('AZURE_API_BASE');
    expect(at(diags, 'general_settings.master_key')).toMatchObject({
      line: 8,
      message: expect.stringContaining('LITELLM_MASTER_KEY'),
    });
  });

  it('rejects os.envrion/ with "did you mean os.environ/?"', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: azure-model',
        '    litellm_params:',
        '      model: azure/dep',
        '      api_version: os.envrion/AZURE_API_VERSION',
      ),
      { AZURE_API_VERSION: '2024-02-01' },
    );
    const e = at(diags, 'model_list[0].litellm_params.api_version');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^did you mean os\.environ\/\?/);
    expect(e.message).toContain('os.environ/AZURE_API_VERSION');
  });

  it('rejects an env value of the wrong type, naming the variable', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: openai/a',
        '      rpm: os.environ/RPM',
      ),
      { RPM: 'lots' },
    );
    expect(at(diags, 'model_list[0].litellm_params.rpm').message).toBe(
      'must be a non-negative integer (got "lots" from RPM)',
    );
  });

  it('uses environment_variables to resolve references (config values override the process env)', () => {
    const cfg = ok(
      yaml(
        'environment_variables:',
        '  OPENAI_API_KEY: sk-from-config',
        '  UPSTREAM: os.environ/REAL_UPSTREAM',
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: openai/a',
        '      api_key: os.environ/OPENAI_API_KEY',
        '      api_base: os.environ/UPSTREAM',
      ),
      { OPENAI_API_KEY: 'sk-from-env', REAL_UPSTREAM: 'http://127.0.0.1:4100/v1' },
    );
    expect(cfg.deployments[0].apiKey).toBe('sk-from-config');
    expect(cfg.deployments[0].apiBase).toBe('http://127.0.0.1:4100/v1');
    expect(cfg.environmentVariables).toEqual({
      OPENAI_API_KEY: 'sk-from-config',
      UPSTREAM: 'http://127.0.0.1:4100/v1',
    });
  });

  it('only warns about a missing variable in a setting Tollgate does not act on', () => {
    const cfg = ok(
      yaml(
        'model_list: []',
        'litellm_settings:',
        '  success_callback: [langfuse]',
        '  langfuse_public_key: os.environ/LANGFUSE_PUBLIC_KEY',
      ),
    );
    expect(at(cfg.warnings, 'litellm_settings.langfuse_public_key', 'warning').message).toContain(
      'LANGFUSE_PUBLIC_KEY',
    );
  });
});
