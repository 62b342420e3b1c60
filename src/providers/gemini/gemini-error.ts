/**
 * @module providers/gemini/gemini-error
 * Google API errors (`{"error":{"code","message","status","details":[…]}}`, sometimes wrapped in a
 * one-element array by Vertex) → a redacted detail and the family's `classifyError`. Google sends no
 * `retry-after` header on a 429: the delay is a `google.rpc.RetryInfo` detail (`"retryDelay": "34.4s"`),
 * turned here into a retry-after in whole seconds (rounded up) so clients and the retry loop see it.
 */
import type { GatewayError } from '../../errors.js';
import { arr, isRecord, type Json, rec, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, UpstreamReply } from '../types.js';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';

/** The error object of a Google error body (plain or array-wrapped), if it is one. */
export function googleErrorObject(body: unknown): Json | undefined {
  const b = Array.isArray(body) ? body[0] : body;
  return isRecord(b) && isRecord(b.error) ? b.error : undefined;
}

/** RetryInfo's delay in whole seconds (rounded up), e.g. "34.4s" → "35". */
export function retryDelaySeconds(error: Json): string | undefined {
  for (const d of arr(error.details)) {
    const r = rec(d);
    if (r['@type'] !== RETRY_INFO) continue;
    const delay = r.retryDelay;
    const m = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (m) return String(Math.ceil(Number(m[1])));
    if (isRecord(delay))
      return String(Math.ceil(Number(delay.seconds ?? 0) + Number(delay.nanos ?? 0) / 1e9));
  }
  return undefined;
}

export function googleErrorDetail(error: Json): ProviderErrorDetail {
  const status = str(error.status);
  const message = redactSecrets(str(error.message) ?? 'upstream error');
  return { message: status ? `${status}: ${message}` : message, type: status };
}

export function parseGoogleError(
  status: number,
  bodyText: string,
): ProviderErrorDetail & { retryAfter?: string } {
  const error = googleErrorObject(tryParse(bodyText));
  if (error) return { ...googleErrorDetail(error), retryAfter: retryDelaySeconds(error) };
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}

/** A reply whose headers carry the RetryInfo delay as retry-after (unless the upstream sent one). */
export function withRetryAfter(reply: UpstreamReply, retryAfter: string | undefined): UpstreamReply {
  if (retryAfter === undefined || reply.headers['retry-after'] !== undefined) return reply;
  return { ...reply, headers: { ...reply.headers, 'retry-after': retryAfter } };
}

export function classifyGoogleError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  const { retryAfter, ...detail } = parseGoogleError(status, bodyText);
  return upstreamHttpError(input, status, detail, withRetryAfter(reply, retryAfter));
}

/** The HTTP status for a Google error met inside a 200 stream (its `code`, else 502). */
export function googleErrorStatus(error: Json): number {
  const code = error.code;
  return typeof code === 'number' && code >= 400 && code < 600 ? code : 502;
}
