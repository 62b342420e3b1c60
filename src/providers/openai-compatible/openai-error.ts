/**
 * @module providers/openai-compatible/openai-error
 * OpenAI-style error bodies (`{"error":{"message","type","code"}}`, also vLLM's top-level
 * `{"message","type"}` and plain-string `{"error":"…"}`) → a redacted message.
 */

import { isRecord, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import type { UpstreamError } from '../types.js';

export function parseOpenAiError(status: number, bodyText: string): UpstreamError {
  const body = tryParse(bodyText);
  if (isRecord(body)) {
    const err = body.error;
    if (isRecord(err) && typeof err.message === 'string') {
      return { message: redactSecrets(err.message), type: str(err.type) ?? str(err.code) };
    }
    if (typeof err === 'string') return { message: redactSecrets(err) };
    const msg = str(body.message) ?? str(body.detail);
    if (msg !== undefined) return { message: redactSecrets(msg), type: str(body.type) };
  }
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}
