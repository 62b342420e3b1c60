/**
 * The /ui routes on a bare Fastify app with the real auth hook: public kind (no key needed),
 * content types, the Content-Security-Policy, caching of hashed assets, a clear answer when the
 * console is not built, and no path traversal. Reads the real build (ui/dist, made by the test
 * run's global setup).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteKind } from '../access/types.js';
import { GatewayError } from '../errors.js';
import { installAuth } from '../gateway/auth-hook.js';
import { installErrorHandling } from '../gateway/error-handler.js';
import { logger } from '../logger.js';
import { defaultUiDir, listAssets, registerUiRoutes, UI_CSP } from './routes.js';

let app: FastifyInstance;
const kinds: Record<string, RouteKind> = {};

beforeAll(async () => {
  app = Fastify({ logger: false });
  installErrorHandling(app, logger);
  // An authorizer that refuses everyone: only 'public' routes get through (the hook skips them).
  installAuth(app, {
    authenticate: () => {
      throw new GatewayError('TG_ERR_NO_KEY', 'no key');
    },
    authorizeRoute: () => {},
  });
  app.addHook('onRoute', (r) => {
    kinds[`${r.method} ${r.url}`] = (r.config as { kind?: RouteKind } | undefined)?.kind ?? 'admin';
  });
  registerUiRoutes(app);
  await app.ready();
});
afterAll(async () => {
  await app?.close();
});

const get = (url: string) => app.inject({ method: 'GET', url });

/** The built bundle's hashed file name (index-<hash>.js). */
function bundleName(): string {
  const name = [...listAssets(join(defaultUiDir(), 'assets')).keys()].find((n) =>
    /^index-[\w-]+\.js$/.test(n),
  );
  if (!name) throw new Error('ui/dist has no bundle: the global setup should have built it (npm run build)');
  return name;
}

describe('/ui routes', () => {
  it('declare kind public', () => {
    const ui = Object.entries(kinds).filter(([k]) => k.startsWith('GET /ui'));
    expect(ui.map(([k]) => k).sort()).toEqual(['GET /ui', 'GET /ui/', 'GET /ui/assets/*']);
    for (const [, kind] of ui) expect(kind).toBe('public');
  });

  it('serves the page at /ui and /ui/ without a key, with a strict CSP', async () => {
    for (const url of ['/ui', '/ui/']) {
      const res = await get(url);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(readFileSync(join(defaultUiDir(), 'index.html'), 'utf8'));
    }
    expect(UI_CSP).toContain("script-src 'self'");
    expect(UI_CSP).not.toContain('unsafe-inline');
    expect(UI_CSP).not.toContain('unsafe-eval');
  });

  it('the page has no inline scripts, styles or event handlers (the CSP would block them)', async () => {
    const html = (await get('/ui')).body;
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(1); // the one hashed bundle
    for (const m of scripts) {
      expect(m[1]).toMatch(/\ssrc="\/ui\/assets\/index-[\w-]+\.js"/);
      expect(m[2].trim()).toBe('');
    }
    expect(html).toMatch(/<link rel="stylesheet"[^>]* href="\/ui\/assets\/[\w-]+\.css"/);
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers HEAD like GET, without a key', async () => {
    const res = await app.inject({ method: 'HEAD', url: `/ui/assets/${bundleName()}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(UI_CSP);
  });

  it('serves every asset with its content type', async () => {
    const assets = listAssets(join(defaultUiDir(), 'assets'));
    const names = [...assets.keys()];
    expect(names.some((n) => /^index-[\w-]+\.js$/.test(n))).toBe(true);
    expect(names.some((n) => n.endsWith('.css'))).toBe(true);
    for (const [name, f] of assets) {
      const res = await get(`/ui/assets/${name}`);
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toBe(f.contentType);
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      // Hashed names never change content: cached for a year; the page itself is revalidated.
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.body).toBe(readFileSync(f.path, 'utf8'));
    }
    expect((await get('/ui')).headers['cache-control']).toBe('no-cache');
  });

  it('the bundle is self-contained: no other origin, no eval, no inline style injection', () => {
    const js = readFileSync(join(defaultUiDir(), 'assets', bundleName()), 'utf8');
    expect(js).not.toMatch(/\beval\(|new Function\(/);
    expect(js).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^\s"'`]*\.(js|css|woff2?)/i);
  });

  it('says how to build the console when ui/dist is missing', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'tollgate-ui-empty-'));
    const bare = Fastify({ logger: false });
    installErrorHandling(bare, logger);
    registerUiRoutes(bare, { uiDir: empty });
    const res = await bare.inject({ method: 'GET', url: '/ui' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('npm run build');
    expect((await bare.inject({ method: 'GET', url: '/ui/assets/index.js' })).statusCode).toBe(404);
    await bare.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('answers unknown assets with an OpenAI-shaped 404', async () => {
    const res = await get('/ui/assets/nope.js');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { type: 'not_found_error', code: 'not_found' } });
  });

  it('never serves files outside ui/assets (path traversal)', async () => {
    const pkg = readFileSync(join(defaultUiDir(), '..', '..', 'package.json'), 'utf8');
    const attempts = [
      '/ui/assets/../../package.json',
      '/ui/assets/..%2f..%2fpackage.json',
      '/ui/assets/%2e%2e/%2e%2e/package.json',
      '/ui/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/ui/assets/..%5c..%5cpackage.json',
      '/ui/assets/../index.html',
      '/ui/assets/%2e%2e/index.html',
      '/ui/assets//etc/passwd',
      '/ui/assets/%2fetc%2fpasswd',
      '/ui/assets/index.js%00.css',
      '/ui/assets/./index.js/..',
      '/ui/assets/..%2f.build-hash',
      '/ui/assets/../.build-hash',
      '/ui/assets/../../src/ui/routes.ts',
    ];
    for (const url of attempts) {
      const res = await get(url);
      expect(res.statusCode, url).not.toBe(200);
      expect(res.body, url).not.toContain('"name": "tollgate"');
      expect(res.body, url).not.toContain('root:');
      expect(res.body).not.toBe(pkg);
    }
  });
});
