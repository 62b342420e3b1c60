/**
 * npm run catalog:update adds a dated delta snapshot and never rewrites history (run on a copy of a tiny
 * catalog folder, never on the package's own).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'tollgate-catalog-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BASE = {
  'm-a': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 0.000001,
    output_cost_per_token: 0.000002,
  },
  'm-b': {
    litellm_provider: 'openai',
    mode: 'chat',
    input_cost_per_token: 0.00001,
    output_cost_per_token: 0.00002,
  },
};
writeFileSync(join(dir, 'builtin.json'), JSON.stringify(BASE));
writeFileSync(join(dir, 'builtin-meta.json'), JSON.stringify({ snapshot: '2025-11-21', entries: 2 }));
const run = (input: object, date: string) => {
  const file = join(dir, `in-${date}.json`);
  writeFileSync(file, JSON.stringify(input));
  try {
    return {
      code: 0,
      out: execFileSync(
        process.execPath,
        ['--import', 'tsx', resolve('scripts/catalog-update.ts'), file, '--date', date, '--catalog-dir', dir],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    };
  } catch (err) {
    const e = err as { status: number; stderr: string; stdout: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
};

describe('catalog:update', () => {
  it('writes only the changed entries as a new dated snapshot; builtin.json untouched', () => {
    const next = { 'm-a': { ...BASE['m-a'], input_cost_per_token: 0.000003 }, 'm-c': BASE['m-b'] };
    const r = run(next, '2026-01-05');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/~ m-a input_cost_per_token: 0\.000001 → 0\.000003/);
    const delta = JSON.parse(readFileSync(join(dir, 'snapshots/2026-01-05.json'), 'utf8'));
    expect(Object.keys(delta.changed).sort()).toEqual(['m-a', 'm-c']);
    expect(delta.removed).toEqual(['m-b']);
    expect(JSON.parse(readFileSync(join(dir, 'builtin.json'), 'utf8'))).toEqual(BASE);
    const meta = JSON.parse(readFileSync(join(dir, 'builtin-meta.json'), 'utf8'));
    expect(meta.snapshots).toMatchObject([
      { date: '2026-01-05', file: 'snapshots/2026-01-05.json', changed: 2, removed: 1 },
    ]);
  });

  it('refuses a date that is not after the latest snapshot, and writes nothing when nothing changed', () => {
    expect(run(BASE, '2026-01-05').code).toBe(1);
    const same = { 'm-a': { ...BASE['m-a'], input_cost_per_token: 0.000003 }, 'm-c': BASE['m-b'] };
    const r = run(same, '2026-02-01');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/nothing written/);
  });
});
