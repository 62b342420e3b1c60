/**
 * @module providers/shared/embedding-list
 * An OpenAI embeddings answer (`{"object":"list","data":[{"object":"embedding","index","embedding"}]}`)
 * from float vectors, for upstreams with their own embedding shape. With `encoding_format: "base64"` (what
 * the openai SDKs ask for by default) each vector is the base64 of its little-endian float32 bytes, as
 * OpenAI sends it.
 */
import type { Json } from './json.js';

export function base64Float32(vector: readonly number[]): string {
  const f = new Float32Array(vector.length);
  for (let i = 0; i < vector.length; i++) f[i] = vector[i];
  // Float32Array uses the platform's byte order; every platform Node supports is little-endian.
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

export function embeddingList(
  vectors: readonly (readonly number[])[],
  model: string,
  encodingFormat: unknown,
): Json {
  const base64 = encodingFormat === 'base64';
  return {
    object: 'list',
    data: vectors.map((v, index) => ({
      object: 'embedding',
      index,
      embedding: base64 ? base64Float32(v) : v,
    })),
    model,
  };
}
