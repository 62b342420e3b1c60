/**
 * @module gateway/upstream-client
 * Sends prepared requests upstream with undici: one keep-alive Agent for the process, per-attempt
 * timeouts, and connection failures classified into the gateway's error codes.
 */

import { Agent, errors as undiciErrors } from 'undici';
import { GatewayError } from '../errors.js';
import type { UpstreamReply, UpstreamRequest } from '../providers/types.js';

const agent = new Agent({
  keepAliveTimeout: 30_000,
  connections: 256,
  // Upstream limits are enforced per attempt via headersTimeout/bodyTimeout below.
  connect: { timeout: 10_000 },
});

/**
 * Origin and path of each upstream URL, parsed once: URLs are per deployment and endpoint, and
 * undici's `request(url)` would parse the same string again on every call. Bounded (cleared when
 * full) for URLs that carry per-request parts.
 */
const targets = new Map<string, { origin: string; path: string }>();
const MAX_TARGETS = 4096;

export function upstreamTarget(url: string): { origin: string; path: string } {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new undiciErrors.InvalidArgumentError(
        'Invalid URL protocol: the URL must start with `http:` or `https:`.',
      );
    }
    t = { origin: u.origin, path: `${u.pathname}${u.search}` };
    if (targets.size >= MAX_TARGETS) targets.clear();
    targets.set(url, t);
  }
  return t;
}

/** Sends one request over HTTP. The reply's body is undici's stream (async-iterable bytes, `text()`). */
export async function sendUpstream(
  req: UpstreamRequest,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<UpstreamReply> {
  const { origin, path } = upstreamTarget(req.url);
  const res = await agent.request({
    origin,
    path,
    method: req.method,
    headers: req.headers,
    body: req.body ?? undefined,
    signal,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body, text: () => res.body.text() };
}

/** Turns a thrown undici/network error into a 502/504 GatewayError naming the deployment. */
export function classifyUpstreamFailure(
  err: unknown,
  deploymentLabel: string,
  timeoutMs: number,
): GatewayError {
  const e = err as { code?: string; name?: string; message?: string };
  const timedOut =
    err instanceof undiciErrors.HeadersTimeoutError ||
    err instanceof undiciErrors.BodyTimeoutError ||
    err instanceof undiciErrors.ConnectTimeoutError ||
    e.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    e.code === 'UND_ERR_BODY_TIMEOUT' ||
    e.code === 'UND_ERR_CONNECT_TIMEOUT' ||
    e.name === 'TimeoutError';
  if (timedOut) {
    return new GatewayError(
      'TG_ERR_UPSTREAM_TIMEOUT',
      `Upstream deployment ${deploymentLabel} did not answer within ${Math.round(timeoutMs / 1000)}s.`,
      { cause: err },
    );
  }
  const why = e.code ?? e.name ?? 'connection error';
  return new GatewayError(
    'TG_ERR_UPSTREAM_UNREACHABLE',
    `Upstream deployment ${deploymentLabel} is unreachable (${why}).`,
    { cause: err },
  );
}

export async function closeUpstreamAgent(): Promise<void> {
  await agent.close();
}
