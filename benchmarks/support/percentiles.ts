/**
 * Percentiles of latency samples in milliseconds, rounded to µs, as the probes of benchmarks/support print them.
 */
export function percentile(samples: readonly number[], p: number): number {
  const s = [...samples].sort((x, y) => x - y);
  return Number(s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(3));
}

export function latencySummary(samples: readonly number[]): { p50Ms: number; p95Ms: number; p99Ms: number } {
  return {
    p50Ms: percentile(samples, 0.5),
    p95Ms: percentile(samples, 0.95),
    p99Ms: percentile(samples, 0.99),
  };
}
