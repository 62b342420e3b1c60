/**
 * @module providers/anthropic/anthropic-error
 * Anthropic error bodies and stream `error` events (`{"type":"error","error":{"type","message"}}`) →
 * a redacted detail, the family's `classifyError`, and the native error frame for pass-through streams.
 */
import type { GatewayError } from '../../errors.js';
import { isRecord, rec, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, UpstreamReply } from '../types.js';

export function anthropicErrorDetail(error: unknown): ProviderErrorDetail {
  const e = rec(error);
  return { message: redactSecrets(str(e.message) ?? 'upstream error'), type: str(e.type) };
}

export function parseAnthropicError(status: number, bodyText: string): ProviderErrorDetail {
  const body = tryParse(bodyText);
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    return anthropicErrorDetail(body.error);
  }
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}

export function classifyAnthropicError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  return upstreamHttpError(input, status, parseAnthropicError(status, bodyText), reply);
}

/** The HTTP status Anthropic uses for an error type (for errors that arrive inside a 200 stream). */
export function anthropicErrorStatus(type: string | undefined): number {
  switch (type) {
    case 'overloaded_error':
      return 529;
    case 'rate_limit_error':
      return 429;
    case 'invalid_request_error':
      return 400;
    default:
      return 502;
  }
}

/** A native Anthropic `event: error` frame carrying the gateway's (redacted) message. */
export function anthropicErrorFrame(error: GatewayError): string {
  const type =
    error.status === 529 ? 'overloaded_error' : error.status === 429 ? 'rate_limit_error' : 'api_error';
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message: error.message } })}\n\n`;
}
