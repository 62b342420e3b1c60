/**
 * @module access/cache
 * Read-through cache of database records by id: single-flight loads, stale-while-revalidate for
 * known records (the request path never waits on a refresh), brief negative caching of unknown
 * ids, and invalidation that also discards any load already in flight.
 */

interface Entry<T> {
  value: T | null;
  loadedAt: number;
}

export interface RecordCacheOptions {
  ttlMs: number;
  negativeTtlMs: number;
  maxEntries: number;
  now: () => number;
  onError?: (err: unknown) => void;
  /**
   * Serve an expired "does not exist" answer while re-checking in the background (for records
   * looked up by reference, never by a presented secret). Default false: re-check before answering.
   */
  staleNegative?: boolean;
}

export class RecordCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly pending = new Map<string, Promise<T | null>>();

  constructor(
    private readonly loader: (id: string) => Promise<T | null>,
    private readonly opts: RecordCacheOptions,
  ) {}

  /** The cached record (possibly stale, refreshed in the background), or loads it. */
  get(id: string): T | null | Promise<T | null> {
    const e = this.entries.get(id);
    if (e) {
      const age = this.opts.now() - e.loadedAt;
      if (e.value !== null) {
        if (age > this.opts.ttlMs && !this.pending.has(id)) {
          this.load(id).catch((err) => this.opts.onError?.(err));
        }
        return e.value;
      }
      if (age <= this.opts.negativeTtlMs) return null;
      if (this.opts.staleNegative) {
        if (!this.pending.has(id)) this.load(id).catch((err) => this.opts.onError?.(err));
        return null;
      }
    }
    return this.pending.get(id) ?? this.load(id);
  }

  /** Cached value without loading (undefined when not cached). */
  peek(id: string): T | null | undefined {
    return this.entries.get(id)?.value;
  }

  invalidate(id: string): void {
    this.entries.delete(id);
    this.pending.delete(id);
  }

  clear(): void {
    this.entries.clear();
    this.pending.clear();
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  private load(id: string): Promise<T | null> {
    const p = this.loader(id).then(
      (value) => {
        if (this.pending.get(id) === p) {
          this.pending.delete(id);
          if (this.entries.size >= this.opts.maxEntries) {
            const oldest = this.entries.keys().next().value;
            if (oldest !== undefined) this.entries.delete(oldest);
          }
          this.entries.set(id, { value, loadedAt: this.opts.now() });
        }
        return value;
      },
      (err) => {
        if (this.pending.get(id) === p) this.pending.delete(id);
        throw err;
      },
    );
    this.pending.set(id, p);
    return p;
  }
}
