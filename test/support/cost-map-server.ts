/**
 * A local HTTP server that serves LiteLLM-format cost maps the way raw.githubusercontent.com does
 * (ETag, conditional GET → 304), for cost-map tests; no test reaches the internet. Each request is
 * recorded; `hold()` keeps answers back until released (a slow upstream), `mode` switches to broken ones.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sha256Text } from '../../src/cost-map/parse-cost-map.js';

export type ServeMode = 'map' | 'html' | 'error500' | 'hang';

export interface MapServer {
  /** URL of the map (`/model_prices_and_context_window.json`). */
  url: string;
  base: string;
  requests: Array<{ url: string; headers: IncomingHttpHeaders }>;
  /** Sets the served map (object → JSON text; the ETag is its sha256, as a strong validator). */
  serve(map: Record<string, unknown> | string): void;
  mode: ServeMode;
  /** Sent as Last-Modified when set. */
  lastModified?: string;
  /** Answers wait until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

const PATH = '/model_prices_and_context_window.json';

export async function startMapServer(): Promise<MapServer> {
  let text = '{}';
  let etag = '""';
  let gate: Promise<void> | null = null;
  const requests: MapServer['requests'] = [];
  const server: Server = createServer(async (req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    if (gate) await gate;
    if (req.url !== PATH) {
      res.writeHead(404).end('not found');
      return;
    }
    if (s.mode === 'hang') return; // never answers: the client's timeout must end it
    if (s.mode === 'error500') {
      res.writeHead(500).end('upstream broke');
      return;
    }
    if (s.mode === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>rate limited</html>');
      return;
    }
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag }).end();
      return;
    }
    const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8', etag };
    if (s.lastModified) headers['last-modified'] = s.lastModified;
    res.writeHead(200, headers).end(text);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s: MapServer = {
    url: `${base}${PATH}`,
    base,
    requests,
    mode: 'map',
    serve(map) {
      text = typeof map === 'string' ? map : JSON.stringify(map);
      etag = `"${sha256Text(text).slice(0, 16)}"`;
    },
    hold() {
      let release = () => {};
      gate = new Promise<void>((r) => {
        release = () => {
          gate = null;
          r();
        };
      });
      return release;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return s;
}

/** A port nothing listens on (bound, then closed): connecting to it is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return `http://127.0.0.1:${port}${PATH}`;
}

/** The built-in catalog's entries as a mutable LiteLLM map (a realistic full-size public map). */
export function builtinMap(): Record<string, Record<string, unknown>> {
  const file = join(import.meta.dirname, '../../src/pricing/catalog/builtin.json');
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, unknown>>;
}
