/**
 * CostMapManager against a local map server (fresh, unchanged via ETag, invalid, slow, unreachable, truncated,
 * large change), the disk cache across restarts, and the refresh schedule. No request leaves 127.0.0.1: the
 * default source is LiteLLM's URL, which these tests redirect to the local server through an injected fetch.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  builtinMap,
  closedPortUrl,
  type MapServer,
  startMapServer,
} from '../../test/support/cost-map-server.js';
import { builtinCatalog, type Catalog, formatMoney, resolvePricing } from '../pricing/index.js';
import { CostMapManager, createCostMapManager } from './cost-map-manager.js';
import { costMapChecks, costMapLargeChanges } from './cost-map-metrics.js';
import { LITELLM_COST_MAP_URL } from './cost-map-source.js';
import type { CostMapManagerOptions } from './cost-map-types.js';

const root = mkdtempSync(join(tmpdir(), 'tollgate-costmap-mgr-'));
let n = 0;
const freshDir = () => join(root, `d${n++}`);
let srv: MapServer;
beforeAll(async () => {
  srv = await startMapServer();
});
afterEach(() => {
  srv.mode = 'map';
});
afterAll(async () => {
  await srv.close();
  rmSync(root, { recursive: true, force: true });
});

/** A fetch that refuses anything but 127.0.0.1, and sends LiteLLM's URL to `target` (recording it). */
function localFetch(target: string, seen: string[] = []): typeof fetch {
  return ((input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    seen.push(url);
    if (url === LITELLM_COST_MAP_URL) return fetch(target, init);
    if (!url.startsWith('http://127.0.0.1:')) throw new Error(`test tried the network: ${url}`);
    return fetch(url, init);
  }) as typeof fetch;
}

function logs() {
  const out = { warn: [] as string[], info: [] as string[], debug: [] as string[] };
  return {
    out,
    logger: {
      warn: (m: string) => out.warn.push(m),
      info: (m: string) => out.info.push(m),
      debug: (m: string) => out.debug.push(m),
    },
  };
}

let clock = new Date('2026-02-03T04:05:06Z');
const now = () => clock;

const priceOf = (c: Catalog, model: string, key = 'input_cost_per_token') =>
  formatMoney(resolvePricing({ name: 'x', model, provider: 'openai' }, c).prices[key]);

/** The public map as it might be tomorrow: gpt-4o cheaper, one new model. */
function tomorrowsMap() {
  const map = builtinMap();
  map['gpt-4o'] = { ...map['gpt-4o'], input_cost_per_token: 0.000002 };
  map['brand-new-model'] = {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 1e-7,
    output_cost_per_token: 2e-7,
  };
  return map;
}

async function checks(result: string): Promise<number> {
  const m = await costMapChecks.get();
  return m.values.find((v) => v.labels.result === result)?.value ?? 0;
}

const manager = (o: CostMapManagerOptions) => new CostMapManager({ now, fetch: localFetch(srv.url), ...o });

describe('CostMapManager: built-in only', () => {
  it('LITELLM_LOCAL_MODEL_COST_MAP=True or cost_map: builtin → no fetch, no cache, ever', async () => {
    const never = (() => {
      throw new Error('must not fetch');
    }) as unknown as typeof fetch;
    for (const o of [
      { env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, location: srv.url },
      { env: {}, location: 'builtin' },
      { env: { TOLLGATE_COST_MAP: 'builtin' } },
    ]) {
      const m = new CostMapManager({ ...o, fetch: never, cacheDir: freshDir() });
      expect(await m.loadLocal()).toEqual({ ok: true, warnings: [], changed: false });
      expect(await m.start()).toEqual({ ok: true, warnings: [], changed: false });
      expect(await m.reload()).toEqual({ ok: true, warnings: [], changed: false });
      expect(m.current()).toBe(builtinCatalog());
      expect(m.location()).toBeNull();
      m.stop();
    }
  });
});

describe('CostMapManager: the public map by default', () => {
  const cacheDir = freshDir();

  it('fresh: serves the built-in catalog until the background fetch lands, then swaps once', async () => {
    srv.serve(tomorrowsMap());
    const seen: string[] = [];
    const adopted: Catalog[] = [];
    const { out, logger } = logs();
    const m = manager({
      env: {},
      cacheDir,
      logger,
      fetch: localFetch(srv.url, seen),
      adopt: (next) => {
        adopted.push(next);
        return [];
      },
    });
    expect(await m.loadLocal()).toMatchObject({ changed: false }); // nothing cached yet
    const applied = await checks('applied');
    const first = m.start();
    expect(m.current()).toBe(builtinCatalog()); // ready and pricing before the fetch completes
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.0000025');
    expect(await first).toEqual({
      ok: true,
      warnings: [],
      changed: true,
      summary: '+1 models, -0 models, 1 prices changed in 1 models',
      large: false,
    });
    m.stop();
    expect(seen).toEqual([LITELLM_COST_MAP_URL]);
    expect(adopted).toEqual([m.current()]);
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.000002');
    expect(m.current().get('brand-new-model')).toBeDefined();
    expect(m.current()).toMatchObject({ source: LITELLM_COST_MAP_URL, snapshot: '2026-02-03' });
    expect(m.state().origin).toBe('fetched');
    expect(m.lastChange()?.diff.priceChanges).toEqual([
      { model: 'gpt-4o', key: 'input_cost_per_token', before: '0.0000025', after: '0.000002' },
    ]);
    expect(out.info).toContain(
      `price catalog updated: ${LITELLM_COST_MAP_URL} (snapshot 2026-02-03): +1 models, -0 models, 1 prices changed in 1 models`,
    );
    expect(out.warn).toEqual([]);
    expect(await checks('applied')).toBe(applied + 1);
    const meta = JSON.parse(readFileSync(join(cacheDir, 'meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      source: LITELLM_COST_MAP_URL,
      etag: expect.stringMatching(/^"[0-9a-f]{16}"$/),
      fetchedAt: '2026-02-03T04:05:06.000Z',
      checkedAt: '2026-02-03T04:05:06.000Z',
      snapshot: '2026-02-03',
    });
    expect(readFileSync(join(cacheDir, 'last-change.txt'), 'utf8')).toContain(
      '~ gpt-4o input_cost_per_token: 0.0000025 → 0.000002',
    );
  });

  it('restart: the cached copy serves at once, then the check is conditional (ETag) and changes nothing', async () => {
    clock = new Date('2026-02-04T00:00:00Z');
    const adopted: Catalog[] = [];
    const m = manager({
      env: {},
      cacheDir,
      adopt: (next) => {
        adopted.push(next);
        return [];
      },
    });
    const before = srv.requests.length;
    expect(await m.loadLocal()).toMatchObject({ ok: true, changed: true });
    expect(srv.requests.length).toBe(before); // no network for the cached copy
    expect(m.state().origin).toBe('cache');
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.000002');
    expect(m.state().checkedAt?.toISOString()).toBe('2026-02-03T04:05:06.000Z');
    const unchanged = await checks('unchanged');
    expect(await m.start()).toEqual({ ok: true, warnings: [], changed: false });
    m.stop();
    const req = srv.requests.at(-1)!;
    expect(req.headers['if-none-match']).toMatch(/^"[0-9a-f]{16}"$/);
    expect(await checks('unchanged')).toBe(unchanged + 1);
    expect(adopted).toHaveLength(1); // the cached catalog only; a 304 re-resolves nothing
    expect(m.state().checkedAt?.toISOString()).toBe('2026-02-04T00:00:00.000Z');
    expect(m.state().fetchedAt?.toISOString()).toBe('2026-02-03T04:05:06.000Z');
    expect(m.lastChange()).toBeNull(); // the cached copy was the catalog before the restart
    expect(JSON.parse(readFileSync(join(cacheDir, 'meta.json'), 'utf8')).checkedAt).toBe(
      '2026-02-04T00:00:00.000Z',
    );
  });

  it('restart without network: cached prices stay; the failure is one quiet info line', async () => {
    const { out, logger } = logs();
    const m = manager({ env: {}, cacheDir, logger, fetch: localFetch(await closedPortUrl()) });
    await m.loadLocal();
    const r = await m.start();
    expect(r.ok).toBe(false);
    expect(r.warnings[0]).toMatch(
      /^cost map https:\/\/raw\.githubusercontent\.com\/BerriAI\/litellm\/main\/model_prices_and_context_window\.json could not be loaded \(unreachable \(ECONNREFUSED\)\); keeping the current catalog \(https:.*, snapshot 2026-02-03\)$/,
    );
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.000002');
    expect(out.warn).toEqual([]);
    expect(out.info.filter((l) => l.includes('could not be loaded'))).toHaveLength(1);
    expect(out.info.at(-1)).toMatch(/; next try in 5 min$/);
    await m.refresh(); // same reason again: debug only
    m.stop();
    expect(out.info.filter((l) => l.includes('could not be loaded'))).toHaveLength(1);
    expect(out.debug.filter((l) => l.includes('could not be loaded'))).toHaveLength(1);
    expect(m.state().lastError?.message).toMatch(/ECONNREFUSED/);
  });

  it('slow upstream: the fetch times out, the built-in catalog serves meanwhile and after', async () => {
    srv.mode = 'hang';
    const { out, logger } = logs();
    const m = manager({ env: {}, cacheDir: freshDir(), logger, timeoutMs: 50 });
    await m.loadLocal();
    const r = await m.start();
    m.stop();
    expect(r.ok).toBe(false);
    expect(r.warnings[0]).toMatch(
      /could not be loaded \(timed out after 50 ms\); using the built-in catalog \(LiteLLM snapshot 2025-11-21, 1803 models\)$/,
    );
    expect(m.current()).toBe(builtinCatalog());
    expect(out.info).toHaveLength(1);
  });

  it('invalid upstream (HTML instead of JSON): keeps the catalog in use', async () => {
    const m = manager({ env: {}, cacheDir });
    await m.loadLocal();
    const inUse = m.current();
    srv.mode = 'html';
    srv.serve('<html>rate limited</html>'); // new ETag, so the server answers 200
    const failed = await checks('failed');
    const r = await m.refresh();
    m.stop();
    expect(r).toMatchObject({ ok: false, changed: false });
    expect(r.warnings[0]).toMatch(/could not be loaded \(not valid JSON: .*\); keeping the current catalog/);
    expect(m.current()).toBe(inUse);
    expect(await checks('failed')).toBe(failed + 1);
  });

  it('a truncated public map (under half the built-in models) is refused', async () => {
    const map = builtinMap();
    srv.serve(Object.fromEntries(Object.entries(map).slice(0, 100)));
    const { out, logger } = logs();
    const m = manager({ env: {}, cacheDir: freshDir(), logger });
    const refused = await checks('refused');
    const r = await m.refresh();
    expect(r.ok).toBe(false);
    expect(r.warnings[0]).toMatch(
      /refused: only 100 valid models, fewer than half of the built-in snapshot's 1803 \(a truncated file\?\); using the built-in catalog/,
    );
    expect(m.current()).toBe(builtinCatalog());
    expect(out.warn).toHaveLength(1);
    expect(await checks('refused')).toBe(refused + 1);
  });

  it('invalid entries keep the prices in use instead of dropping to the built-in or to nothing', async () => {
    const map = tomorrowsMap();
    srv.serve(map);
    const m = manager({ env: {}, cacheDir: freshDir() });
    await m.refresh();
    expect(priceOf(m.current(), 'brand-new-model')).toBe('0.0000001');
    map['brand-new-model'] = { ...map['brand-new-model'], input_cost_per_token: 'NaN' };
    map['gpt-4o'] = { ...map['gpt-4o'], output_cost_per_token: -1 };
    srv.serve(map);
    const r = await m.refresh();
    expect(r.ok).toBe(true);
    expect(r.warnings).toHaveLength(2);
    expect(priceOf(m.current(), 'brand-new-model')).toBe('0.0000001'); // not in the built-in: kept
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.000002'); // the fetched price in use, not the built-in 0.0000025
  });
});

describe('CostMapManager: changes', () => {
  it('a large change is applied with a warning listing it exactly; full list on disk and in lastChange', async () => {
    const map = builtinMap();
    const repriced = Object.keys(map)
      .filter(
        (k) => typeof map[k].input_cost_per_token === 'number' && map[k].input_cost_per_token !== 0.000123,
      )
      .sort()
      .slice(0, 30);
    for (const k of repriced) map[k] = { ...map[k], input_cost_per_token: 0.000123 };
    srv.serve(map);
    const cacheDir = freshDir();
    const { out, logger } = logs();
    const large = (await costMapLargeChanges.get()).values[0]?.value ?? 0;
    const m = manager({ env: { TOLLGATE_COST_MAP: srv.url }, cacheDir, logger });
    const r = await m.refresh();
    expect(r).toMatchObject({ ok: true, changed: true, large: true });
    expect(out.warn).toHaveLength(1);
    const lines = out.warn[0].split('\n');
    expect(lines[0]).toBe(
      `price catalog: large change applied (30 models re-priced or removed, threshold 25); full list in ${join(cacheDir, 'last-change.txt')} and GET /pricing/explain`,
    );
    const before = formatMoney(
      resolvePricing({ name: 'x', model: repriced[0], provider: 'openai' }, builtinCatalog()).prices
        .input_cost_per_token,
    );
    expect(lines).toContain(`  ~ ${repriced[0]} input_cost_per_token: ${before} → 0.000123`);
    expect(lines).toContain('  … and 10 more'); // the log shows 20 per section
    const full = readFileSync(join(cacheDir, 'last-change.txt'), 'utf8');
    for (const k of repriced) expect(full).toContain(`  ~ ${k} input_cost_per_token: `);
    expect(m.lastChange()).toMatchObject({ large: true, affectedModels: 30 });
    expect(m.lastChange()?.diff.priceChanges).toHaveLength(30);
    expect((await costMapLargeChanges.get()).values[0].value).toBe(large + 1);
  });

  it('a map the deployments cannot be priced with is refused; the catalog in use stays', async () => {
    srv.serve(tomorrowsMap());
    const cacheDir = freshDir();
    const m = manager({
      env: {},
      cacheDir,
      adopt: () => ['model_list[0] (x): base_model "y" is gone'],
    });
    const r = await m.refresh();
    expect(r.ok).toBe(false);
    expect(r.warnings[0]).toMatch(
      /refused: deployments cannot be priced with it \(model_list\[0\] \(x\): base_model "y" is gone\); using the built-in catalog/,
    );
    expect(m.current()).toBe(builtinCatalog());
    expect(existsSync(join(cacheDir, 'meta.json'))).toBe(false); // a refused map is not cached either
  });
});

describe('CostMapManager: file maps', () => {
  it('read at start; reload picks up an edit; a broken edit keeps the current catalog', async () => {
    const file = join(root, 'prices.json');
    const entry = (input: number) =>
      JSON.stringify({ 'gpt-4o': { litellm_provider: 'openai', mode: 'chat', input_cost_per_token: input } });
    writeFileSync(file, entry(0.001));
    const m = new CostMapManager({ location: file, env: {} });
    expect(await m.loadLocal()).toMatchObject({ ok: true, changed: true });
    expect(m.state().origin).toBe('file');
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.001');
    expect(m.current().get('claude-sonnet-4-5')).toBeDefined(); // the rest from the built-in
    expect((await m.reload()).changed).toBe(false);
    writeFileSync(file, entry(0.003));
    expect(await m.reload()).toMatchObject({ ok: true, changed: true, large: false });
    expect(m.lastChange()?.diff.priceChanges).toEqual([
      { model: 'gpt-4o', key: 'input_cost_per_token', before: '0.001', after: '0.003' },
    ]);
    writeFileSync(file, '{ not json');
    const broken = await m.reload();
    expect(broken.ok).toBe(false);
    expect(broken.warnings[0]).toMatch(
      /prices\.json could not be loaded \(not valid JSON.*keeping the current/,
    );
    expect(priceOf(m.current(), 'gpt-4o')).toBe('0.003');
  });

  it('createCostMapManager: a missing file → built-in, one warning, the catalog logged', async () => {
    const { out, logger } = logs();
    const m = await createCostMapManager({ source: join(root, 'absent.json'), env: {}, logger });
    expect(m.current()).toBe(builtinCatalog());
    expect(out.warn).toHaveLength(1);
    expect(out.warn[0]).toMatch(
      /cost map .*absent\.json could not be loaded \(ENOENT.*\); using the built-in catalog \(LiteLLM snapshot 2025-11-21/,
    );
    expect(out.info).toEqual(['price catalog: builtin:litellm@caddc6dd (snapshot 2025-11-21, 1803 models)']);
  });
});

describe('CostMapManager: refresh schedule', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks again after the interval; after a failure sooner (5 min, then 10…); stop() ends it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const text = JSON.stringify(tomorrowsMap());
    let fail = false;
    const calls: Array<string | null> = [];
    const fake = (async (_url: string, init?: RequestInit) => {
      calls.push(new Headers(init?.headers).get('if-none-match'));
      if (fail) throw new TypeError('fetch failed', { cause: { code: 'ENOTFOUND' } });
      if (calls.length > 1) return new Response(null, { status: 304, headers: { etag: '"v1"' } });
      return new Response(text, { status: 200, headers: { etag: '"v1"' } });
    }) as unknown as typeof fetch;
    const HOUR = 3_600_000;
    const MIN = 60_000;
    const m = new CostMapManager({ env: {}, fetch: fake, refreshIntervalMs: HOUR, now });
    expect((await m.start()).changed).toBe(true);
    expect(calls).toEqual([null]);
    await vi.advanceTimersByTimeAsync(HOUR - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([null, '"v1"']); // conditional
    fail = true;
    await vi.advanceTimersByTimeAsync(HOUR);
    expect(calls).toHaveLength(3);
    expect(m.state().lastError?.message).toMatch(/unreachable \(ENOTFOUND\)/);
    await vi.advanceTimersByTimeAsync(5 * MIN - 1);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(10 * MIN - 1);
    expect(calls).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(5);
    fail = false;
    await vi.advanceTimersByTimeAsync(20 * MIN);
    expect(calls).toHaveLength(6);
    expect(m.state().lastError).toBeNull();
    await vi.advanceTimersByTimeAsync(HOUR - 1); // back to the normal interval
    expect(calls).toHaveLength(6);
    m.stop();
    await vi.advanceTimersByTimeAsync(10 * HOUR);
    expect(calls).toHaveLength(6);
  });

  it('refresh interval 0: checked at start and on reload only', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    srv.serve(tomorrowsMap());
    const m = manager({ env: {}, refreshIntervalMs: 0 });
    const before = srv.requests.length;
    await m.start();
    await vi.advanceTimersByTimeAsync(30 * 24 * 3_600_000);
    expect(srv.requests.length).toBe(before + 1);
    expect(m.state().nextCheckAt).toBeNull();
    await m.reload();
    expect(srv.requests.length).toBe(before + 2);
    m.stop();
  });
});
