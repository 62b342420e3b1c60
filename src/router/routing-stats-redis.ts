/**
 * @module router/routing-stats-redis
 * Routing numbers shared by several gateways through Redis (router_settings.redis_host / redis_url), as
 * LiteLLM shares them: in-flight requests, recent latencies and this minute's tokens and requests per
 * deployment. Writes are fire-and-forget; reads come from a local copy that `refresh` updates in the background
 * (at most every `refreshMs` per deployment), so choosing a deployment never waits on Redis. While Redis is
 * unreachable the local numbers (this gateway's own) are used.
 */
import type { Redis } from 'ioredis';
import {
  LATENCY_SAMPLES,
  latencyValue,
  MemoryRoutingStats,
  type RoutingStats,
  type Usage,
} from './routing-stats.js';

const MINUTE_MS = 60_000;
/** In-flight counters expire if a gateway dies mid-request (ten minutes is longer than any timeout). */
const BUSY_TTL_S = 600;

interface Shared {
  busy: number;
  latency: number | undefined;
  usage: Usage;
  minute: number;
  fetchedAt: number;
}

export interface RedisRoutingStatsOptions {
  redis: Redis;
  prefix: string;
  latencyTtlMs: number;
  refreshMs?: number;
  now?: () => number;
}

export class RedisRoutingStats implements RoutingStats {
  private readonly local: MemoryRoutingStats;
  private readonly shared = new Map<string, Shared>();
  private readonly inFlightRefresh = new Set<string>();
  private readonly now: () => number;
  private readonly refreshMs: number;

  constructor(private readonly o: RedisRoutingStatsOptions) {
    this.now = o.now ?? Date.now;
    this.refreshMs = o.refreshMs ?? 500;
    this.local = new MemoryRoutingStats({ latencyTtlMs: o.latencyTtlMs, now: this.now });
  }

  private key(kind: string, id: string, minute?: number): string {
    return `${this.o.prefix}rt:${kind}:${id}${minute === undefined ? '' : `:${minute}`}`;
  }

  private minute(): number {
    return Math.floor(this.now() / MINUTE_MS);
  }

  /** Redis failures are ignored: the local numbers stay in use. */
  private fire(p: Promise<unknown>): void {
    p.catch(() => {});
  }

  private fresh(id: string): Shared | undefined {
    const s = this.shared.get(id);
    return s && s.minute === this.minute() ? s : undefined;
  }

  inFlight(id: string): number {
    return Math.max(this.local.inFlight(id), this.fresh(id)?.busy ?? 0);
  }

  begin(id: string): void {
    this.local.begin(id);
    const m = this.minute();
    this.fire(
      this.o.redis
        .multi()
        .incr(this.key('busy', id))
        .expire(this.key('busy', id), BUSY_TTL_S)
        .hincrby(this.key('use', id, m), 'requests', 1)
        .expire(this.key('use', id, m), 120)
        .exec(),
    );
    const s = this.fresh(id);
    if (s) {
      s.busy++;
      s.usage.requests++;
    }
  }

  end(id: string): void {
    this.local.end(id);
    this.fire(this.o.redis.decr(this.key('busy', id)));
    const s = this.fresh(id);
    if (s && s.busy > 0) s.busy--;
  }

  latency(id: string): number | undefined {
    return this.fresh(id)?.latency ?? this.local.latency(id);
  }

  recordLatency(id: string, ms: number, outputTokens: number): void {
    this.local.recordLatency(id, ms, outputTokens);
    const k = this.key('lat', id);
    this.fire(
      this.o.redis
        .multi()
        .lpush(k, String(latencyValue(ms, outputTokens)))
        .ltrim(k, 0, LATENCY_SAMPLES - 1)
        .pexpire(k, Math.max(1000, Math.round(this.o.latencyTtlMs)))
        .exec(),
    );
  }

  usage(id: string): Usage {
    const mine = this.local.usage(id);
    const s = this.fresh(id)?.usage;
    return s
      ? { tokens: Math.max(s.tokens, mine.tokens), requests: Math.max(s.requests, mine.requests) }
      : mine;
  }

  recordUsage(id: string, tokens: number): void {
    this.local.recordUsage(id, tokens);
    const m = this.minute();
    this.fire(this.o.redis.hincrby(this.key('use', id, m), 'tokens', Math.max(0, Math.round(tokens))));
    const s = this.fresh(id);
    if (s) s.usage.tokens += Math.max(0, tokens);
  }

  refresh(ids: readonly string[]): void {
    const now = this.now();
    const due = ids.filter(
      (id) => !this.inFlightRefresh.has(id) && now - (this.shared.get(id)?.fetchedAt ?? 0) >= this.refreshMs,
    );
    if (due.length === 0) return;
    for (const id of due) this.inFlightRefresh.add(id);
    const m = this.minute();
    const p = this.o.redis.pipeline();
    for (const id of due) {
      p.get(this.key('busy', id));
      p.lrange(this.key('lat', id), 0, LATENCY_SAMPLES - 1);
      p.hmget(this.key('use', id, m), 'tokens', 'requests');
    }
    p.exec()
      .then((res) => {
        if (!res) return;
        due.forEach((id, i) => {
          const busy = Number(res[i * 3]?.[1] ?? 0);
          const lats = ((res[i * 3 + 1]?.[1] as string[] | null) ?? []).map(Number).filter(Number.isFinite);
          const [tokens, requests] = ((res[i * 3 + 2]?.[1] as Array<string | null>) ?? []).map((v) =>
            Number(v ?? 0),
          );
          this.shared.set(id, {
            busy: Number.isFinite(busy) ? Math.max(0, busy) : 0,
            latency: lats.length ? lats.reduce((a, b) => a + b, 0) / lats.length : undefined,
            usage: { tokens: tokens || 0, requests: requests || 0 },
            minute: m,
            fetchedAt: this.now(),
          });
        });
      })
      .catch(() => {})
      .finally(() => {
        for (const id of due) this.inFlightRefresh.delete(id);
      });
  }

  async close(): Promise<void> {
    this.o.redis.disconnect();
  }
}
