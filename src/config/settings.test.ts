import { describe, expect, it } from 'vitest';
import { parseConfig } from './load.js';
import { at, parseErrors, yaml } from './test-helpers.js';

const ok = (text: string, env: NodeJS.ProcessEnv = {}) =>
  parseConfig(text, { env, sourcePath: 'config.yaml' });

describe('parseConfig: unknown keys', () => {
  it('warns with the nearest valid key at every level', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params:',
        '      model: openai/a',
        '      temprature: 0.1',
        '      top_k: 5',
        '    modle_info: {}',
        'general_settings:',
        '  mster_key: sk-1',
        'router_settings:',
        '  num_retires: 1',
        'litelm_settings: {}',
      ),
    );
    const w = (p: string) => at(cfg.warnings, p, 'warning');
    expect(w('model_list[0].litellm_params.temprature')).toMatchObject({
      line: 5,
      message: expect.stringContaining('did you mean `temperature`?'),
    });
    expect(w('model_list[0].modle_info')).toMatchObject({
      line: 7,
      message: expect.stringContaining('did you mean `model_info`?'),
    });
    expect(w('general_settings.mster_key')).toMatchObject({
      line: 9,
      message: expect.stringContaining('did you mean `master_key`?'),
    });
    expect(w('router_settings.num_retires')).toMatchObject({
      line: 11,
      message: expect.stringContaining('did you mean `num_retries`?'),
    });
    expect(w('litelm_settings')).toMatchObject({
      line: 12,
      message: expect.stringContaining('did you mean `litellm_settings`?'),
    });
    // typos still pass through; known request params are not flagged
    expect(cfg.deployments[0].extraParams).toEqual({ temprature: 0.1, top_k: 5 });
    expect(cfg.warnings.filter((d) => d.path.endsWith('top_k'))).toEqual([]);
  });

  it('lists settings Tollgate accepts but does not act on, once per section', () => {
    const cfg = ok(
      yaml(
        'model_list: []',
        'general_settings:',
        '  master_key: sk-1',
        '  disable_error_logs: true',
        '  allowed_routes: []',
        'litellm_settings:',
        '  drop_params: true',
        '  json_logs: true',
        '  turn_off_message_logging: true',
        'router_settings:',
        '  routing_strategy: usage-based-routing-v2',
      ),
    );
    expect(at(cfg.warnings, 'general_settings', 'warning').message).toBe(
      'accepted but not acted on by Tollgate: disable_error_logs, allowed_routes',
    );
    expect(at(cfg.warnings, 'litellm_settings', 'warning')).toMatchObject({
      line: 7,
      message: 'accepted but not acted on by Tollgate: json_logs, turn_off_message_logging',
    });
    // routing_strategy is acted on now; enable_pre_call_checks is not.
    expect(cfg.routerSettings.policy?.routingStrategy).toBe('usage-based-routing-v2');
    expect(cfg.warnings.filter((w) => w.path === 'router_settings')).toEqual([]);
    expect(cfg.litellmSettings).toEqual({
      drop_params: true,
      json_logs: true,
      turn_off_message_logging: true,
    });
  });
});

describe('parseConfig: settings', () => {
  it('applies defaults', () => {
    const cfg = ok('model_list: []\n');
    expect(cfg.generalSettings).toEqual({
      requirePricing: false,
      storePromptsInSpendLogs: false,
      disableSpendLogs: false,
      maxRequestBodyBytes: 10 * 1024 * 1024,
      raw: {},
    });
    expect(cfg.routerSettings).toMatchObject({ numRetries: 2, timeout: 600, raw: {} });
    expect(cfg.routerSettings.policy).toMatchObject({
      routingStrategy: 'simple-shuffle',
      allowedFails: 3,
      cooldownSeconds: 5,
      maxFallbacks: 5,
      fallbacks: {},
      retryPolicy: null,
    });
    expect(cfg.litellmSettings).toEqual({});
    expect(cfg.deployments).toEqual([]);
  });

  it('reads general_settings', () => {
    const cfg = ok(
      yaml(
        'general_settings:',
        '  master_key: sk-1234',
        '  database_url: postgresql://u:p@localhost/db',
        '  redis_url: redis://127.0.0.1:6379',
        '  cost_map: ./prices.json',
        '  require_pricing: true',
        '  store_prompts_in_spend_logs: true',
        '  budget_enforcement: soft',
        '  max_request_size_mb: 1.5',
        '  alert_webhook_url: https://hooks.example.com/x',
        '  alerting: [webhook]',
      ),
    );
    expect(cfg.generalSettings).toMatchObject({
      masterKey: 'sk-1234',
      databaseUrl: 'postgresql://u:p@localhost/db',
      redisUrl: 'redis://127.0.0.1:6379',
      costMap: './prices.json',
      requirePricing: true,
      storePromptsInSpendLogs: true,
      budgetEnforcement: 'soft',
      maxRequestBodyBytes: 1572864,
      alertWebhookUrl: 'https://hooks.example.com/x',
    });
    expect(cfg.generalSettings.raw.alerting).toEqual(['webhook']);
    expect(cfg.warnings.filter((w) => w.path.startsWith('general_settings'))).toEqual([]);
    expect(at(cfg.warnings, 'model_list', 'warning').message).toContain('no models');
  });

  it('accepts numeric strings for numbers; alerting destinations are checked at startup, not here', () => {
    const cfg = ok(
      yaml(
        'model_list:',
        '  - model_name: a',
        '    litellm_params: { model: openai/a, rpm: "60", timeout: "2.5" }',
        'general_settings:',
        '  alerting: [slack]',
      ),
    );
    expect(cfg.deployments[0]).toMatchObject({ rpm: 60, timeout: 2.5 });
    // Slack needs SLACK_WEBHOOK_URL from the environment: the alerting module warns at startup (issue 17).
    expect(cfg.warnings.filter((w) => w.path === 'general_settings.alerting')).toEqual([]);
  });

  it('max_request_body_bytes wins over max_request_size_mb, with a warning', () => {
    const cfg = ok(yaml('general_settings:', '  max_request_size_mb: 1', '  max_request_body_bytes: 2048'));
    expect(cfg.generalSettings.maxRequestBodyBytes).toBe(2048);
    expect(at(cfg.warnings, 'general_settings.max_request_size_mb', 'warning').line).toBe(2);
  });

  it('router_settings override litellm_settings num_retries / request_timeout, which override defaults', () => {
    expect(
      ok(yaml('litellm_settings:', '  num_retries: 5', '  request_timeout: 30')).routerSettings,
    ).toMatchObject({
      numRetries: 5,
      timeout: 30,
    });
    const both = ok(
      yaml(
        'litellm_settings:',
        '  num_retries: 5',
        'router_settings:',
        '  num_retries: 1',
        '  timeout: 12.5',
      ),
    );
    expect(both.routerSettings).toMatchObject({
      numRetries: 1,
      timeout: 12.5,
      raw: { num_retries: 1, timeout: 12.5 },
    });
  });

  it('cost_map_refresh_interval: seconds or a duration, 0 / off to never refresh; too short is an error', () => {
    const interval = (v: string, env: NodeJS.ProcessEnv = {}) =>
      ok(yaml('general_settings:', `  cost_map_refresh_interval: ${v}`), env).generalSettings
        .costMapRefreshIntervalSeconds;
    expect(interval('3600')).toBe(3600);
    expect(interval('"90"')).toBe(90);
    expect(interval('30m')).toBe(1800);
    expect(interval('6h')).toBe(21_600);
    expect(interval('1d')).toBe(86_400);
    expect(interval('2w')).toBe(1_209_600);
    expect(interval('0')).toBe(0);
    expect(interval('off')).toBe(0);
    expect(interval('false')).toBe(0);
    expect(interval('os.environ/TG_REFRESH', { TG_REFRESH: '12h' })).toBe(43_200);
    expect(ok(yaml('general_settings:', '  cost_map: builtin')).generalSettings).toMatchObject({
      costMap: 'builtin',
    });
    // acted on: no "accepted but not acted on" warning
    const cfg = ok(yaml('general_settings:', '  cost_map_refresh_interval: 1d'));
    expect(cfg.warnings.filter((w) => w.path.startsWith('general_settings'))).toEqual([]);
    for (const bad of ['10s', '59', 'daily', '-5', '[1]']) {
      const e = at(
        parseErrors(yaml('general_settings:', `  cost_map_refresh_interval: ${bad}`)),
        'general_settings.cost_map_refresh_interval',
      );
      expect(e.message).toMatch(/must be seconds or a duration such as "6h" or "1d" \(at least 60s\)/);
      expect(e.line).toBe(2);
    }
  });
});
