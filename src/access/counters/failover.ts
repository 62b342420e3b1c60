/**
 * @module access/counters/failover
 * Chooses the counter backend per call: Redis while it is reachable, in-process otherwise. A
 * connection failure mid-call marks Redis down (one warning) and retries the call in-process;
 * a script error (a bug, not an outage) propagates.
 */
import type { Logger } from '../../logger.js';
import type { RedisLink } from '../redis-link.js';
import type { MemoryCounters } from './memory.js';
import type { RedisCounters } from './redis.js';
import type { CounterBackend } from './types.js';

export class FailoverCounters {
  constructor(
    readonly memory: MemoryCounters,
    readonly redis: RedisCounters | null,
    private readonly link: RedisLink | null,
    private readonly logger: Logger,
  ) {}

  active(): CounterBackend {
    return this.redis && this.link?.up ? this.redis : this.memory;
  }

  /** Runs fn on the active backend, falling back to in-process if Redis fails. */
  async run<T>(fn: (b: CounterBackend) => Promise<T>): Promise<{ backend: CounterBackend; value: T }> {
    const b = this.active();
    if (b === this.memory) return { backend: b, value: await fn(b) };
    try {
      return { backend: b, value: await fn(b) };
    } catch (err) {
      if (isScriptError(err)) throw err;
      this.link?.markDown(err);
      return { backend: this.memory, value: await fn(this.memory) };
    }
  }

  /** Runs fn on a given backend, falling back to in-process if it is Redis and it fails. */
  async on<T>(b: CounterBackend, fn: (b: CounterBackend) => Promise<T>): Promise<T> {
    if (b === this.memory) return fn(b);
    try {
      return await fn(b);
    } catch (err) {
      if (isScriptError(err)) throw err;
      this.link?.markDown(err);
      return fn(this.memory);
    }
  }

  /** Applies a maintenance operation to both backends (in-process counters may hold fallback state). */
  async all(fn: (b: CounterBackend) => Promise<void>): Promise<void> {
    await fn(this.memory);
    if (this.redis && this.link?.up) {
      try {
        await fn(this.redis);
      } catch (err) {
        if (isScriptError(err)) this.logger.error({ err }, 'counter maintenance script failed');
        else this.link.markDown(err);
      }
    }
  }
}

function isScriptError(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ReplyError';
}
