/**
 * @module cost-map/read-cost-map-source
 * Raw text of a cost map from a file path, `file://` URL or http(s) URL. HTTP requests are conditional
 * (`If-None-Match` / `If-Modified-Since` from the last good copy), time-limited, and the body is counted
 * while it streams so an endless or huge response is cut at `maxBytes` instead of filling memory.
 * Throws with a short, readable reason; never logs.
 */
import { readFile, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { displayLocation } from './cost-map-source.js';

export interface ReadOptions {
  /** Whole-request timeout in ms, body included (default 5 s, LiteLLM's). */
  timeoutMs?: number;
  /** Largest accepted map in bytes (default 64 MiB; LiteLLM's map is ~1.5 MB). */
  maxBytes?: number;
  /** Injected for tests. */
  fetch?: typeof fetch;
  /** Aborts an HTTP request in flight (gateway shutdown). */
  signal?: AbortSignal;
}

export interface Validators {
  etag?: string;
  lastModified?: string;
}

export type SourceRead =
  | { status: 'not-modified' }
  | {
      status: 'ok';
      text: string;
      /** Last-Modified (HTTP) or mtime (file), when known. */
      modifiedAt: Date | null;
      etag?: string;
      lastModified?: string;
    };

export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export async function readCostMapSource(
  location: string,
  validators: Validators = {},
  opts: ReadOptions = {},
): Promise<SourceRead> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isUrl(location)) {
    const path = location.startsWith('file:') ? fileURLToPath(location) : location;
    const st = await stat(path);
    if (st.size > maxBytes) throw new Error(`larger than ${maxBytes} bytes`);
    return { status: 'ok', text: await readFile(path, 'utf8'), modifiedAt: st.mtime };
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (validators.etag) headers['if-none-match'] = validators.etag;
  if (validators.lastModified) headers['if-modified-since'] = validators.lastModified;
  try {
    const res = await (opts.fetch ?? fetch)(location, { headers, signal, redirect: 'follow' });
    if (res.status === 304) {
      await res.body?.cancel();
      return { status: 'not-modified' };
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
    }
    const declared = Number(res.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await res.body?.cancel();
      throw new Error(`larger than ${maxBytes} bytes (Content-Length ${declared})`);
    }
    const text = await readCapped(res, maxBytes);
    const lastModified = res.headers.get('last-modified') ?? undefined;
    const parsed = lastModified ? Date.parse(lastModified) : Number.NaN;
    return {
      status: 'ok',
      text,
      modifiedAt: Number.isNaN(parsed) ? null : new Date(parsed),
      etag: res.headers.get('etag') ?? undefined,
      lastModified,
    };
  } catch (err) {
    if (timeout.aborted) throw new Error(`timed out after ${timeoutMs} ms`);
    if (opts.signal?.aborted) throw new Error('aborted');
    // Some messages quote the URL (`Failed to parse URL from …`): never with its credentials.
    throw new Error(networkReason(err).replaceAll(location, displayLocation(location)));
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new Error(`larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

/** undici's `fetch failed` hides the useful part (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function networkReason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause?.code ?? e.cause?.message;
  return cause && e.message === 'fetch failed' ? `unreachable (${cause})` : e.message;
}
