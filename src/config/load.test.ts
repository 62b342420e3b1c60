import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfigFile, parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const ok = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, sourcePath: 'config.yaml' });

describe('parseConfig: model_list basics', () => {
  it('reads a deployment with every typed litellm_params field', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: azure-gpt-3.5',
        '    litellm_params:',
        '      model: azure/chatgpt-v-2',
        '      api_key: os.environ/AZURE_API_KEY',
        '      api_base: https://example.openai.azure.com',
        '      api_version: "2023-07-01-preview"',
        '      timeout: 30',
        '      max_retries: 3',
        '      rpm: 600',
        '      tpm: 100000',
        '      mock_response: hello',
        '      temperature: 0.2',
        '      weight: 3',
        '    model_info:',
        '      base_model: azure/gpt-4-1106-preview',
        '      mode: chat',
        '      team: research',
      ),
      { AZURE_API_KEY: 'secret-azure' },
    );
    expect(cfg.deployments).toHaveLength(1);
    const d = cfg.deployments[0];
    expect(d).toMatchObject({
      modelName: 'azure-gpt-3.5',
      index: 0,
      provider: 'azure',
      upstreamModel: 'chatgpt-v-2',
      model: 'azure/chatgpt-v-2',
      apiKey: 'secret-azure',
      apiBase: 'https://example.openai.azure.com',
      apiVersion: '2023-07-01-preview',
      timeout: 30,
      maxRetries: 3,
      rpm: 600,
      tpm: 100000,
      mockResponse: 'hello',
      mode: 'chat',
      baseModel: 'azure/gpt-4-1106-preview',
      line: 2,
      customPricing: {},
      extraParams: { temperature: 0.2 },
      deploymentOptions: { weight: 3 },
      modelInfo: { base_model: 'azure/gpt-4-1106-preview', mode: 'chat', team: 'research' },
    });
    expect(d.id).toMatch(/^[0-9a-f]{16}$/);
    expect(cfg.warnings).toEqual([]);
    expect(cfg.sourcePath).toMatch(/config\.yaml$/);
  });

  it('defaults the provider to openai and keeps everything after the first slash', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params: { model: gpt-4o }',
        '  - model_name: b',
        '    litellm_params: { model: bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0 }',
        '  - model_name: c',
        '    litellm_params: { model: openrouter/meta-llama/llama-3-70b }',
        '  - model_name: d',
        '    litellm_params: { model: my-model, custom_llm_provider: hosted_vllm }',
      ),
    );
    expect(cfg.deployments.map((d) => [d.provider, d.upstreamModel])).toEqual([
      ['openai', 'gpt-4o'],
      ['bedrock', 'us.anthropic.claude-3-5-sonnet-20241022-v2:0'],
      ['openrouter', 'meta-llama/llama-3-70b'],
      ['hosted_vllm', 'my-model'],
    ]);
  });

  it('derives a stable id from (model_name, model, api_base, index) unless model_info.id is set', () => {
    const text = yaml(
      'model_list:',
      '  - model_name: m',
      '    litellm_params: { model: openai/gpt-4o }',
      '  - model_name: m',
      '    litellm_params: { model: openai/gpt-4o }',
      '  - model_name: m',
      '    litellm_params: { model: openai/gpt-4o }',
      '    model_info: { id: 42 }',
    );
    const a = ok(text).deployments;
    const b = ok(text).deployments;
    expect(a.map((d) => d.id)).toEqual(b.map((d) => d.id));
    expect(a[0].id).not.toBe(a[1].id);
    expect(a[2].id).toBe('42');
  });

  it('accepts llm_params as an alias of litellm_params', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: sagemaker-completion-model',
        '    llm_params:',
        '      model: sagemaker/berri-benchmarking-Llama-2-70b-chat-hf-4',
        '      input_cost_per_second: 0.000420',
      ),
    );
    expect(cfg.deployments[0]).toMatchObject({
      provider: 'sagemaker',
      upstreamModel: 'berri-benchmarking-Llama-2-70b-chat-hf-4',
      customPricing: { input_cost_per_second: '0.000420' },
    });
  });

  it('rejects litellm_params and llm_params together', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: x',
        '    litellm_params: { model: gpt-4o }',
        '    llm_params: { model: gpt-4o }',
      ),
    );
    expect(at(diags, 'model_list[0].llm_params')).toMatchObject({
      line: 4,
      message: expect.stringContaining('use one'),
    });
  });

  it('resolves YAML anchors and merge keys', () => {
    const cfg = ok(
      yaml(
        'x-defaults: &defaults',
        '  api_base: http://127.0.0.1:4100/v1',
        '  timeout: 5',
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      <<: *defaults',
        '      model: openai/a',
        '      timeout: 9',
      ),
    );
    expect(cfg.deployments[0]).toMatchObject({
      apiBase: 'http://127.0.0.1:4100/v1',
      timeout: 9,
      model: 'openai/a',
    });
    expect(at(cfg.warnings, 'x-defaults', 'warning').message).toContain('unknown top-level key');
  });
});

describe('parseConfig: wrong types', () => {
  it('rejects a model_list that is not a list', () => {
    const diags = parseErrors(yaml('general_settings: {}', 'model_list:', '  model_name: x'));
    expect(at(diags, 'model_list')).toMatchObject({
      line: 3,
      message: 'must be a list of models (got a mapping)',
    });
  });

  it('reports a missing or non-string model_name, and missing litellm_params / model', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - litellm_params: { model: openai/a }',
        '  - model_name: 12',
        '    litellm_params: { model: openai/a }',
        '  - model_name: c',
        '    litelm_params: { model: openai/a }',
        '  - model_name: d',
        '    litellm_params: { api_key: x }',
        '  - model_name: e',
        '    litellm_params: openai/e',
        '  - just-a-string',
      ),
    );
    expect(at(diags, 'model_list[0].model_name')).toMatchObject({
      line: 2,
      message: 'model_name is missing',
    });
    expect(at(diags, 'model_list[1].model_name')).toMatchObject({
      line: 3,
      message: 'must be a string (got 12)',
    });
    expect(at(diags, 'model_list[2].litellm_params')).toMatchObject({
      line: 5,
      message:
        'litellm_params is missing (it needs at least `model`) (found `litelm_params`: did you mean `litellm_params`?)',
    });
    expect(at(diags, 'model_list[2].litelm_params', 'warning').message).toContain(
      'did you mean `litellm_params`?',
    );
    expect(at(diags, 'model_list[3].litellm_params.model')).toMatchObject({
      line: 8,
      message: expect.stringContaining('model is missing'),
    });
    expect(at(diags, 'model_list[4].litellm_params')).toMatchObject({
      line: 10,
      message: 'must be a mapping (got "openai/e")',
    });
    expect(at(diags, 'model_list[5]')).toMatchObject({
      line: 11,
      message: expect.stringContaining('must be a mapping'),
    });
  });

  it('checks numbers, integers, booleans, URLs and enums', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: openai/a',
        '      rpm: 1.5',
        '      tpm: "many"',
        '      max_retries: -1',
        '      timeout: 0',
        '      api_base: not a url',
        'general_settings:',
        '  require_pricing: "yes"',
        '  store_prompts_in_spend_logs: 1',
        '  budget_enforcement: strikt',
        '  max_request_body_bytes: 0',
        '  alert_webhook_url: ftp://x',
        '  alerting: slack',
        'router_settings:',
        '  num_retries: two',
        '  timeout: -5',
      ),
    );
    const e = (p: string) => at(diags, p);
    expect(e('model_list[0].litellm_params.rpm')).toMatchObject({
      line: 5,
      message: 'must be a non-negative integer (got 1.5)',
    });
    expect(e('model_list[0].litellm_params.tpm')).toMatchObject({
      line: 6,
      message: 'must be a non-negative integer (got "many")',
    });
    expect(e('model_list[0].litellm_params.max_retries')).toMatchObject({ line: 7 });
    expect(e('model_list[0].litellm_params.timeout')).toMatchObject({
      line: 8,
      message: 'must be a positive number (got 0)',
    });
    expect(e('model_list[0].litellm_params.api_base')).toMatchObject({
      line: 9,
      message: expect.stringContaining('http(s) URL'),
    });
    expect(e('general_settings.require_pricing')).toMatchObject({
      line: 11,
      message: 'must be true or false (got "yes")',
    });
    expect(e('general_settings.store_prompts_in_spend_logs')).toMatchObject({
      line: 12,
      message: 'must be true or false (got 1)',
    });
    expect(e('general_settings.budget_enforcement')).toMatchObject({
      line: 13,
      message: 'must be one of strict, soft (got "strikt") (did you mean `strict`?)',
    });
    expect(e('general_settings.max_request_body_bytes')).toMatchObject({
      line: 14,
      message: 'must be an integer >= 1 (got 0)',
    });
    expect(e('general_settings.alert_webhook_url')).toMatchObject({ line: 15 });
    expect(e('general_settings.alerting')).toMatchObject({
      line: 16,
      message: expect.stringContaining('list of strings'),
    });
    expect(e('router_settings.num_retries')).toMatchObject({ line: 18 });
    expect(e('router_settings.timeout')).toMatchObject({
      line: 19,
      message: 'must be a positive number (got -5)',
    });
    // every error at once
    expect(diags.filter((d) => d.severity === 'error')).toHaveLength(13);
  });

  it('rejects a duplicate model_info.id, pointing at both entries', () => {
    const diags = parseErrors(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params: { model: openai/a }',
        '    model_info: { id: dep-1 }',
        '  - model_name: b',
        '    litellm_params: { model: openai/b }',
        '    model_info: { id: dep-1 }',
      ),
    );
    expect(at(diags, 'model_list[1].model_info.id')).toMatchObject({
      line: 5,
      message:
        'duplicate model_info.id "dep-1" (also used by model_list[0] (line 2)): give each deployment its own id',
    });
  });

  it('rejects sections of the wrong shape and a config that is not a mapping', () => {
    const diags = parseErrors(yaml('model_list: []', 'general_settings: [a]', 'router_settings: 3'));
    expect(at(diags, 'general_settings')).toMatchObject({
      line: 2,
      message: 'must be a mapping (got a list)',
    });
    expect(at(diags, 'router_settings')).toMatchObject({ line: 3, message: 'must be a mapping (got 3)' });
    expect(at(parseErrors('- a\n- b\n'), '')).toMatchObject({
      line: 1,
      message: expect.stringContaining('must be a mapping'),
    });
  });

  it('reports YAML syntax errors with their line; a key written twice keeps the last value, with a warning', () => {
    // PyYAML (LiteLLM's reader) accepts a repeated key and keeps the last one: so does Tollgate, and says so.
    const dup = ok(yaml('model_list: []', 'general_settings:', '  master_key: sk-1', '  master_key: sk-2'));
    expect(dup.generalSettings.masterKey).toBe('sk-2');
    expect(at(dup.warnings, 'general_settings.master_key', 'warning')).toMatchObject({
      line: 4,
      message: expect.stringContaining('set twice in this mapping (first on line 3): the last one is used'),
    });
    const bad = parseErrors(yaml('model_list:', '  - model_name: [a', 'general_settings: {}'));
    expect(bad[0].severity).toBe('error');
    expect(bad[0].message).toMatch(/^YAML: /);
    expect(bad[0].line).toBeGreaterThanOrEqual(2);
  });

  const oneBadEntry = yaml(
    'model_list:',
    '  - model_name: good',
    '    litellm_params: { model: openai/good }',
    '  - model_name: bad',
    '    litellm_params: { model: openai/bad, rpm: x }',
    '    model_info: { input_cost_per_token: -1 }',
  );

  it('disables a bad entry (with file:line, why and what to do) and loads the rest', () => {
    const cfg = ok(oneBadEntry);
    expect(cfg.deployments.map((d) => d.modelName)).toEqual(['good']);
    expect(cfg.disabledDeployments).toEqual([
      {
        index: 1,
        path: 'model_list[1]',
        line: 4,
        file: 'config.yaml',
        modelName: 'bad',
        model: 'openai/bad',
        reasons: [
          'config.yaml:5 model_list[1].litellm_params.rpm: must be a non-negative integer (got "x")',
          'config.yaml:6 model_list[1].model_info.input_cost_per_token: must be a non-negative number (got -1)',
        ],
        why: [
          'model_list[1].litellm_params.rpm: must be a non-negative integer (got "x")',
          'model_list[1].model_info.input_cost_per_token: must be a non-negative number (got -1)',
        ],
      },
    ]);
    const w = at(cfg.warnings, 'model_list[1]', 'warning');
    expect(w.line).toBe(4);
    expect(w.message).toContain('deployment (bad) disabled: model_list[1].litellm_params.rpm: must be');
    expect(w.message).toContain('requests for "bad" are answered with a 400 naming this reason');
    expect(w.message).toContain('Fix or remove this entry');
  });

  it('strict (--strict, strict_config, ignore_invalid_deployments: false) refuses a bad entry with every error', () => {
    const viaSetting = (extra: string) => () => ok(`${oneBadEntry}${extra}`);
    expect(viaSetting('general_settings: { strict_config: true }\n')).toThrow(ConfigError);
    expect(viaSetting('router_settings: { ignore_invalid_deployments: false }\n')).toThrow(ConfigError);
    expect(
      ok(`${oneBadEntry}router_settings: { ignore_invalid_deployments: true }\n`).deployments,
    ).toHaveLength(1);
    const strict = () => parseConfig(oneBadEntry, { env: {}, sourcePath: 'config.yaml', strict: true });
    expect(strict).toThrow(ConfigError);
    try {
      strict();
    } catch (err) {
      const e = err as ConfigError;
      expect(e.message.split('\n')).toEqual([
        'config.yaml:5 model_list[1].litellm_params.rpm: must be a non-negative integer (got "x")',
        'config.yaml:6 model_list[1].model_info.input_cost_per_token: must be a non-negative number (got -1)',
      ]);
    }
  });
});

describe('loadConfigFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads a file and reports its path in diagnostics', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      yaml('model_list:', '  - model_name: a', '    litellm_params: { model: openai/a, rpm: x }'),
    );
    expect(() => loadConfigFile(file, {}, { strict: true })).toThrow(
      `${file}:3 model_list[0].litellm_params.rpm: must be a non-negative integer`,
    );
    expect(loadConfigFile(file, {}).disabledDeployments?.[0].reasons).toEqual([
      `${file}:3 model_list[0].litellm_params.rpm: must be a non-negative integer (got "x")`,
    ]);
  });

  it('fails clearly on a missing file', () => {
    expect(() => loadConfigFile(join(dir, 'nope.yaml'), {})).toThrow(/nope\.yaml.*file not found/);
  });

  it('appends the model_list of included files (paths relative to the config)', () => {
    writeFileSync(
      join(dir, 'models.yaml'),
      yaml(
        'model_list:',
        '  - model_name: inc',
        '    litellm_params: { model: openai/inc, api_key: os.environ/INC_KEY }',
      ),
    );
    const main = join(dir, 'main.yaml');
    writeFileSync(
      main,
      yaml(
        'include:',
        '  - models.yaml',
        'model_list:',
        '  - model_name: own',
        '    litellm_params: { model: openai/own }',
      ),
    );
    const cfg = loadConfigFile(main, { INC_KEY: 'k' });
    expect(cfg.deployments.map((d) => [d.modelName, d.index, d.apiKey])).toEqual([
      ['own', 0, undefined],
      ['inc', 1, 'k'],
    ]);
    expect(cfg.sourcePath).toBe(main);
  });

  it('reports errors inside an included file with that file name, and a missing include', () => {
    writeFileSync(
      join(dir, 'bad-models.yaml'),
      yaml('model_list:', '  - model_name: x', '    litellm_params: { model: openai/x, tpm: -1 }'),
    );
    const main = join(dir, 'main2.yaml');
    writeFileSync(main, yaml('include: [bad-models.yaml, missing.yaml]'));
    try {
      loadConfigFile(main, {}, { strict: true });
      expect.unreachable();
    } catch (err) {
      const e = err as ConfigError;
      expect(at(e.diagnostics, 'model_list[0].litellm_params.tpm')).toMatchObject({
        file: join(dir, 'bad-models.yaml'),
        line: 3,
      });
      expect(at(e.diagnostics, 'include[1]')).toMatchObject({
        file: main,
        line: 1,
        message: expect.stringContaining('ENOENT'),
      });
    }
  });
});
