/**
 * @module gateway/routing-setup
 * Where the routing strategies keep their numbers: in the process, or in Redis when router_settings names one
 * (redis_host / redis_url), else when the gateway has one (general_settings.redis_url / REDIS_URL) and the
 * strategy measures something (least-busy, latency-based, usage-based), so several gateways route alike.
 */
import type { RouterPolicyConfig } from '../config/types.js';
import { ioredisModule } from '../lazy-modules.js';
import type { Logger } from '../logger.js';
import { MemoryRoutingStats, type RoutingStats } from '../router/routing-stats.js';
import { RedisRoutingStats } from '../router/routing-stats-redis.js';

const MEASURED = new Set([
  'least-busy',
  'latency-based-routing',
  'usage-based-routing',
  'usage-based-routing-v2',
]);

export function createRoutingStats(
  policy: RouterPolicyConfig,
  gatewayRedisUrl: string | undefined,
  prefix: string,
  logger: Logger,
): RoutingStats {
  const latencyTtlMs = policy.latencyTtlSeconds * 1000;
  const url = policy.redisUrl ?? (MEASURED.has(policy.routingStrategy) ? gatewayRedisUrl : undefined);
  if (!url || !MEASURED.has(policy.routingStrategy)) return new MemoryRoutingStats({ latencyTtlMs });
  const redis = new (ioredisModule().Redis)(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    commandTimeout: 1_000,
    retryStrategy: (times: number) => Math.min(250 * times, 2_000),
  });
  let warned = false;
  redis.on('error', (err) => {
    if (warned) return;
    warned = true;
    logger.warn(
      { err: err.message },
      `routing state Redis unreachable: ${policy.routingStrategy} uses this gateway's own numbers until it answers`,
    );
  });
  redis.on('ready', () => {
    warned = false;
  });
  return new RedisRoutingStats({ redis, prefix, latencyTtlMs });
}
