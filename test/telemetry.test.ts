/**
 * Prometheus (LiteLLM's metric names and labels, exact spend, fallbacks, refusals, budget gauges,
 * overhead), OpenTelemetry GenAI spans to a local OTLP/HTTP receiver, and alerts to a webhook and a
 * Slack-style receiver (budget, slow calls), each sent once.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Alerter } from '../src/access/alerts.js';
import { logger } from '../src/logger.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startLedgerStallMonitor } from '../src/telemetry/alert-monitors.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

interface Received {
  path: string;
  body: any;
}

async function receiver(): Promise<{ server: Server; url: string; got: Received[] }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      try {
        got.push({ path: req.url ?? '', body: JSON.parse(raw) });
      } catch {
        got.push({ path: req.url ?? '', body: raw });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

async function until<T>(f: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The value of one series in Prometheus text format, or undefined. */
function series(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

let t: TestGateway;
let otlp: Awaited<ReturnType<typeof receiver>>;
let hooks: Awaited<ReturnType<typeof receiver>>;
const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };

beforeAll(async () => {
  otlp = await receiver();
  hooks = await receiver();
  t = await startTestGateway(
    `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000003 }
  - model_name: fb
    litellm_params: { model: openai/gpt-4o-fail-500, api_base: "{{MOCK}}/v1", api_key: sk-mock, rpm: 1000000 }
    model_info: { input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000003 }
  - model_name: fb
    litellm_params: { model: openai/gpt-4o-mini, api_base: "{{MOCK}}/v1", api_key: sk-mock, rpm: 1 }
    model_info: { input_cost_per_token: 0.0000001, output_cost_per_token: 0.0000003 }
  - model_name: slow
    litellm_params: { model: openai/gpt-4o-slow-300, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0 }
litellm_settings:
  callbacks: ["otel", "prometheus"]
general_settings:
  master_key: sk-1234
  alerting: ["slack", "webhook"]
  alert_webhook_url: "${'{{HOOK}}'}/webhook"
  alert_to_webhook_url:
    llm_too_slow: "${'{{HOOK}}'}/slack-slow"
  alerting_threshold: 0.1
`.replaceAll('{{HOOK}}', hooks.url),
    {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
        OTEL_SERVICE_NAME: 'tollgate-test',
        SLACK_WEBHOOK_URL: `${hooks.url}/slack`,
      },
    },
  );
}, 60_000);

afterAll(async () => {
  await t?.close();
  otlp?.server.close();
  hooks?.server.close();
});

async function chat(key: string, body: object) {
  const r = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...H, authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return { status: r.status, headers: r.headers, json: (await r.json()) as any };
}

describe('Prometheus metrics with LiteLLM names', () => {
  it('counts spend exactly, tokens, requests, fallbacks, refusals and budgets per key and team', async () => {
    await fetch(`${t.url}/team/new`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ team_id: 't-metrics', team_alias: 'Metrics Team', max_budget: 5 }),
    });
    const gen = await fetch(`${t.url}/key/generate`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ key_alias: 'metrics-key', team_id: 't-metrics', max_budget: 2 }),
    });
    const { key, token } = (await gen.json()) as { key: string; token: string };
    // Ten requests: the spend sum is exact (a float sum of ten such costs would drift).
    let exact = 0n;
    for (let i = 0; i < 10; i++) {
      const r = await chat(key, { model: 'gpt-4o', messages: [{ role: 'user', content: `count me ${i}` }] });
      expect(r.status).toBe(200);
      // cost = prompt × 0.0000001 + completion × 0.0000003, exact
      const u = r.json.usage;
      const c =
        BigInt(u.prompt_tokens) * parseMoney('0.0000001') +
        BigInt(u.completion_tokens) * parseMoney('0.0000003');
      expect(r.headers.get('x-litellm-response-cost')).toBe(formatMoney(c));
      exact += c;
    }
    const fb = await chat(key, { model: 'fb', messages: [{ role: 'user', content: 'fall back' }] });
    expect(fb.status).toBe(200);
    const unknown = await chat(key, { model: 'nope', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(400);
    const noKey = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noKey.status).toBe(401);
    await new Promise((r) => setTimeout(r, 300)); // budget gauges refresh in the background

    const m = await (await fetch(`${t.url}/metrics`)).text();
    const who = {
      hashed_api_key: token,
      api_key_alias: 'metrics-key',
      team: 't-metrics',
      team_alias: 'Metrics Team',
    };
    // `model` is the model sent to the provider, without its prefix, as LiteLLM labels it.
    expect(series(m, 'litellm_spend_metric_total', { ...who, model: 'gpt-4o' })).toBe(
      Number(formatMoney(exact)),
    );
    expect(series(m, 'litellm_requests_metric_total', { ...who, model: 'gpt-4o' })).toBe(10);
    expect(
      series(m, 'litellm_total_tokens_metric_total', { ...who, requested_model: 'gpt-4o' }),
    ).toBeGreaterThan(0);
    expect(
      series(m, 'litellm_input_tokens_metric_total', { ...who, requested_model: 'gpt-4o' }),
    ).toBeGreaterThan(0);
    expect(
      series(m, 'litellm_output_tokens_metric_total', { ...who, requested_model: 'gpt-4o' }),
    ).toBeGreaterThan(0);
    expect(
      series(m, 'litellm_proxy_total_requests_metric_total', {
        ...who,
        requested_model: 'gpt-4o',
        status_code: '200',
      }),
    ).toBe(10);
    expect(
      series(m, 'litellm_proxy_failed_requests_metric_total', {
        ...who,
        requested_model: 'nope',
        exception_status: '400',
      }),
    ).toBe(1);
    expect(
      series(m, 'litellm_proxy_failed_requests_metric_total', {
        hashed_api_key: '',
        exception_status: '401',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      series(m, 'litellm_deployment_failure_responses_total', {
        requested_model: 'fb',
        litellm_model_name: 'gpt-4o-fail-500',
        exception_status: '500',
      }),
    ).toBe(1);
    expect(
      series(m, 'litellm_deployment_success_responses_total', {
        requested_model: 'fb',
        litellm_model_name: 'gpt-4o-mini',
      }),
    ).toBe(1);
    expect(
      series(m, 'litellm_deployment_successful_fallbacks_total', {
        requested_model: 'fb',
        fallback_model: 'gpt-4o-mini',
        exception_status: '500',
      }),
    ).toBe(1);
    expect(series(m, 'litellm_deployment_state', { litellm_model_name: 'gpt-4o-fail-500' })).toBe(1);
    expect(series(m, 'litellm_deployment_state', { litellm_model_name: 'gpt-4o' })).toBe(0);
    expect(
      series(m, 'litellm_api_key_max_budget_metric', { hashed_api_key: token, api_key_alias: 'metrics-key' }),
    ).toBe(2);
    const remaining = series(m, 'litellm_remaining_api_key_budget_metric', { hashed_api_key: token });
    expect(remaining).toBeGreaterThan(1.99);
    expect(remaining).toBeLessThan(2);
    expect(
      series(m, 'litellm_team_max_budget_metric', { team: 't-metrics', team_alias: 'Metrics Team' }),
    ).toBe(5);
    expect(
      series(m, 'litellm_request_total_latency_metric_count', { ...who, requested_model: 'gpt-4o' }),
    ).toBe(10);
    expect(series(m, 'litellm_llm_api_latency_metric_count', { ...who, requested_model: 'gpt-4o' })).toBe(10);
    expect(series(m, 'tollgate_gateway_overhead_seconds_count', { model_group: 'gpt-4o' })).toBe(10);
    expect(m).not.toContain(key); // never the raw key
  });
});

describe('OpenTelemetry', () => {
  it('exports one GenAI span per call over OTLP/HTTP with tokens, cost, key and team', async () => {
    const r = await chat('sk-1234', {
      model: 'gpt-4o',
      user: 'cust-otel',
      messages: [{ role: 'user', content: 'trace me' }],
    });
    const requestId = r.headers.get('x-tollgate-request-id')!;
    const span = await until(() => {
      for (const g of otlp.got) {
        for (const rs of g.body.resourceSpans ?? [])
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? []) {
              const attrs = Object.fromEntries(
                s.attributes.map((a: any) => [a.key, Object.values(a.value)[0]]),
              );
              if (attrs['tollgate.request_id'] === requestId) return { s, attrs, rs, path: g.path };
            }
      }
      return undefined;
    });
    expect(span.path).toBe('/v1/traces');
    expect(span.s.name).toBe('chat gpt-4o');
    expect(span.attrs).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o',
      'gen_ai.provider.name': 'openai',
      'tollgate.cost_usd': r.headers.get('x-litellm-response-cost'),
      'metadata.end_user': 'cust-otel',
    });
    expect(Number(span.attrs['gen_ai.usage.input_tokens'])).toBe(r.json.usage.prompt_tokens);
    expect(Number(span.attrs['gen_ai.usage.output_tokens'])).toBe(r.json.usage.completion_tokens);
    const svc = span.rs.resource.attributes.find((a: any) => a.key === 'service.name');
    expect(svc.value.stringValue).toBe('tollgate-test');
  });
});

describe('alerts', () => {
  it('sends a slow-call alert to its per-type Slack URL and a budget alert once to webhook and Slack', async () => {
    await chat('sk-1234', { model: 'slow', messages: [{ role: 'user', content: 'slow one' }] });
    await chat('sk-1234', { model: 'slow', messages: [{ role: 'user', content: 'slow two' }] });
    const gen = await fetch(`${t.url}/key/generate`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ key_alias: 'tiny', max_budget: 0.0000001 }),
    });
    const { key } = (await gen.json()) as { key: string };
    const refused = [];
    for (let i = 0; i < 3; i++)
      refused.push(
        (await chat(key, { model: 'gpt-4o', messages: [{ role: 'user', content: 'over budget' }] })).status,
      );
    expect(refused).toEqual([400, 400, 400]);
    await until(() =>
      hooks.got.some((g) => g.path === '/slack' && /Budget/.test(g.body.text)) ? true : undefined,
    );
    await new Promise((r) => setTimeout(r, 300));
    // Other calls may cross 0.1 s on a loaded machine too: count the alerts about this deployment.
    const slow = hooks.got.filter((g) => g.path === '/slack-slow' && g.body.text.includes('gpt-4o-slow-300'));
    expect(slow).toHaveLength(1); // two slow calls, one alert per deployment per hour
    expect(slow[0].body.text).toContain('over alerting_threshold 0.1 s');
    const budgetHooks = hooks.got.filter((g) => g.path === '/webhook' && g.body.event === 'budget_crossed');
    expect(budgetHooks).toHaveLength(1); // three refusals, one alert
    expect(budgetHooks[0].body).toMatchObject({
      event_group: 'budget_alerts',
      entity_type: 'key',
      max_budget: 1e-7,
    });
    expect(JSON.stringify(hooks.got)).not.toContain(key);
    const rows = await t.gw.db.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM tg_alerts_sent WHERE alert_type = 'budget_alerts'`,
    );
    expect(rows.rows[0].n).toBe('1');
  });

  it('the ledger stall monitor alerts once per incident and once on recovery', async () => {
    const got = await receiver();
    const alerter = new Alerter(logger, {
      webhookUrls: [`${got.url}/w`],
      slackUrls: [],
      slackByType: {},
      types: null,
      thresholdSeconds: 300,
    });
    const health = (stalled: boolean, stalledForMs: number) => ({
      oldestPendingAgeMs: stalledForMs,
      consecutiveFailures: stalled ? 3 : 0,
      stalled,
      stalledForMs,
    });
    let stats = {
      pending: 5,
      written: 0,
      failedBatches: 3,
      dbHealthy: false,
      duplicates: 0,
      deadLettered: 0,
      health: health(false, 30_000),
    };
    const stop = startLedgerStallMonitor(alerter, { stats: () => stats, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 100));
    expect(got.got).toHaveLength(0); // pending, but the ledger does not call it stalled yet
    stats = { ...stats, health: health(true, 61_000) };
    await new Promise((r) => setTimeout(r, 100));
    stats = { ...stats, health: health(true, 122_000) };
    await new Promise((r) => setTimeout(r, 100));
    await alerter.flush();
    expect(got.got.map((g) => g.body.event)).toEqual(['ledger_stalled']); // one alert per incident
    stats = { ...stats, pending: 0, dbHealthy: true, health: health(false, 0) };
    await new Promise((r) => setTimeout(r, 100));
    await alerter.flush();
    expect(got.got.map((g) => g.body.event)).toEqual(['ledger_stalled', 'ledger_recovered']);
    stop();
    got.server.close();
  });
});
