/**
 * @module cache/cache-store
 * Where answers live: in-process (bounded LRU with per-entry expiry) or Redis (shared by every
 * replica; `SET key value PX ttl`). The Redis store fails fast (no offline queue, short timeouts):
 * while Redis is unreachable a lookup is a miss and a store is skipped, never a wait.
 */
import type { Redis } from 'ioredis';
import { ioredisModule } from '../lazy-modules.js';
import type { Logger } from '../logger.js';

export interface CacheStore {
  readonly kind: 'local' | 'redis';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  delete(keys: string[]): Promise<number>;
  /** Removes every entry of this gateway's cache (its key prefix only). */
  flush(): Promise<number>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

interface LocalEntry {
  value: string;
  expiresAt: number;
}

export class LocalCacheStore implements CacheStore {
  readonly kind = 'local' as const;
  private readonly entries = new Map<string, LocalEntry>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string): Promise<string | null> {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    // Least recently used first: a hit moves the entry to the end.
    this.entries.delete(key);
    this.entries.set(key, e);
    return e.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async delete(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of keys) if (this.entries.delete(k)) n++;
    return n;
  }

  async flush(): Promise<number> {
    const n = this.entries.size;
    this.entries.clear();
    return n;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

export class RedisCacheStore implements CacheStore {
  readonly kind = 'redis' as const;
  private readonly r: Redis;
  private warned = false;

  constructor(
    url: string,
    /** Prepended to every key, e.g. `tg:cache:`. */
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.r = new (ioredisModule().Redis)(url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
      retryStrategy: (times: number) => Math.min(250 * times, 2_000),
    });
    this.r.on('error', (err) => this.down(err));
    this.r.on('ready', () => {
      if (this.warned) this.logger.warn('Redis is reachable again: the response cache is shared again');
      this.warned = false;
    });
  }

  async start(): Promise<void> {
    await this.r.connect().catch((err) => this.down(err));
  }

  private down(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'Redis unavailable: response-cache lookups are misses until it is back',
    );
  }

  private get up(): boolean {
    return this.r.status === 'ready';
  }

  async get(key: string): Promise<string | null> {
    if (!this.up) return null;
    try {
      return await this.r.get(this.prefix + key);
    } catch (err) {
      this.down(err);
      return null;
    }
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    if (!this.up) return;
    try {
      await this.r.set(this.prefix + key, value, 'PX', Math.max(1, Math.round(ttlSeconds * 1000)));
    } catch (err) {
      this.down(err);
    }
  }

  async delete(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return this.r.del(...keys.map((k) => this.prefix + k));
  }

  async flush(): Promise<number> {
    let cursor = '0';
    let n = 0;
    do {
      const [next, found] = await this.r.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 500);
      cursor = next;
      if (found.length > 0) n += await this.r.del(...found);
    } while (cursor !== '0');
    return n;
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.r.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.r.disconnect();
  }
}
