/**
 * @module providers/test-support
 * Helpers for provider tests (not shipped behaviour): a DeploymentConfig from a model string, and
 * round trips build → send with undici → parse / stream-decode, optionally re-splitting the
 * upstream text at arbitrary places.
 */
import { request } from 'undici';
import type { DeploymentConfig } from '../config/types.js';
import type {
  CallType,
  ParsedResponse,
  PreparedRequest,
  ProviderAdapter,
  StreamResult,
  UpstreamError,
} from './types.js';

export function deployment(model: string, over: Partial<DeploymentConfig> = {}): DeploymentConfig {
  const slash = model.indexOf('/');
  return {
    modelName: over.modelName ?? 'test-group',
    id: 'test-id',
    index: 0,
    provider: slash === -1 ? 'openai' : model.slice(0, slash),
    upstreamModel: slash === -1 ? model : model.slice(slash + 1),
    model,
    customPricing: {},
    extraParams: {},
    modelInfo: {},
    ...over,
  };
}

export async function send(p: PreparedRequest): Promise<{ status: number; text: string }> {
  const res = await request(p.url, { method: p.method, headers: p.headers, body: p.body });
  return { status: res.statusCode, text: await res.body.text() };
}

export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly parsed: UpstreamError,
    readonly bodyText: string,
  ) {
    super(`HTTP ${status}: ${parsed.message}`);
  }
}

export async function roundTrip(
  adapter: ProviderAdapter,
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
): Promise<ParsedResponse & { request: PreparedRequest }> {
  const prepared = adapter.buildRequest(callType, body, d, false);
  const { status, text } = await send(prepared);
  if (status >= 400) throw new UpstreamHttpError(status, adapter.parseError(status, text), text);
  return { ...adapter.parseResponse(callType, JSON.parse(text), d), request: prepared };
}

export interface StreamTrip {
  /** Raw upstream text. */
  raw: string;
  /** Everything the decoder emitted (push outputs + tail). */
  out: string;
  result: StreamResult;
}

/** Feeds `raw` to a fresh decoder in the pieces given by `split`. */
export function decode(
  adapter: ProviderAdapter,
  callType: CallType,
  d: DeploymentConfig,
  pieces: string[],
): StreamTrip {
  const dec = adapter.createStreamDecoder(callType, d);
  let out = '';
  for (const p of pieces) out += dec.push(p);
  const result = dec.finish();
  return { raw: pieces.join(''), out: out + result.tail, result };
}

export async function streamRoundTrip(
  adapter: ProviderAdapter,
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
): Promise<StreamTrip & { request: PreparedRequest }> {
  const prepared = adapter.buildRequest(callType, body, d, true);
  const res = await request(prepared.url, {
    method: prepared.method,
    headers: prepared.headers,
    body: prepared.body,
  });
  if (res.statusCode >= 400) {
    const text = await res.body.text();
    throw new UpstreamHttpError(res.statusCode, adapter.parseError(res.statusCode, text), text);
  }
  const dec = adapter.createStreamDecoder(callType, d);
  const td = new TextDecoder();
  let raw = '';
  let out = '';
  try {
    for await (const chunk of res.body) {
      const text = td.decode(chunk as Buffer, { stream: true });
      raw += text;
      out += dec.push(text);
    }
  } catch {
    // connection cut by the upstream: keep what arrived
  }
  const result = dec.finish();
  return { raw, out: out + result.tail, result, request: prepared };
}

/** Splits text at the given cut points (sorted, deduplicated, within bounds). */
export function splitAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(text.length, c))))].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(text.slice(prev, p));
    prev = p;
  }
  out.push(text.slice(prev));
  return out;
}

/** Parses client-facing SSE text into its data payloads (JSON where possible). */
export function sseDataPayloads(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((e) =>
      e
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n'),
    )
    .filter((d) => d !== '')
    .map((d) => {
      try {
        return JSON.parse(d);
      } catch {
        return d;
      }
    });
}
