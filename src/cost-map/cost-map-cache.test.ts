import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readCachedMap, touchCachedMap, writeCachedMap } from './cost-map-cache.js';
import { sha256Text } from './parse-cost-map.js';

const root = mkdtempSync(join(tmpdir(), 'tollgate-map-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const URL_A = 'https://maps.example/a.json?token=secret';
const text = '{"m":{"input_cost_per_token":1e-6}}';
const meta = {
  source: 'https://maps.example/a.json[…]',
  locationSha256: sha256Text(URL_A),
  etag: '"abc"',
  fetchedAt: '2026-01-02T03:04:05.000Z',
  checkedAt: '2026-01-02T03:04:05.000Z',
  snapshot: '2026-01-02',
  sha256: sha256Text(text),
};

describe('cost map cache', () => {
  it('round-trips the text and meta, and never stores the configured URL itself', async () => {
    const dir = join(root, 'a');
    expect(await readCachedMap(dir, URL_A)).toEqual({ cached: null });
    await writeCachedMap(dir, { meta, text });
    expect(await readCachedMap(dir, URL_A)).toEqual({ cached: { meta, text } });
    expect(readFileSync(join(dir, 'meta.json'), 'utf8')).not.toContain('secret');
    await touchCachedMap(dir, { ...meta, checkedAt: '2026-01-03T00:00:00.000Z' });
    expect((await readCachedMap(dir, URL_A)).cached?.meta.checkedAt).toBe('2026-01-03T00:00:00.000Z');
  });

  it('is not used for another source, and ignored (with the reason) when it was damaged', async () => {
    const dir = join(root, 'b');
    await writeCachedMap(dir, { meta, text });
    expect(await readCachedMap(dir, 'https://maps.example/other.json')).toEqual({ cached: null });
    writeFileSync(join(dir, 'map.json'), '{"m":{"input_cost_per_token":9}}');
    expect(await readCachedMap(dir, URL_A)).toEqual({
      cached: null,
      problem: 'map.json does not match meta.json',
    });
    writeFileSync(join(dir, 'meta.json'), '{oops');
    expect((await readCachedMap(dir, URL_A)).problem).toMatch(/JSON/);
  });
});
