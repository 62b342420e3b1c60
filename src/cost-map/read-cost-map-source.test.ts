import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPortUrl, type MapServer, startMapServer } from '../../test/support/cost-map-server.js';
import { readCostMapSource } from './read-cost-map-source.js';

let srv: MapServer;
let chunked: Server;
let chunkedUrl: string;
const dir = mkdtempSync(join(tmpdir(), 'tollgate-read-map-'));
beforeAll(async () => {
  srv = await startMapServer();
  // A body without Content-Length that goes on past any limit.
  chunked = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"a":"');
    res.end('x'.repeat(5000));
  });
  await new Promise<void>((r) => chunked.listen(0, '127.0.0.1', r));
  chunkedUrl = `http://127.0.0.1:${(chunked.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await srv.close();
  chunked.closeAllConnections();
  await new Promise<void>((r) => chunked.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

describe('readCostMapSource', () => {
  it('GETs the map with its ETag; the same ETag back gets 304 → not-modified', async () => {
    srv.mode = 'map';
    srv.serve({ m: { input_cost_per_token: 1e-6 } });
    const first = await readCostMapSource(srv.url);
    expect(first.status).toBe('ok');
    if (first.status !== 'ok') return;
    expect(JSON.parse(first.text)).toEqual({ m: { input_cost_per_token: 1e-6 } });
    expect(first.etag).toMatch(/^"[0-9a-f]{16}"$/);
    const again = await readCostMapSource(srv.url, { etag: first.etag });
    expect(again).toEqual({ status: 'not-modified' });
    expect(srv.requests.at(-1)?.headers['if-none-match']).toBe(first.etag);
    srv.serve({ m: { input_cost_per_token: 2e-6 } });
    expect((await readCostMapSource(srv.url, { etag: first.etag })).status).toBe('ok');
  });

  it('sends If-Modified-Since when the last copy had Last-Modified', async () => {
    await readCostMapSource(srv.url, { lastModified: 'Wed, 01 Oct 2025 00:00:00 GMT' });
    expect(srv.requests.at(-1)?.headers['if-modified-since']).toBe('Wed, 01 Oct 2025 00:00:00 GMT');
  });

  it('HTTP errors, a slow upstream and an unreachable one fail with a short reason', async () => {
    srv.mode = 'error500';
    await expect(readCostMapSource(srv.url)).rejects.toThrow('HTTP 500 Internal Server Error');
    srv.mode = 'hang';
    await expect(readCostMapSource(srv.url, {}, { timeoutMs: 50 })).rejects.toThrow('timed out after 50 ms');
    srv.mode = 'map';
    await expect(readCostMapSource(await closedPortUrl())).rejects.toThrow('unreachable (ECONNREFUSED)');
    await expect(readCostMapSource(`${srv.base}/other.json`)).rejects.toThrow('HTTP 404');
  });

  it('never repeats credentials of the URL in its reasons', async () => {
    const bad = 'https://user:s3cret@[::1/map.json?sig=s3cret';
    const err = await readCostMapSource(bad).catch((e: Error) => e);
    expect(String(err)).not.toContain('s3cret');
  });

  it('aborts when the caller aborts (gateway shutdown)', async () => {
    srv.mode = 'hang';
    const ac = new AbortController();
    const p = readCostMapSource(srv.url, {}, { signal: ac.signal, timeoutMs: 60_000 });
    ac.abort();
    await expect(p).rejects.toThrow('aborted');
    srv.mode = 'map';
  });

  it('cuts a body larger than maxBytes, with or without Content-Length', async () => {
    srv.serve({ m: { note: 'y'.repeat(500) } });
    await expect(readCostMapSource(srv.url, {}, { maxBytes: 100 })).rejects.toThrow(/larger than 100 bytes/);
    await expect(readCostMapSource(chunkedUrl, {}, { maxBytes: 1000 })).rejects.toThrow(
      /^larger than 1000 bytes$/,
    );
  });

  it('reads files by path or file:// URL, dated by their mtime', async () => {
    const p = join(dir, 'm.json');
    writeFileSync(p, '{"a":{}}');
    const byPath = await readCostMapSource(p);
    const byUrl = await readCostMapSource(pathToFileURL(p).href);
    expect(byPath).toMatchObject({ status: 'ok', text: '{"a":{}}' });
    expect(byUrl).toMatchObject({ status: 'ok', text: '{"a":{}}' });
    await expect(readCostMapSource(p, {}, { maxBytes: 3 })).rejects.toThrow(/larger than 3 bytes/);
    await expect(readCostMapSource(join(dir, 'none.json'))).rejects.toThrow(/ENOENT/);
  });
});
