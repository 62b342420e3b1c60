/**
 * @module cache/types
 * The response cache as the engine sees it: a synchronous, allocation-free decision per call
 * (`directive`, only called when the cache is on), an asynchronous lookup that never rejects and a
 * fire-and-forget store. What is cached is the client-shaped response body with the usage and the
 * cost it had when it was produced.
 */
import type { CallType } from '../providers/types.js';

/** What one call may do with the cache (from cache settings and the request's `cache` field). */
export interface CacheDirective {
  /** Namespaced key (sha256 hex of the request's relevant fields). */
  readonly key: string;
  /** Look the answer up (false with `cache: {"no-cache": true}`). */
  readonly read: boolean;
  /** Store the answer (false with `cache: {"no-store": true}`). */
  readonly write: boolean;
  /** Time to live of a stored answer, seconds. */
  readonly ttlSeconds: number;
  /** Accept only answers at most this old (`cache: {"s-maxage": N}`), seconds; null = any. */
  readonly maxAgeSeconds: number | null;
}

/** Token counts of the cached answer (logged with the hit). */
export interface CachedUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface CachedAnswer {
  v: 1;
  callType: CallType;
  /** JSON text of the non-streamed response body. */
  body: string;
  /** Deployment that produced it. */
  deploymentId: string;
  /** What it cost when it was produced (exact decimal text): the cost a hit saves. */
  costText: string;
  usage: CachedUsage;
  /** Epoch ms. */
  createdAt: number;
}

export interface ResponseCacheHook {
  /** Whether and how this call uses the cache; null = not at all (call type not cached, mode off). */
  directive(callType: CallType, body: Record<string, unknown>): CacheDirective | null;
  /** The stored answer, or null (miss, expired, too old, backend down). Never rejects. */
  lookup(d: CacheDirective): Promise<CachedAnswer | null>;
  /** Stores an answer in the background. Never throws. */
  store(d: CacheDirective, answer: CachedAnswer): void;
  /** Largest stream transcript kept for storing a streamed answer (characters). */
  readonly maxEntryChars: number;
}
