/**
 * @module router/routing-stats
 * What the routing strategies measure per deployment: requests in flight (least-busy), recent latency per output
 * token (latency-based-routing, as LiteLLM normalises it), and tokens and requests this minute
 * (usage-based-routing). Reads are synchronous from local state so picking a deployment never waits; the Redis
 * store (routing-stats-redis.ts) shares the numbers between gateways. This file is the in-process store.
 */

export interface Usage {
  tokens: number;
  requests: number;
}

export interface RoutingStats {
  inFlight(id: string): number;
  begin(id: string): void;
  end(id: string): void;
  /** Mean of the recent latencies (ms, or ms per output token), or undefined when none is known. */
  latency(id: string): number | undefined;
  recordLatency(id: string, ms: number, outputTokens: number): void;
  /** Tokens and requests in the current minute. */
  usage(id: string): Usage;
  recordUsage(id: string, tokens: number): void;
  /** Fetch what other gateways recorded for these deployments, in the background (shared stores only). */
  refresh?(ids: readonly string[]): void;
  close?(): Promise<void>;
}

/** Latencies kept per deployment (LiteLLM keeps a short recent list too). */
export const LATENCY_SAMPLES = 10;
const MINUTE_MS = 60_000;

/** ms per output token when the call produced tokens, else the whole call's ms. */
export function latencyValue(ms: number, outputTokens: number): number {
  return outputTokens > 0 ? ms / outputTokens : ms;
}

export class MemoryRoutingStats implements RoutingStats {
  private readonly busy = new Map<string, number>();
  private readonly lat = new Map<string, { values: number[]; at: number }>();
  private readonly use = new Map<string, { minute: number; tokens: number; requests: number }>();

  constructor(
    private readonly opts: { latencyTtlMs: number; now?: () => number } = { latencyTtlMs: 3_600_000 },
  ) {}

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  inFlight(id: string): number {
    return this.busy.get(id) ?? 0;
  }

  begin(id: string): void {
    this.busy.set(id, this.inFlight(id) + 1);
    const u = this.current(id);
    u.requests++;
  }

  end(id: string): void {
    const n = this.inFlight(id) - 1;
    if (n > 0) this.busy.set(id, n);
    else this.busy.delete(id);
  }

  latency(id: string): number | undefined {
    const l = this.lat.get(id);
    if (!l || l.values.length === 0) return undefined;
    if (this.now() - l.at > this.opts.latencyTtlMs) {
      this.lat.delete(id);
      return undefined;
    }
    return l.values.reduce((a, b) => a + b, 0) / l.values.length;
  }

  recordLatency(id: string, ms: number, outputTokens: number): void {
    let l = this.lat.get(id);
    if (!l) {
      l = { values: [], at: 0 };
      this.lat.set(id, l);
    }
    l.values.push(latencyValue(ms, outputTokens));
    if (l.values.length > LATENCY_SAMPLES) l.values.shift();
    l.at = this.now();
  }

  usage(id: string): Usage {
    const u = this.use.get(id);
    if (!u || u.minute !== Math.floor(this.now() / MINUTE_MS)) return { tokens: 0, requests: 0 };
    return { tokens: u.tokens, requests: u.requests };
  }

  recordUsage(id: string, tokens: number): void {
    this.current(id).tokens += Math.max(0, tokens);
  }

  private current(id: string): { minute: number; tokens: number; requests: number } {
    const minute = Math.floor(this.now() / MINUTE_MS);
    let u = this.use.get(id);
    if (!u || u.minute !== minute) {
      u = { minute, tokens: 0, requests: 0 };
      this.use.set(id, u);
    }
    return u;
  }
}
