/**
 * @module providers/anthropic/anthropic-error
 * Anthropic error bodies (`{"type":"error","error":{"type","message"}}`) → a redacted message.
 */

import { isRecord, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import type { UpstreamError } from '../types.js';

export function parseAnthropicError(status: number, bodyText: string): UpstreamError {
  const body = tryParse(bodyText);
  if (isRecord(body) && isRecord(body.error) && typeof body.error.message === 'string') {
    return { message: redactSecrets(body.error.message), type: str(body.error.type) };
  }
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}
