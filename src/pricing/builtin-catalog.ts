/**
 * @module pricing/builtin-catalog
 * The built-in catalog shipped with the package (src/pricing/catalog/builtin.json, generated from
 * LiteLLM's model cost map by `npm run catalog:update`). Loaded through require(), no fs: from src/ (tsx,
 * vitest) the JSON sits next to this file; from dist/pricing/ it is read from the package's
 * src/pricing/catalog/ (listed in package.json "files"), so the build needs no copy step.
 */
import { createRequire } from 'node:module';
import { type Catalog, parseCatalog } from './catalog.js';

export interface BuiltinMeta {
  source: string;
  upstream: string;
  upstreamCommit: string | null;
  snapshot: string;
  sha256: string;
  bytes: number;
  entries: number;
}

const req = createRequire(import.meta.url);
const CANDIDATE_DIRS = ['./catalog/', '../../src/pricing/catalog/'];

function load(file: string): unknown {
  let lastErr: unknown;
  for (const dir of CANDIDATE_DIRS) {
    try {
      return req(`${dir}${file}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
      lastErr = err;
    }
  }
  throw new Error(`built-in price catalog ${file} not found: ${(lastErr as Error).message}`);
}

let meta: BuiltinMeta | undefined;
let catalog: Catalog | undefined;

export function builtinCatalogMeta(): BuiltinMeta {
  meta ??= load('builtin-meta.json') as BuiltinMeta;
  return meta;
}

/** The built-in catalog (cached singleton). */
export function builtinCatalog(): Catalog {
  if (!catalog) {
    const m = builtinCatalogMeta();
    const commit = m.upstreamCommit ? `@${m.upstreamCommit.slice(0, 8)}` : '';
    catalog = parseCatalog(load('builtin.json'), {
      source: `builtin:litellm${commit}`,
      snapshot: m.snapshot,
    }).catalog;
  }
  return catalog;
}
