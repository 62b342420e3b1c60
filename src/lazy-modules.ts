/**
 * @module lazy-modules
 * Libraries that only some configurations use, loaded the first time one is needed instead of at
 * start: ioredis (Redis counters, cache, routing state) and the @smithy packages (SigV4 signing,
 * event-stream framing, shared AWS config files for Bedrock and SageMaker). Each holds 1–2 MB of
 * heap that a gateway without Redis or AWS deployments would carry for nothing, and the peak RSS
 * of a loaded gateway follows its live heap (docs/BENCHMARKS.md, seventh session). They are
 * CommonJS, so `require` loads them synchronously and the constructors that use them stay sync.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function once<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(id) as T;
    return loaded;
  };
}

export const ioredisModule = once<typeof import('ioredis')>('ioredis');
export const smithySerde = once<typeof import('@smithy/core/serde')>('@smithy/core/serde');
export const smithyEventStreams = once<typeof import('@smithy/core/event-streams')>(
  '@smithy/core/event-streams',
);
export const smithyConfig = once<typeof import('@smithy/core/config')>('@smithy/core/config');
export const smithySignatureV4 = once<typeof import('@smithy/signature-v4')>('@smithy/signature-v4');
