import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinCatalog, formatMoney, resolvePricing } from '../pricing/index.js';
import { CostMapManager, createCostMapManager } from './cost-map-manager.js';
import { loadCostMap } from './load-cost-map.js';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-costmap-'));
const file = (name: string, content: string) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
const NEWER = JSON.stringify({
  'gpt-4o': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 0.000002,
    output_cost_per_token: 0.000008,
  },
  'brand-new-model': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 1e-7,
    output_cost_per_token: 2e-7,
  },
  broken: { litellm_provider: 'openai', input_cost_per_token: 'abc' },
  sample_spec: { input_cost_per_token: 0 },
});

let server: Server;
let base: string;
let body = NEWER;
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/map.json') {
      res.writeHead(200, {
        'content-type': 'application/json',
        'last-modified': 'Wed, 01 Oct 2025 00:00:00 GMT',
      });
      res.end(body);
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('loadCostMap', () => {
  it('loads a file over the built-in catalog; bad entries skipped with a warning', async () => {
    const loaded = await loadCostMap(file('newer.json', NEWER));
    const gpt = resolvePricing({ name: 'g', model: 'gpt-4o', provider: 'openai' }, loaded.catalog);
    expect(formatMoney(gpt.prices.input_cost_per_token)).toBe('0.000002');
    expect(loaded.catalog.get('brand-new-model')).toBeDefined();
    expect(loaded.catalog.get('claude-sonnet-4-5')).toBeDefined(); // still from the built-in
    expect(loaded.catalog.get('sample_spec')).toBeUndefined();
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toMatch(/"broken" skipped: input_cost_per_token is not a decimal/);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('loads from http(s), snapshot from Last-Modified', async () => {
    const loaded = await loadCostMap(`${base}/map.json`);
    expect(loaded.catalog.snapshot).toBe('2025-10-01');
    expect(loaded.catalog.source).toBe(`${base}/map.json`);
  });

  it('rejects malformed input with a reason', async () => {
    await expect(loadCostMap(file('bad.json', '{not json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadCostMap(file('arr.json', '[1,2]'))).rejects.toThrow(/JSON object/);
    await expect(loadCostMap(file('empty.json', '{}'))).rejects.toThrow(/no valid model entries/);
    await expect(loadCostMap(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    await expect(loadCostMap(`${base}/missing`)).rejects.toThrow(/HTTP 404/);
  });
});

describe('CostMapManager', () => {
  it('built-in only when nothing is configured or LITELLM_LOCAL_MODEL_COST_MAP=True', async () => {
    const m = new CostMapManager({ env: {} });
    expect(await m.reload()).toEqual({ ok: true, warnings: [], changed: false });
    expect(m.current()).toBe(builtinCatalog());
    const local = new CostMapManager({
      location: file('x.json', NEWER),
      env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True' },
    });
    expect(local.location()).toBeNull();
    await local.reload();
    expect(local.current()).toBe(builtinCatalog());
  });

  it('general_settings.cost_map wins over TOLLGATE_COST_MAP', () => {
    expect(new CostMapManager({ location: 'a.json', env: { TOLLGATE_COST_MAP: 'b.json' } }).location()).toBe(
      'a.json',
    );
    expect(new CostMapManager({ env: { TOLLGATE_COST_MAP: 'b.json' } }).location()).toBe('b.json');
  });

  it('failure at start → built-in catalog and exactly one clear warning, no throw', async () => {
    const m = new CostMapManager({ env: { TOLLGATE_COST_MAP: file('bad2.json', '{"x": ') } });
    const r = await m.reload();
    expect(r.ok).toBe(false);
    expect(r.changed).toBe(false);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /cost map .*bad2\.json could not be loaded \(not valid JSON.*\); using the built-in catalog \(LiteLLM snapshot 2025-11-21/,
    );
    expect(m.current()).toBe(builtinCatalog());
  });

  it('reload swaps the catalog, reports changed, keeps the current one when the map breaks later', async () => {
    body = NEWER;
    const m = new CostMapManager({ location: `${base}/map.json`, env: {} });
    const first = await m.reload();
    expect(first).toMatchObject({ ok: true, changed: true });
    const c1 = m.current();
    expect(c1.get('brand-new-model')).toBeDefined();
    expect((await m.reload()).changed).toBe(false);
    body = '<html>oops</html>';
    const broken = await m.reload();
    expect(broken.ok).toBe(false);
    expect(broken.warnings[0]).toMatch(/keeping the current catalog/);
    expect(m.current()).toBe(c1);
    body = JSON.stringify({ 'other-model': { litellm_provider: 'openai', input_cost_per_token: 1e-6 } });
    expect((await m.reload()).changed).toBe(true);
    expect(m.current().get('brand-new-model')).toBeUndefined();
    expect(m.current().get('other-model')).toBeDefined();
  });
});

describe('createCostMapManager', () => {
  it('loads at creation and logs the fallback warning once', async () => {
    const warned: string[] = [];
    const infos: string[] = [];
    const m = await createCostMapManager({
      source: join(dir, 'absent.json'),
      env: {},
      logger: { warn: (s) => warned.push(s), info: (s) => infos.push(s) },
    });
    expect(m.current()).toBe(builtinCatalog());
    expect(warned).toHaveLength(1);
    expect(warned[0]).toMatch(/absent\.json could not be loaded/);
    expect(infos[0]).toMatch(/price catalog: builtin:litellm@caddc6dd/);
    const ok = await createCostMapManager({ source: file('ok.json', NEWER), env: {} });
    expect(ok.current().get('brand-new-model')).toBeDefined();
  });
});
