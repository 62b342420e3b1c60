/**
 * @module cost-map/cost-map-metrics
 * Prometheus metrics of the runtime cost map: every check's outcome, what applied maps changed (large
 * changes counted apart), and which catalog is in use. Gauges are read from the live managers at scrape time.
 */
import { Counter, Gauge } from 'prom-client';
import { registry } from '../metrics.js';

export interface CatalogGaugeSource {
  /** Labels of the catalog in use and the last time its source confirmed it (unix s), if ever. */
  catalogInfo(): { source: string; snapshot: string; origin: string; checkedAtSeconds: number | null };
}

const sources = new Set<CatalogGaugeSource>();

export function trackCatalog(s: CatalogGaugeSource): () => void {
  sources.add(s);
  return () => sources.delete(s);
}

export const costMapChecks = new Counter({
  name: 'tollgate_cost_map_checks_total',
  help: 'Cost map loads and refresh checks by result: applied (new prices in use), unchanged, failed, refused',
  labelNames: ['result'] as const,
  registers: [registry],
});

export const costMapChanges = new Counter({
  name: 'tollgate_cost_map_changes_total',
  help: 'What applied cost maps changed: models_added, models_removed, prices_changed (price keys)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const costMapLargeChanges = new Counter({
  name: 'tollgate_cost_map_large_changes_total',
  help: 'Applied cost maps that removed or re-priced many models at once (each logged with a full change list)',
  registers: [registry],
});

new Gauge({
  name: 'tollgate_cost_map_info',
  help: 'The price catalog in use (1), labelled by source, snapshot date and origin (builtin, file, cache, fetched)',
  labelNames: ['source', 'snapshot', 'origin'] as const,
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) {
      const i = s.catalogInfo();
      this.set({ source: i.source, snapshot: i.snapshot, origin: i.origin }, 1);
    }
  },
});

new Gauge({
  name: 'tollgate_cost_map_checked_timestamp_seconds',
  help: 'Unix time the cost map source last confirmed the catalog in use (200 or 304)',
  registers: [registry],
  collect() {
    this.reset();
    for (const s of sources) {
      const t = s.catalogInfo().checkedAtSeconds;
      if (t !== null) this.set(t);
    }
  },
});
