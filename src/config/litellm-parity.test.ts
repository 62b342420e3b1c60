import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const ok = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, sourcePath: 'config.yaml' });

describe('YAML 1.1 as LiteLLM (PyYAML) reads it', () => {
  it('20_000 is an integer, yes/no/on/off are booleans, y/n and dates are text', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: azure/dep',
        '      api_base: https://x.openai.azure.com',
        '      tpm: 20_000',
        '      rpm: 1_000',
        '      api_version: 2024-02-01',
        '      input_cost_per_token: 0.000_002',
        '      y: y',
        'general_settings:',
        '  store_prompts_in_spend_logs: yes',
        '  disable_spend_logs: off',
        '  require_pricing: On',
      ),
    );
    const d = cfg.deployments[0];
    expect([d.tpm, d.rpm]).toEqual([20000, 1000]);
    // PyYAML would make 2024-02-01 a date; LiteLLM sends str(date): the same text.
    expect(d.apiVersion).toBe('2024-02-01');
    // A price keeps its exact text, separators removed.
    expect(d.customPricing.input_cost_per_token).toBe('0.000002');
    expect(d.extraParams.y).toBe('y');
    expect(cfg.generalSettings).toMatchObject({
      storePromptsInSpendLogs: true,
      disableSpendLogs: false,
      requirePricing: true,
    });
  });

  it('a key set to null (or ~, or nothing) is unset', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: openai/gpt-4o',
        '      api_key: null',
        '      api_base: ~',
        '      rpm:',
        '    model_info:',
        'general_settings:',
        '  master_key: sk-1',
        '  database_url: null',
        'router_settings:',
      ),
    );
    const d = cfg.deployments[0];
    expect(d.apiKey).toBeUndefined();
    expect(d.apiBase).toBeUndefined();
    expect(d.rpm).toBeUndefined();
    expect(d.modelInfo).toEqual({});
    expect(cfg.generalSettings.databaseUrl).toBeUndefined();
    expect(cfg.warnings).toEqual([]);
  });

  it('null over a YAML merge unsets the merged value', () => {
    const cfg = ok(
      yaml(
        'x-defaults: &d { model: openai/gpt-4o, api_key: sk-shared, rpm: 5 }',
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      <<: *d',
        '      api_key: null',
      ),
    );
    expect(cfg.deployments[0]).toMatchObject({ model: 'openai/gpt-4o', rpm: 5 });
    expect(cfg.deployments[0].apiKey).toBeUndefined();
  });
});

describe('LiteLLM keys acted on', () => {
  it('router settings: strategy, fallbacks (router_settings wins over litellm_settings), cooldowns, retry policy', () => {
    const cfg = ok(
      yaml(
        'model_list: []',
        'litellm_settings:',
        '  fallbacks: [{ a: [b] }]',
        '  context_window_fallbacks: [{ a: [c] }]',
        '  allowed_fails: 9',
        'router_settings:',
        '  routing_strategy: latency-based-routing',
        '  routing_strategy_args: { lowest_latency_buffer: 0.5, ttl: 60 }',
        '  fallbacks: [{ a: [x, y] }, { "*": [z] }]',
        '  content_policy_fallbacks: [{ a: claude }]',
        '  default_fallbacks: [d]',
        '  cooldown_time: 30',
        '  disable_cooldowns: false',
        '  retry_policy: { RateLimitErrorRetries: 3, AuthenticationErrorRetries: 0 }',
        '  allowed_fails_policy: { RateLimitErrorAllowedFails: 100 }',
        '  model_group_retry_policy: { a: { TimeoutErrorRetries: 1 } }',
        '  stream_timeout: 12',
        '  model_group_alias: { gpt-4: a, old: { model: b, hidden: true } }',
        '  max_fallbacks: 2',
        '  redis_host: cache.internal',
        '  redis_port: 6380',
        '  redis_password: p@ss',
      ),
    );
    expect(cfg.routerSettings.policy).toMatchObject({
      routingStrategy: 'latency-based-routing',
      latencyBuffer: 0.5,
      latencyTtlSeconds: 60,
      fallbacks: { a: ['x', 'y'], '*': ['z'] },
      contextWindowFallbacks: { a: ['c'] },
      contentPolicyFallbacks: { a: ['claude'] },
      defaultFallbacks: ['d'],
      allowedFails: 9,
      cooldownSeconds: 30,
      disableCooldowns: false,
      retryPolicy: { RateLimitError: 3, AuthenticationError: 0 },
      allowedFailsPolicy: { RateLimitError: 100 },
      modelGroupRetryPolicy: { a: { TimeoutError: 1 } },
      streamTimeout: 12,
      modelGroupAlias: { 'gpt-4': 'a', old: 'b' },
      maxFallbacks: 2,
      redisUrl: 'redis://:p%40ss@cache.internal:6380',
    });
    // None of these is listed as "not acted on".
    expect(cfg.warnings.filter((w) => /not acted on/.test(w.message))).toEqual([]);
  });

  it('an unknown strategy or retry class is a warning naming the known ones; a bad fallback shape an error', () => {
    const cfg = ok(
      yaml('router_settings:', '  routing_strategy: fastest', '  retry_policy: { RateErrorRetries: 1 }'),
    );
    expect(at(cfg.warnings, 'router_settings.routing_strategy', 'warning').message).toMatch(
      /unknown routing_strategy "fastest": simple-shuffle is used; known: simple-shuffle, least-busy/,
    );
    expect(at(cfg.warnings, 'router_settings.retry_policy.RateErrorRetries', 'warning').message).toMatch(
      /did you mean `RateLimitErrorRetries`/,
    );
    const diags = parseErrors(yaml('router_settings:', '  fallbacks: [gpt-4]'));
    expect(at(diags, 'router_settings.fallbacks[0]').message).toMatch(
      /must be a mapping \{model_name: \[fallback, …\]\}/,
    );
  });

  it('general_settings: strict_config, allowed_ips, litellm_key_header_name, allow_requests_on_db_unavailable', () => {
    const cfg = ok(
      yaml(
        'general_settings:',
        '  strict_config: false',
        '  allowed_ips: [127.0.0.1, "10.0.0.0/8", "::1"]',
        '  litellm_key_header_name: X-Litellm-Key',
        '  allow_requests_on_db_unavailable: true',
      ),
    );
    expect(cfg.generalSettings).toMatchObject({
      strictConfig: false,
      allowedIps: ['127.0.0.1', '10.0.0.0/8', '::1'],
      keyHeaderName: 'x-litellm-key',
      allowRequestsOnDbUnavailable: true,
    });
    const diags = parseErrors(yaml('general_settings:', '  allowed_ips: [localhost, 10.0.0.0/99]'));
    expect(at(diags, 'general_settings.allowed_ips[0]').message).toMatch(
      /must be an IP address or a CIDR range/,
    );
    expect(at(diags, 'general_settings.allowed_ips[1]').message).toMatch(
      /must be an IP address or a CIDR range/,
    );
  });

  it('allow_requests_on_db_unavailable in litellm_settings is flagged: LiteLLM reads it from general_settings', () => {
    const cfg = ok(yaml('litellm_settings:', '  allow_requests_on_db_unavailable: true'));
    expect(cfg.generalSettings.allowRequestsOnDbUnavailable).toBeUndefined();
    expect(at(cfg.warnings, 'litellm_settings.allow_requests_on_db_unavailable', 'warning').message).toMatch(
      /belongs in general_settings/,
    );
  });

  it('LiteLLM settings not acted on are said so, plainly', () => {
    const cfg = ok(
      yaml(
        'general_settings:',
        '  allow_client_side_credentials: true',
        '  custom_auth: my.auth',
        'router_settings:',
        '  enable_pre_call_checks: true',
        'litellm_settings:',
        '  vertex_location: us-central1',
      ),
    );
    expect(at(cfg.warnings, 'general_settings', 'warning').message).toBe(
      'accepted but not acted on by Tollgate: allow_client_side_credentials, custom_auth',
    );
    expect(at(cfg.warnings, 'router_settings', 'warning').message).toContain('enable_pre_call_checks');
    expect(at(cfg.warnings, 'litellm_settings', 'warning').message).toContain('vertex_location');
  });

  it('rpm/tpm beside litellm_params are read (LiteLLM routes with them); a misplaced param is named', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params: { model: openai/gpt-4o }',
        '    tpm: 20000',
        '    rpm: 3',
        '    api_base: http://x/v1',
      ),
    );
    expect(cfg.deployments[0]).toMatchObject({ tpm: 20000, rpm: 3 });
    expect(at(cfg.warnings, 'model_list[0].api_base', 'warning').message).toMatch(
      /belongs inside litellm_params/,
    );
  });

  it('a missing os.environ/DATABASE_URL means no database (the embedded one), as LiteLLM starts without one', () => {
    const cfg = ok(yaml('general_settings:', '  database_url: os.environ/DATABASE_URL'));
    expect(cfg.generalSettings.databaseUrl).toBeUndefined();
    expect(cfg.warnings.map((w) => w.message).join('\n')).toMatch(/embedded database/);
    // The master key stays an error: an unset master key would leave the gateway open.
    expect(
      at(
        parseErrors(yaml('general_settings:', '  master_key: os.environ/NOPE')),
        'general_settings.master_key',
      ).message,
    ).toMatch(/NOPE is not set/);
  });
});
