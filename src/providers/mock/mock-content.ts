/**
 * @module providers/mock/mock-content
 * Deterministic fake content shared by `mock_response` and the mock upstream server:
 * text split into stream pieces, embedding vectors, a tiny PNG.
 */
import { createHash } from 'node:crypto';

/** Stream pieces: words with their trailing whitespace (never empty; '' streams as one empty piece). */
export function splitForStream(text: string): string[] {
  const pieces = text.match(/\S+\s*|\s+/g);
  return pieces ?? [''];
}

/** A unit-length vector of `dims` numbers derived from the text (same text → same vector). */
export function fakeEmbedding(text: string, dims: number): number[] {
  const out: number[] = [];
  let block = createHash('sha256').update(text).digest();
  for (let i = 0; out.length < dims; i++) {
    if (i * 2 + 2 > block.length) {
      block = createHash('sha256').update(block).digest();
      i = 0;
    }
    out.push(block.readUInt16BE(i * 2) / 32768 - 1);
  }
  const norm = Math.hypot(...out) || 1;
  return out.map((v) => Math.round((v / norm) * 1e6) / 1e6);
}

/** Default embedding size for mocks. */
export const MOCK_EMBEDDING_DIMS = 8;

/** A 1×1 transparent PNG, base64. */
export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The inputs of an embedding request as strings. */
export function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) return [''];
  if (input.every((x) => typeof x === 'number')) return [input.join(',')];
  return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
}
