/**
 * @module metrics-series
 * Cheap Prometheus series for per-request metrics: prom-client re-hashes and re-validates the labels
 * object on every inc/observe (several µs each); these keep one entry per label-value tuple (keyed by
 * the values joined with \u0001), add plain numbers — or exact bigint money — and build prom-client's
 * metric shape only when /metrics is scraped. Registered on the shared registry like any metric.
 */
import type { Registry } from 'prom-client';
import { formatMoney, type Money } from './pricing/money.js';

const SEP = '\u0001';

function zip(names: readonly string[], values: readonly string[]): Record<string, string> {
  const o: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) o[names[i]] = values[i];
  return o;
}

interface MetricShape {
  name: string;
  help: string;
  type: string;
  aggregator: string;
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
}

abstract class Series {
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }
  abstract get(): Promise<MetricShape>;
  abstract reset(): void;
}

export class SeriesCounter extends Series {
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();

  inc(values: readonly string[], n = 1): void {
    const k = values.join(SEP);
    const s = this.series.get(k);
    if (s) s.value += n;
    else this.series.set(k, { labels: zip(this.labelNames, values), value: n });
  }

  async get(): Promise<MetricShape> {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }

  reset(): void {
    this.series.clear();
  }
}

/** A counter of money: summed exactly, converted to the nearest float64 once per scrape. */
export class MoneyCounter extends Series {
  private readonly series = new Map<string, { labels: Record<string, string>; sum: Money }>();

  add(values: readonly string[], v: Money): void {
    const k = values.join(SEP);
    const s = this.series.get(k);
    if (s) s.sum += v;
    else this.series.set(k, { labels: zip(this.labelNames, values), sum: v });
  }

  async get(): Promise<MetricShape> {
    return {
      name: this.name,
      help: this.help,
      type: 'counter',
      aggregator: 'sum',
      values: [...this.series.values()].map((s) => ({ labels: s.labels, value: Number(formatMoney(s.sum)) })),
    };
  }

  reset(): void {
    this.series.clear();
  }
}

export class SeriesGauge extends Series {
  private readonly series = new Map<string, { labels: Record<string, string>; value: number }>();

  set(values: readonly string[], v: number): void {
    const k = values.join(SEP);
    const s = this.series.get(k);
    if (s) s.value = v;
    else this.series.set(k, { labels: zip(this.labelNames, values), value: v });
  }

  async get(): Promise<MetricShape> {
    return {
      name: this.name,
      help: this.help,
      type: 'gauge',
      aggregator: 'sum',
      values: [...this.series.values()].map((s) => ({ labels: s.labels, value: s.value })),
    };
  }

  reset(): void {
    this.series.clear();
  }
}

export class SeriesHistogram extends Series {
  private readonly series = new Map<
    string,
    { labels: Record<string, string>; counts: Float64Array; sum: number; count: number }
  >();

  constructor(
    name: string,
    help: string,
    labelNames: readonly string[],
    readonly buckets: readonly number[],
    registry: Registry,
  ) {
    super(name, help, labelNames, registry);
  }

  observe(values: readonly string[], v: number): void {
    const k = values.join(SEP);
    let s = this.series.get(k);
    if (!s) {
      s = {
        labels: zip(this.labelNames, values),
        counts: new Float64Array(this.buckets.length),
        sum: 0,
        count: 0,
      };
      this.series.set(k, s);
    }
    const b = this.buckets;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]) {
        s.counts[i]++;
        break;
      }
    }
    s.sum += v;
    s.count++;
  }

  async get(): Promise<MetricShape> {
    const values: MetricShape['values'] = [];
    for (const s of this.series.values()) {
      let acc = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        acc += s.counts[i];
        values.push({
          labels: { ...s.labels, le: this.buckets[i] },
          value: acc,
          metricName: `${this.name}_bucket`,
        });
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: 'histogram', aggregator: 'sum', values };
  }

  reset(): void {
    this.series.clear();
  }
}
