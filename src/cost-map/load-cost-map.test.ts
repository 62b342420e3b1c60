import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MapServer, startMapServer } from '../../test/support/cost-map-server.js';
import { formatMoney, resolvePricing } from '../pricing/index.js';
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

let srv: MapServer;
beforeAll(async () => {
  srv = await startMapServer();
});
afterAll(async () => {
  await srv.close();
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
    srv.serve(NEWER);
    srv.lastModified = 'Wed, 01 Oct 2025 00:00:00 GMT';
    const loaded = await loadCostMap(srv.url);
    srv.lastModified = undefined;
    expect(loaded.catalog.source).toBe(srv.url);
    expect(loaded.catalog.snapshot).toBe('2025-10-01');
    expect(loaded.catalog.get('brand-new-model')).toBeDefined();
  });

  it('rejects malformed input with a reason', async () => {
    await expect(loadCostMap(file('bad.json', '{not json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadCostMap(file('arr.json', '[1,2]'))).rejects.toThrow(/JSON object/);
    await expect(loadCostMap(file('empty.json', '{}'))).rejects.toThrow(/no valid model entries/);
    await expect(loadCostMap(join(dir, 'missing.json'))).rejects.toThrow(/ENOENT/);
    await expect(loadCostMap(`${srv.base}/missing`)).rejects.toThrow(/HTTP 404/);
  });
});
