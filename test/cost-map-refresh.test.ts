/**
 * End to end, with no cost_map configured (the default: LiteLLM's public map) and a local server standing in
 * for raw.githubusercontent.com: the gateway is ready and priced by the built-in catalog while the fetch is
 * held back; when it lands every deployment is repriced at once (custom prices keep winning, logged history
 * keeps its cost); readiness, /pricing/explain and /metrics say which catalog is in use and what changed;
 * a restart without network serves the cached map. Nothing leaves 127.0.0.1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LITELLM_COST_MAP_URL } from '../src/cost-map/index.js';
import { builtinMap, closedPortUrl, type MapServer, startMapServer } from './support/cost-map-server.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, mock_response: "hello there" }
  - model_name: house-gpt
    litellm_params: { model: openai/gpt-4o, mock_response: "hello there" }
    model_info: { input_cost_per_token: 0.00001, output_cost_per_token: 0.00003 }
general_settings:
  master_key: sk-1234
`;
// biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected field by field in the assertions
type Json = any;
const AUTH = { authorization: 'Bearer sk-1234' };
const CLOCK = new Date('2026-02-03T04:05:06Z');
/** These tests start gateways (embedded database); on a loaded 2-core machine that alone can take 20 s. */
const START_LIMIT_MS = 120_000;

/** LiteLLM's URL → the local server; anything else that is not local is a test bug. */
const redirect = (target: string): typeof fetch =>
  ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (url !== LITELLM_COST_MAP_URL) throw new Error(`unexpected fetch ${url}`);
    return fetch(target, init);
  }) as typeof fetch;

let srv: MapServer;
const dataDir = mkdtempSync(join(tmpdir(), 'tollgate-costmap-e2e-'));
let t: TestGateway;

beforeAll(async () => {
  srv = await startMapServer();
  const map = builtinMap();
  map['gpt-4o'] = { ...map['gpt-4o'], input_cost_per_token: 0.000002, output_cost_per_token: 0.000008 };
  srv.serve(map);
});
afterAll(async () => {
  await t?.close();
  await srv.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function chat(model: string) {
  const r = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
  return {
    cost: r.headers.get('x-tollgate-response-cost')!,
    requestId: r.headers.get('x-tollgate-request-id')!,
    p: body.usage.prompt_tokens,
    c: body.usage.completion_tokens,
  };
}

/** Exact decimal of p × a + c × b where a and b are given in units of 10^-7 USD (no binary floats). */
function cost(p: number, aE7: number, c: number, bE7: number): string {
  const e7 = BigInt(p * aE7 + c * bE7);
  const s = e7.toString().padStart(8, '0');
  return `${s.slice(0, -7)}.${s.slice(-7)}`.replace(/\.?0+$/, '');
}

const get = async (path: string) => {
  const r = await fetch(`${t.url}${path}`, { headers: AUTH });
  return { status: r.status, body: (await r.json()) as Json };
};

describe('prices stay current by default', () => {
  it(
    'serves at once with the built-in catalog, swaps to the fetched map when it lands',
    async () => {
      const release = srv.hold(); // the upstream is slow: the gateway must not wait for it
      t = await startTestGateway(CONFIG, {
        dataDir,
        env: { ...process.env, TOLLGATE_COST_MAP: '' }, // nothing configured → the public map
        costMap: { fetch: redirect(srv.url), now: () => CLOCK },
      });
      const ready = await get('/health/readiness');
      expect(ready.status).toBe(200);
      expect(ready.body.price_catalog).toMatchObject({
        source: 'builtin:litellm@caddc6dd',
        snapshot: '2025-11-21',
        models: 1803,
        origin: 'builtin',
        fetched_at: null,
        updates: { from: LITELLM_COST_MAP_URL, set_by: 'default', every_seconds: 86_400, last_error: null },
      });

      const a = await chat('gpt-4o');
      // built-in gpt-4o: 0.0000025 in (25 × 10^-7), 0.00001 out (100 × 10^-7)
      expect(a.cost).toBe(cost(a.p, 25, a.c, 100));
      const h1 = await chat('house-gpt');
      // custom: 0.00001 in (100 × 10^-7), 0.00003 out (300 × 10^-7)
      expect(h1.cost).toBe(cost(h1.p, 100, h1.c, 300));

      release();
      expect(await t.gw.costMaps.refresh()).toMatchObject({ ok: true, changed: true }); // joins the start fetch

      const b = await chat('gpt-4o');
      // fetched gpt-4o: 0.000002 in (20 × 10^-7), 0.000008 out (80 × 10^-7)
      expect(b.cost).toBe(cost(b.p, 20, b.c, 80));
      const h2 = await chat('house-gpt');
      expect(h2.cost).toBe(cost(h2.p, 100, h2.c, 300)); // custom prices keep winning

      // History is not re-priced: the first request keeps the cost it was billed.
      await t.gw.ledger.flush();
      const logs = await get(`/spend/logs?request_id=${a.requestId}`);
      const rows = Array.isArray(logs.body) ? logs.body : (logs.body.data ?? [logs.body]);
      expect(String(rows[0].spend)).toBe(a.cost);
    },
    START_LIMIT_MS,
  );

  it('readiness, /pricing/explain and /metrics name the catalog in use and what changed', async () => {
    const ready = await get('/health/readiness');
    expect(ready.body.price_catalog).toMatchObject({
      source: LITELLM_COST_MAP_URL,
      snapshot: '2026-02-03',
      origin: 'fetched',
      fetched_at: '2026-02-03T04:05:06.000Z',
      checked_at: '2026-02-03T04:05:06.000Z',
      etag: expect.stringMatching(/^"[0-9a-f]{16}"$/),
      last_change: {
        from: { source: 'builtin:litellm@caddc6dd', snapshot: '2025-11-21', models: 1803 },
        to: { source: LITELLM_COST_MAP_URL, snapshot: '2026-02-03', models: 1803 },
        large: false,
        affected_models: 1,
        models_added: 0,
        models_removed: 0,
        prices_changed: 2,
      },
    });

    const explain = await get('/pricing/explain');
    expect(explain.body.catalog.last_change.price_changes).toEqual([
      { model: 'gpt-4o', key: 'input_cost_per_token', before: '0.0000025', after: '0.000002' },
      { model: 'gpt-4o', key: 'output_cost_per_token', before: '0.00001', after: '0.000008' },
    ]);
    const gpt = explain.body.data.find((d: { model_name: string }) => d.model_name === 'gpt-4o');
    expect(gpt.source).toBe('catalog:gpt-4o@2026-02-03');
    expect(gpt.price_changes).toEqual([
      { key: 'input_cost_per_token', before: '0.0000025', after: '0.000002' },
      { key: 'output_cost_per_token', before: '0.00001', after: '0.000008' },
    ]);
    const house = explain.body.data.find((d: { model_name: string }) => d.model_name === 'house-gpt');
    expect(house.price_changes).toBeUndefined();
    expect(house.prices.input_cost_per_token).toEqual({ usd: '0.00001', from: 'custom' });

    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain(
      `tollgate_cost_map_info{source="${LITELLM_COST_MAP_URL}",snapshot="2026-02-03",origin="fetched"} 1`,
    );
    expect(metrics).toMatch(/tollgate_cost_map_checks_total\{result="applied"\} [1-9]/);
    expect(metrics).toMatch(/tollgate_cost_map_changes_total\{kind="prices_changed"\} [2-9]/);
  });

  it('POST /pricing/reload: unchanged (304), then an invalid map keeps the prices in use', async () => {
    const reload = async () =>
      (await (await fetch(`${t.url}/pricing/reload`, { method: 'POST', headers: AUTH })).json()) as Json;
    const same = await reload();
    expect(same).toMatchObject({ ok: true, changed: false, catalog: { origin: 'fetched' } });
    expect(srv.requests.at(-1)?.headers['if-none-match']).toBe(same.catalog.etag);
    srv.mode = 'html';
    srv.serve('<html>oops</html>');
    const broken = await reload();
    srv.mode = 'map';
    expect(broken.ok).toBe(false);
    expect(broken.warnings[0]).toMatch(/not valid JSON.*keeping the current catalog/);
    expect(broken.catalog.updates.last_error).toBe(broken.warnings[0]);
    const c = await chat('gpt-4o');
    expect(c.cost).toBe(cost(c.p, 20, c.c, 80));
  });

  it(
    'a restart without network serves the cached map at once',
    async () => {
      await t.close();
      t = await startTestGateway(CONFIG, {
        dataDir,
        env: { ...process.env, TOLLGATE_COST_MAP: '' },
        costMap: { fetch: redirect(await closedPortUrl()) },
      });
      const c = await chat('gpt-4o');
      expect(c.cost).toBe(cost(c.p, 20, c.c, 80));
      await t.gw.costMaps.refresh();
      const ready = await get('/health/readiness');
      expect(ready.status).toBe(200);
      expect(ready.body.price_catalog).toMatchObject({
        origin: 'cache',
        snapshot: '2026-02-03',
        fetched_at: '2026-02-03T04:05:06.000Z',
        updates: { last_error: expect.stringMatching(/unreachable \(ECONNREFUSED\)/) },
      });
    },
    START_LIMIT_MS,
  );
});
