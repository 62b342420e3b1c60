/**
 * @module cache/cache-key
 * The response-cache key of a request: sha256 over the call type and every field that shapes the
 * answer (model, messages, temperature, tools, user…), with object keys sorted so field order does
 * not matter. Fields that do not change the answer are left out: how it is delivered (`stream`,
 * `stream_options`), the cache controls themselves, and tracking fields (`metadata`, `tags`).
 */
import { createHash } from 'node:crypto';
import type { CallType } from '../providers/types.js';

const IGNORED = new Set(['stream', 'stream_options', 'cache', 'metadata', 'litellm_metadata', 'tags']);

/** JSON with sorted object keys (arrays keep their order). */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
}

export function cacheKey(namespace: string, callType: CallType, body: Record<string, unknown>): string {
  const relevant: Record<string, unknown> = {};
  for (const k in body) if (!IGNORED.has(k)) relevant[k] = body[k];
  const h = createHash('sha256').update(callType).update('\n').update(canonicalJson(relevant)).digest('hex');
  return namespace ? `${namespace}:${h}` : h;
}

export interface RequestCacheControls {
  noCache: boolean;
  noStore: boolean;
  ttlSeconds: number | undefined;
  maxAgeSeconds: number | undefined;
  useCache: boolean | undefined;
  namespace: string | undefined;
}

const NONE: RequestCacheControls = Object.freeze({
  noCache: false,
  noStore: false,
  ttlSeconds: undefined,
  maxAgeSeconds: undefined,
  useCache: undefined,
  namespace: undefined,
});

/** Largest per-request ttl / s-maxage accepted: 30 days. */
const MAX_SECONDS = 30 * 86_400;

/**
 * The request's `cache` field (LiteLLM): `{"no-cache": true}` skips the lookup, `{"no-store": true}`
 * skips storing, `{"ttl": 600}` sets the stored answer's lifetime, `{"s-maxage": 600}` accepts only
 * answers at most that old, `{"use-cache": true}` opts in under mode default_off, `{"namespace": "x"}`.
 * Returns an error message for a malformed field (the gateway answers 400).
 */
export function readCacheControls(v: unknown): RequestCacheControls | string {
  if (v === undefined || v === null) return NONE;
  if (typeof v !== 'object' || Array.isArray(v))
    return '"cache" must be an object such as {"no-cache": true}';
  const c = v as Record<string, unknown>;
  const bool = (name: string): boolean | string | undefined => {
    const x = c[name];
    if (x === undefined || x === null) return undefined;
    return typeof x === 'boolean' ? x : `"cache.${name}" must be true or false`;
  };
  const secs = (name: string): number | string | undefined => {
    const x = c[name];
    if (x === undefined || x === null) return undefined;
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_SECONDS)
      return `"cache.${name}" must be a whole number of seconds from 0 to ${MAX_SECONDS}`;
    return x;
  };
  const noCache = bool('no-cache');
  const noStore = bool('no-store');
  const useCache = bool('use-cache');
  const ttl = secs('ttl');
  const maxAge = secs('s-maxage');
  for (const x of [noCache, noStore, useCache, ttl, maxAge]) if (typeof x === 'string') return x;
  const ns = c.namespace;
  if (ns !== undefined && ns !== null && (typeof ns !== 'string' || ns.length > 200))
    return '"cache.namespace" must be a string of at most 200 characters';
  return {
    noCache: noCache === true,
    noStore: noStore === true,
    ttlSeconds: ttl as number | undefined,
    maxAgeSeconds: maxAge as number | undefined,
    useCache: useCache as boolean | undefined,
    namespace: (ns as string | undefined) ?? undefined,
  };
}
