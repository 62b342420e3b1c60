/**
 * @module cache/response-cache
 * The response cache behind the engine's hook: per-call directives from the settings and the
 * request's `cache` field, lookups that turn every backend problem into a miss, background stores,
 * and the management operations behind /cache/ping, /cache/delete and /cache/flushall.
 */

import { GatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { CallType } from '../providers/types.js';
import { cacheKey, readCacheControls } from './cache-key.js';
import type { CacheSettings } from './cache-settings.js';
import { type CacheStore, LocalCacheStore, RedisCacheStore } from './cache-store.js';
import type { CacheDirective, CachedAnswer, ResponseCacheHook } from './types.js';

export interface ResponseCache extends ResponseCacheHook {
  readonly settings: CacheSettings;
  readonly store_: CacheStore;
  start(): Promise<void>;
  ping(): Promise<{ status: string; cache_type: string }>;
  delete(keys: string[]): Promise<number>;
  flush(): Promise<number>;
  close(): Promise<void>;
}

export interface ResponseCacheOptions {
  settings: CacheSettings;
  logger: Logger;
  /** Redis key prefix of the gateway (TOLLGATE_REDIS_PREFIX, default `tg:`). */
  redisPrefix: string;
  now?: () => number;
}

function isAnswer(v: unknown): v is CachedAnswer {
  const a = v as CachedAnswer;
  return (
    typeof a === 'object' &&
    a !== null &&
    a.v === 1 &&
    typeof a.body === 'string' &&
    typeof a.costText === 'string' &&
    typeof a.createdAt === 'number' &&
    typeof a.usage === 'object'
  );
}

export function createResponseCache(opts: ResponseCacheOptions): ResponseCache {
  const { settings, logger } = opts;
  const now = opts.now ?? Date.now;
  const store: CacheStore =
    settings.backend === 'redis'
      ? new RedisCacheStore(settings.redisUrl as string, `${opts.redisPrefix}cache:`, logger)
      : new LocalCacheStore(settings.maxEntries, now);

  const directive = (callType: CallType, body: Record<string, unknown>): CacheDirective | null => {
    if (!settings.callTypes.has(callType)) return null;
    const c = readCacheControls(body.cache);
    if (typeof c === 'string') throw new GatewayError('TG_ERR_BAD_REQUEST', c, { param: 'cache' });
    if (settings.mode === 'default_off' && c.useCache !== true) return null;
    if (c.useCache === false) return null;
    const ns = c.namespace ?? settings.namespace;
    return {
      key: cacheKey(ns, callType, body),
      read: !c.noCache,
      write: !c.noStore && c.ttlSeconds !== 0,
      ttlSeconds: c.ttlSeconds ?? settings.ttlSeconds,
      maxAgeSeconds: c.maxAgeSeconds ?? null,
    };
  };

  return {
    settings,
    store_: store,
    maxEntryChars: settings.maxEntryChars,
    directive,
    async lookup(d) {
      try {
        const text = await store.get(d.key);
        if (text === null) return null;
        const a = JSON.parse(text) as unknown;
        if (!isAnswer(a)) return null;
        if (d.maxAgeSeconds !== null && now() - a.createdAt > d.maxAgeSeconds * 1000) return null;
        return a;
      } catch (err) {
        logger.warn({ err: (err as Error).message }, 'response cache lookup failed; treated as a miss');
        return null;
      }
    },
    store(d, answer) {
      let text: string;
      try {
        text = JSON.stringify(answer);
      } catch {
        return;
      }
      if (text.length > settings.maxEntryChars) return;
      store.set(d.key, text, d.ttlSeconds).catch((err) => {
        logger.warn({ err: (err as Error).message }, 'response cache store failed');
      });
    },
    async start() {
      if (store instanceof RedisCacheStore) await store.start();
    },
    async ping() {
      const ok = await store.ping();
      return { status: ok ? 'healthy' : 'unhealthy', cache_type: store.kind === 'redis' ? 'redis' : 'local' };
    },
    delete: (keys) => store.delete(keys),
    flush: () => store.flush(),
    close: () => store.close(),
  };
}
