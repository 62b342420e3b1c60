/**
 * @module access/redis-link
 * The optional Redis connection: a command connection (counters, publish) and a subscriber for
 * cache invalidation across processes. Never blocks or throws on the request path: while Redis
 * is unreachable `up` is false (callers use in-process counters) and it reconnects in the background.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ioredisModule } from '../lazy-modules.js';
import type { Logger } from '../logger.js';

export interface InvalidationMessage {
  t: 'key' | 'user' | 'team' | 'customer' | 'reset-all';
  id?: string;
}

export class RedisLink {
  readonly cmd: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly origin = randomBytes(6).toString('hex');
  private upFlag = false;
  private everUp = false;
  private warned = false;
  private closed = false;

  constructor(
    url: string,
    readonly prefix: string,
    private readonly logger: Logger,
    private readonly onMessage: (msg: InvalidationMessage) => void,
    private readonly onRecover: () => void,
  ) {
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 1_000,
      commandTimeout: 1_000,
      retryStrategy: (times: number) => Math.min(250 * times, 2_000),
    };
    this.channel = `${prefix}invalidate`;
    const { Redis } = ioredisModule();
    this.cmd = new Redis(url, options);
    // We subscribe on every 'ready' ourselves (with a catch); ioredis's own auto-resubscribe can
    // fire while the socket is not writable and reject with no handler.
    this.sub = new Redis(url, { ...options, commandTimeout: undefined, autoResubscribe: false });
    this.cmd.on('ready', () => {
      const recovered = this.everUp || this.warned;
      this.upFlag = true;
      this.everUp = true;
      if (this.warned) {
        this.logger.warn('Redis is reachable again: budget and rate-limit counters are shared again');
        this.warned = false;
      }
      if (recovered) this.onRecover();
    });
    this.cmd.on('error', (err) => this.markDown(err));
    this.cmd.on('close', () => this.markDown(new Error('connection closed')));
    this.sub.on('error', () => {});
    this.sub.on('ready', () => {
      this.sub.subscribe(this.channel).catch(() => {});
    });
    this.sub.on('message', (_channel: string, text: string) => {
      try {
        const msg = JSON.parse(text) as InvalidationMessage & { o?: string };
        if (msg.o !== this.origin) this.onMessage(msg);
      } catch {
        // ignore malformed messages
      }
    });
  }

  get up(): boolean {
    return this.upFlag && this.cmd.status === 'ready';
  }

  async start(): Promise<void> {
    await Promise.all([
      this.cmd.connect().catch((err) => this.markDown(err)),
      this.sub.connect().catch(() => {}),
    ]);
  }

  markDown(err: unknown): void {
    this.upFlag = false;
    if (this.closed || this.warned) return;
    this.warned = true;
    this.logger.warn(
      { err: err instanceof Error ? err.message : String(err) },
      'Redis unavailable: falling back to in-process budget and rate-limit counters (not shared with other gateway processes until Redis is back)',
    );
  }

  publish(msg: InvalidationMessage): void {
    if (!this.up) return;
    this.cmd
      .publish(this.channel, JSON.stringify({ ...msg, o: this.origin }))
      .catch((err) => this.markDown(err));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.upFlag = false;
    this.cmd.disconnect();
    this.sub.disconnect();
  }
}
