/**
 * The layering docs/ARCHITECTURE.md promises, checked on the source: pricing/ imports nothing outside itself;
 * the lower layers (config, providers, router, access, ledger, reports, store, ui) never import gateway/,
 * cli/ or library/. Test files may reach across (to build fixtures); shipped code may not.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === '__fixtures__' ? [] : sources(p);
    return p.endsWith('.ts') && !p.endsWith('.test.ts') && !/test-(support|helpers)\.ts$/.test(p) ? [p] : [];
  });
}

/** The src/ top-level folder each relative import of `file` lands in. */
function importedAreas(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const areas: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, resolve(dirname(file), m[1]));
    areas.push(target.split('/')[0]);
  }
  return areas;
}

const area = (file: string) => relative(SRC, file).split('/')[0];

describe('layering', () => {
  const files = sources(SRC);

  it('pricing/ imports nothing outside itself', () => {
    const bad = files
      .filter((f) => area(f) === 'pricing')
      .flatMap((f) =>
        importedAreas(f)
          .filter((a) => a !== 'pricing')
          .map((a) => `${relative(SRC, f)} → ${a}`),
      );
    expect(bad).toEqual([]);
  });

  it('lower layers never import gateway/, cli/ or library/', () => {
    const lower = new Set([
      'config',
      'providers',
      'router',
      'access',
      'ledger',
      'reports',
      'store',
      'ui',
      'cost-map',
      'reprice',
    ]);
    const upper = new Set(['gateway', 'cli', 'library']);
    const bad = files
      .filter((f) => lower.has(area(f)))
      .flatMap((f) =>
        importedAreas(f)
          .filter((a) => upper.has(a))
          .map((a) => `${relative(SRC, f)} → ${a}`),
      );
    expect(bad).toEqual([]);
  });
});
