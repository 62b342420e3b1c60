/**
 * The /ui routes on a bare Fastify app with the real auth hook: public kind (no key needed),
 * content types, the Content-Security-Policy, chart.js from node_modules, and no path traversal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteKind } from '../access/types.js';
import { GatewayError } from '../errors.js';
import { installAuth } from '../gateway/auth-hook.js';
import { installErrorHandling } from '../gateway/error-handler.js';
import { logger } from '../logger.js';
import { defaultChartJsPath, defaultUiDir, listAssets, registerUiRoutes, UI_CSP } from './routes.js';

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

describe('/ui routes', () => {
  it('declare kind public', () => {
    const ui = Object.entries(kinds).filter(([k]) => k.startsWith('GET /ui'));
    expect(ui.map(([k]) => k).sort()).toEqual([
      'GET /ui',
      'GET /ui/',
      'GET /ui/assets/*',
      'GET /ui/vendor/chart.umd.min.js',
    ]);
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
    for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
      expect(m[1]).toMatch(/\ssrc="\/ui\//);
      expect(m[2].trim()).toBe('');
    }
    expect(html).not.toMatch(/<style\b/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('answers HEAD like GET, without a key', async () => {
    const res = await app.inject({ method: 'HEAD', url: '/ui/assets/app.js' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(UI_CSP);
  });

  it('serves every asset with its content type', async () => {
    const assets = listAssets(join(defaultUiDir(), 'assets'));
    expect([...assets.keys()]).toEqual(expect.arrayContaining(['app.js', 'api.js', 'json.js', 'style.css']));
    for (const [name, f] of assets) {
      const res = await get(`/ui/assets/${name}`);
      expect(res.statusCode, name).toBe(200);
      expect(res.headers['content-type']).toBe(f.contentType);
      expect(res.headers['content-security-policy']).toBe(UI_CSP);
      expect(res.body).toBe(readFileSync(f.path, 'utf8'));
    }
    expect((await get('/ui/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await get('/ui/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it('serves chart.js from node_modules', async () => {
    const res = await get('/ui/vendor/chart.umd.min.js');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.body).toBe(readFileSync(defaultChartJsPath(), 'utf8'));
  });

  it('answers unknown assets with an OpenAI-shaped 404', async () => {
    const res = await get('/ui/assets/nope.js');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { type: 'not_found_error', code: 'not_found' } });
  });

  it('never serves files outside ui/assets (path traversal)', async () => {
    const pkg = readFileSync(join(defaultUiDir(), '..', 'package.json'), 'utf8');
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
      '/ui/assets/app.js%00.css',
      '/ui/assets/./app.js/..',
      '/ui/vendor/..%2f..%2fpackage.json',
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

  it('fails clearly when chart.js is missing', async () => {
    const bare = Fastify({ logger: false });
    installErrorHandling(bare, logger);
    registerUiRoutes(bare, { chartJsPath: '/nonexistent/chart.umd.min.js' });
    const res = await bare.inject({ method: 'GET', url: '/ui/vendor/chart.umd.min.js' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('chart.js is not installed');
    await bare.close();
  });
});
