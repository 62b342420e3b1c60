/**
 * @module cache/cache-routes
 * LiteLLM's cache management routes (admin): GET /cache/ping, POST /cache/delete {keys},
 * POST /cache/flushall. With the Redis backend they act on the cache every replica shares; with the
 * local backend only on this process's cache.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import type { ResponseCache } from './response-cache.js';

const NOT_ON = () =>
  new GatewayError('TG_ERR_UNSUPPORTED', 'The response cache is off: set litellm_settings.cache: true.');

export function registerCacheRoutes(app: FastifyInstance, cache: ResponseCache | null): void {
  const admin = { config: { kind: 'admin' as const } };
  app.get('/cache/ping', admin, async () => {
    if (!cache) throw NOT_ON();
    const p = await cache.ping();
    return { ...p, litellm_cache_params: { type: cache.settings.backend, ttl: cache.settings.ttlSeconds } };
  });
  app.post('/cache/delete', admin, async (request) => {
    if (!cache) throw NOT_ON();
    const body = request.body as { keys?: unknown } | null;
    const keys = body?.keys;
    if (
      !Array.isArray(keys) ||
      keys.length === 0 ||
      keys.length > 1000 ||
      keys.some((k) => typeof k !== 'string')
    )
      throw new GatewayError('TG_ERR_BAD_REQUEST', 'Pass {"keys": ["<cache key>", …]} (1 to 1000 strings).', {
        param: 'keys',
      });
    const deleted = await cache.delete(keys as string[]);
    return { status: 'success', deleted };
  });
  app.post('/cache/flushall', admin, async () => {
    if (!cache) throw NOT_ON();
    const deleted = await cache.flush();
    return { status: 'success', deleted };
  });
}
