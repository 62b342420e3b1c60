/**
 * @module providers/shared/ids
 * Ids and timestamps for responses the gateway synthesises (Anthropic/Ollama → OpenAI shape, mocks).
 */
import { randomBytes } from 'node:crypto';

/** `prefix` + 24 random base-36-ish characters, e.g. `chatcmpl-…`. */
export function newId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** Unix time in whole seconds (OpenAI `created`). */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
