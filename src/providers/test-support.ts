/**
 * @module providers/test-support
 * Helpers for provider tests (not shipped: excluded from dist): a DeploymentConfig from a model string,
 * and round trips through a family exactly as the engine drives it — build → authorize → send with undici
 * → parse / stream-decode — optionally re-splitting the upstream bytes at arbitrary places.
 */
import { request } from 'undici';
import type { DeploymentConfig } from '../config/types.js';
import type { GatewayError } from '../errors.js';
import { emptyUsage, type Usage } from '../pricing/usage.js';
import type {
  CallInput,
  CallType,
  ParsedResponse,
  ProviderFamily,
  StreamFinal,
  StreamOutcome,
  UpstreamReply,
  UpstreamRequest,
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

export function input(
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
  stream = false,
  mockResponse?: string,
): CallInput {
  return { callType, body, deployment: d, stream, mockResponse };
}

/** The request a family would send (after its authorize step). */
export async function built(
  family: ProviderFamily,
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
  stream = false,
): Promise<UpstreamRequest> {
  const handler = family.endpoints[callType];
  if (!handler) throw new Error(`${family.name} has no ${callType} endpoint`);
  const req = handler.build(input(callType, body, d, stream));
  return family.authorize ? family.authorize(req, d) : req;
}

/** The body of a built request as JSON. */
export function jsonBody(req: UpstreamRequest): Record<string, unknown> {
  return JSON.parse(
    typeof req.body === 'string'
      ? req.body
      : new TextDecoder().decode(req.body instanceof Uint8Array ? req.body : new Uint8Array()),
  );
}

async function transport(
  family: ProviderFamily,
  req: UpstreamRequest,
  ci: CallInput,
): Promise<UpstreamReply> {
  if (family.send) return family.send(req, ci);
  const res = await request(req.url, {
    method: req.method,
    headers: req.headers,
    body: req.body ?? undefined,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body, text: () => res.body.text() };
}

/** The family's classified error for a non-2xx answer. */
export class UpstreamHttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: GatewayError,
    readonly bodyText: string,
  ) {
    super(`HTTP ${status}: ${error.message}`);
  }
}

export async function roundTrip(
  family: ProviderFamily,
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
): Promise<ParsedResponse & { request: UpstreamRequest }> {
  const ci = input(callType, body, d, false);
  const req = await built(family, callType, body, d, false);
  const reply = await transport(family, req, ci);
  const text = await reply.text();
  if (reply.status >= 400) {
    throw new UpstreamHttpError(reply.status, family.classifyError(reply.status, text, reply, ci), text);
  }
  return { ...family.endpoints[callType]!.parse(JSON.parse(text), text, ci), request: req };
}

export interface StreamTrip {
  /** Raw upstream text. */
  raw: string;
  /** Everything the decoder emitted (push outputs + finalize). */
  out: string;
  outcome: StreamOutcome;
}

/** A final step as the engine would give it: the outcome's usage (or zero), a fixed cost text. */
export function finalFor(outcome: StreamOutcome, over: Partial<StreamFinal> = {}): StreamFinal {
  const usage: Usage = outcome.usage ?? { ...emptyUsage(), estimated: true };
  return { usage, costText: '0.0012', requestId: 'req-1', includeUsage: true, error: outcome.error, ...over };
}

const enc = new TextEncoder();

/** Feeds `pieces` (text or bytes) to a fresh decoder, then ends and finalizes it. */
export function decode(
  family: ProviderFamily,
  callType: CallType,
  d: DeploymentConfig,
  pieces: Array<string | Uint8Array>,
  over: Partial<StreamFinal> = {},
): StreamTrip {
  const dec = family.endpoints[callType]!.decoder!(input(callType, {}, d, true));
  let out = '';
  for (const p of pieces) out += dec.push(typeof p === 'string' ? enc.encode(p) : p);
  const outcome = dec.end();
  out += dec.finalize(finalFor(outcome, over));
  const raw = pieces.map((p) => (typeof p === 'string' ? p : new TextDecoder().decode(p))).join('');
  return { raw, out, outcome };
}

export async function streamRoundTrip(
  family: ProviderFamily,
  callType: CallType,
  body: Record<string, unknown>,
  d: DeploymentConfig,
  over: Partial<StreamFinal> = {},
): Promise<StreamTrip & { request: UpstreamRequest }> {
  const ci = input(callType, body, d, true);
  const req = await built(family, callType, body, d, true);
  const reply = await transport(family, req, ci);
  if (reply.status >= 400) {
    const text = await reply.text();
    throw new UpstreamHttpError(reply.status, family.classifyError(reply.status, text, reply, ci), text);
  }
  const dec = family.endpoints[callType]!.decoder!(ci);
  const td = new TextDecoder();
  let raw = '';
  let out = '';
  try {
    for await (const chunk of reply.body) {
      raw += td.decode(chunk, { stream: true });
      out += dec.push(chunk);
    }
  } catch {
    // connection cut by the upstream: keep what arrived
  }
  const outcome = dec.end();
  out += dec.finalize(finalFor(outcome, over));
  return { raw, out, outcome, request: req };
}

/**
 * Splits text at the given cut points (sorted, deduplicated, within bounds). A cut inside a surrogate
 * pair moves past it: string pieces are encoded separately, and half an emoji is not text (byte-level
 * splits, which real upstreams produce, are `splitBytes`).
 */
export function splitAt(text: string, cuts: number[]): string[] {
  const inPair = (c: number) => c > 0 && c < text.length && /[\uD800-\uDBFF]/.test(text[c - 1]);
  const points = [
    ...new Set(cuts.map((c) => Math.max(0, Math.min(text.length, c))).map((c) => (inPair(c) ? c + 1 : c))),
  ].sort((a, b) => a - b);
  const out: string[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(text.slice(prev, p));
    prev = p;
  }
  out.push(text.slice(prev));
  return out;
}

/** Splits bytes at the given cut points (so multi-byte UTF-8 characters can be cut in half). */
export function splitBytes(text: string, cuts: number[]): Uint8Array[] {
  const bytes = enc.encode(text);
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
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
