/**
 * @module scripts/build-ui
 * Builds the admin console (Preact + TypeScript under ui/) with Vite into ui/dist/, which the
 * gateway serves at /ui (src/ui/routes.ts). Run by `npm run build` (so by `npm start`'s prestart)
 * and by the test run's global setup (test/ui-build-setup.ts), so a clean clone never serves or
 * tests a missing or stale build. Skips the build when ui/dist was made from the same sources
 * (a sha256 of every source file, the lockfile and this script, kept in ui/dist/.build-hash).
 *
 * The output keeps the gateway's strict CSP: one hashed module script and one stylesheet, no
 * inline script or style, nothing inlined as data: URLs, nothing from another origin.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InlineConfig } from 'vite';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const UI_ROOT = join(repo, 'ui');
export const UI_DIST = join(UI_ROOT, 'dist');
const HASH_FILE = join(UI_DIST, '.build-hash');

/** The Vite configuration (kept here rather than in a vite.config file: one place, type-checked). */
export function viteConfig(): InlineConfig {
  return {
    configFile: false,
    root: UI_ROOT,
    base: '/ui/',
    publicDir: false,
    logLevel: 'warn',
    esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
    build: {
      outDir: UI_DIST,
      emptyOutDir: true,
      target: 'es2022',
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      cssCodeSplit: false,
      sourcemap: true,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 800,
    },
  };
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'dist' || e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(full, out);
    else if (!/\.test\.tsx?$/.test(e.name)) out.push(full);
  }
  return out;
}

/** sha256 of everything the bundle is made from. */
export function sourceHash(): string {
  const h = createHash('sha256');
  const files = [...sourceFiles(UI_ROOT), join(repo, 'package-lock.json'), fileURLToPath(import.meta.url)];
  for (const f of files.sort()) {
    h.update(relative(repo, f));
    h.update('\0');
    h.update(readFileSync(f));
    h.update('\0');
  }
  return h.digest('hex');
}

export function isUiBuildFresh(hash = sourceHash()): boolean {
  return (
    existsSync(join(UI_DIST, 'index.html')) &&
    existsSync(HASH_FILE) &&
    readFileSync(HASH_FILE, 'utf8') === hash
  );
}

/** Builds ui/dist unless it is already built from the current sources; returns whether it built. */
export async function ensureUiBuilt(opts: { force?: boolean } = {}): Promise<boolean> {
  const hash = sourceHash();
  if (!opts.force && isUiBuildFresh(hash)) return false;
  const { build } = await import('vite');
  await build(viteConfig());
  writeFileSync(HASH_FILE, hash);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const force = process.argv.includes('--force');
  ensureUiBuilt({ force }).then(
    (built) => {
      if (!process.argv.includes('--quiet'))
        console.log(built ? 'ui: built ui/dist' : 'ui: ui/dist is up to date');
    },
    (err) => {
      console.error(`ui: build failed: ${(err as Error).message}`);
      process.exit(1);
    },
  );
}
