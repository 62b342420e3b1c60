/**
 * @module providers/openai-compatible/openai-error
 * OpenAI-style error bodies (`{"error":{"message","type","code"}}`, also vLLM's top-level
 * `{"message","type"}` and plain-string `{"error":"…"}`) → a redacted detail, and the family's
 * `classifyError` built on it.
 */
import type { GatewayError } from '../../errors.js';
import { isRecord, type Json, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, UpstreamReply } from '../types.js';

/** The message and type of an OpenAI-style error object (already parsed). */
export function openAiErrorDetail(body: Json): ProviderErrorDetail {
  const err = body.error;
  if (isRecord(err) && typeof err.message === 'string') {
    return { message: redactSecrets(err.message), type: str(err.type) ?? str(err.code) };
  }
  if (typeof err === 'string') return { message: redactSecrets(err) };
  const msg = str(body.message) ?? str(body.detail);
  if (msg !== undefined) return { message: redactSecrets(msg), type: str(body.type) };
  return { message: 'upstream error' };
}

export function parseOpenAiError(status: number, bodyText: string): ProviderErrorDetail {
  const body = tryParse(bodyText);
  if (
    isRecord(body) &&
    (body.error !== undefined || body.message !== undefined || body.detail !== undefined)
  ) {
    return openAiErrorDetail(body);
  }
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}

export function classifyOpenAiError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  return upstreamHttpError(input, status, parseOpenAiError(status, bodyText), reply);
}
