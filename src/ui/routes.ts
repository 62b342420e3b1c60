/**
 * @module ui/routes
 * The usage dashboard at /ui: serves the static page (ui/index.html), its assets (ui/assets/*) and
 * chart.js from node_modules. Static files hold no data (the page reads spend through the spend
 * API with the key the user signs in with), so every route is kind 'public'. Only files listed at
 * registration can be served: a request path is a lookup key, never joined onto a folder, so no
 * path traversal is possible. Every response carries a strict Content-Security-Policy.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import '../access/fastify-types.js';
import { GatewayError } from '../errors.js';

/** No inline script or style, nothing from other origins; the API is same-origin. */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export interface UiFile {
  path: string;
  contentType: string;
}

export interface UiRouteOptions {
  /** Folder holding index.html and assets/ (default: the package's ui/ folder). */
  uiDir?: string;
  /** chart.umd.min.js (default: resolved from node_modules). */
  chartJsPath?: string;
}

/** The package's ui/ folder, from src/ui (tsx, tests) and from dist/ui (the built package) alike. */
export function defaultUiDir(): string {
  return fileURLToPath(new URL('../../ui/', import.meta.url));
}

/**
 * chart.js's UMD build. The package's `exports` map does not list dist/chart.umd.min.js, so resolve
 * the package entry (dist/chart.cjs) and take the file next to it.
 */
export function defaultChartJsPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
}

/** Every servable file under `assetsDir`, keyed by its '/'-separated relative path. */
export function listAssets(assetsDir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(full, `${prefix}${entry.name}/`);
        continue;
      }
      const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
      if (entry.isFile() && contentType) files.set(`${prefix}${entry.name}`, { path: full, contentType });
    }
  };
  walk(assetsDir, '');
  return files;
}

function notFound(url: string): GatewayError {
  return new GatewayError('TG_ERR_NOT_FOUND', `Route not found: GET ${url.split('?')[0]}`);
}

export function registerUiRoutes(app: FastifyInstance, opts: UiRouteOptions = {}): void {
  const uiDir = opts.uiDir ?? defaultUiDir();
  const index: UiFile = { path: join(uiDir, 'index.html'), contentType: CONTENT_TYPES['.html'] };
  const assets = listAssets(join(uiDir, 'assets'));
  let chartJs: UiFile | null = null;
  try {
    chartJs = { path: opts.chartJsPath ?? defaultChartJsPath(), contentType: CONTENT_TYPES['.js'] };
    statSync(chartJs.path);
  } catch {
    chartJs = null; // answered with a clear 404 below; the page says the chart library is missing
  }
  // Files are small: read once, on first use.
  const cache = new Map<string, Buffer>();
  const read = (f: UiFile) => {
    let body = cache.get(f.path);
    if (!body) {
      body = readFileSync(f.path);
      cache.set(f.path, body);
    }
    return body;
  };
  const send = (reply: FastifyReply, f: UiFile, cacheControl: string) =>
    reply
      .type(f.contentType)
      .header('content-security-policy', UI_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('x-frame-options', 'DENY')
      .header('cache-control', cacheControl)
      .send(read(f));

  const pub = { config: { kind: 'public' as const } };
  const page = async (_req: unknown, reply: FastifyReply) => send(reply, index, 'no-cache');
  app.get('/ui', pub, page);
  app.get('/ui/', pub, page);
  app.get('/ui/assets/*', pub, async (req, reply) => {
    const name = (req.params as Record<string, string>)['*'] ?? '';
    const f = assets.get(name);
    if (!f) throw notFound(req.url);
    return send(reply, f, 'no-cache');
  });
  app.get('/ui/vendor/chart.umd.min.js', pub, async (_req, reply) => {
    if (!chartJs) {
      throw new GatewayError(
        'TG_ERR_NOT_FOUND',
        'chart.js is not installed next to the gateway (npm install chart.js): the dashboard cannot draw charts.',
      );
    }
    return send(reply, chartJs, 'public, max-age=86400');
  });
}
