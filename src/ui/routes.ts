/**
 * @module ui/routes
 * The admin console at /ui: serves the built page (ui/dist/index.html, made by `npm run build` from
 * ui/src with Vite) and its hashed assets (ui/dist/assets/*). Static files hold no data (the page
 * reads the gateway's API with the key the user signs in with), so every route is kind 'public'.
 * Only files listed at registration can be served: a request path is a lookup key, never joined
 * onto a folder, so no path traversal is possible. Every response carries a strict
 * Content-Security-Policy. Also registers the console's read-only pricing tools when given the
 * deployments and the cost map (pricing-tools.ts).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import '../access/fastify-types.js';
import { GatewayError } from '../errors.js';
import { type PricingToolDeps, registerPricingTools } from './pricing-tools.js';

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
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/** Vite names built assets `name-<hash>.ext`: their content never changes under that name. */
const HASHED = /-[A-Za-z0-9_-]{8,}\.(?:js|css|svg|png)(?:\.map)?$/;

export interface UiFile {
  path: string;
  contentType: string;
}

export interface UiRouteOptions {
  /** The built console: index.html and assets/ (default: the package's ui/dist folder). */
  uiDir?: string;
  /** Deployments and cost map for /pricing/catalog and /pricing/calculate (absent: not registered). */
  pricing?: PricingToolDeps;
}

/** The package's ui/dist folder, from src/ui (tsx, tests) and from dist/ui (the built package) alike. */
export function defaultUiDir(): string {
  return fileURLToPath(new URL('../../ui/dist/', import.meta.url));
}

/** Every servable file under `assetsDir`, keyed by its '/'-separated relative path. */
export function listAssets(assetsDir: string): Map<string, UiFile> {
  const files = new Map<string, UiFile>();
  if (!existsSync(assetsDir)) return files;
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
  const page = async (_req: unknown, reply: FastifyReply) => {
    if (!existsSync(index.path)) {
      throw new GatewayError(
        'TG_ERR_NOT_FOUND',
        `The admin console is not built (${index.path} is missing): run \`npm run build\`.`,
      );
    }
    return send(reply, index, 'no-cache');
  };
  app.get('/ui', pub, page);
  app.get('/ui/', pub, page);
  app.get('/ui/assets/*', pub, async (req, reply) => {
    const name = (req.params as Record<string, string>)['*'] ?? '';
    const f = assets.get(name);
    if (!f) throw notFound(req.url);
    return send(reply, f, HASHED.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache');
  });
  if (opts.pricing) registerPricingTools(app, opts.pricing);
}
