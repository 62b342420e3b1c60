/**
 * @module cost-map/catalog-status
 * The JSON that `/health/readiness`, `/pricing/explain` and `POST /pricing/reload` show about the catalog in
 * use: which one (source, snapshot date, origin), when its source last confirmed it, how it is kept current,
 * and what the last swap changed (exact before → after, lists capped). snake_case like the other HTTP fields.
 */
import type { CatalogChange } from './catalog-change.js';
import type { CostMapManager } from './cost-map-manager.js';
import { displayLocation } from './cost-map-source.js';
import { formatDelay } from './refresh-schedule.js';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export function catalogStatusJSON(m: CostMapManager): Record<string, unknown> {
  const c = m.current();
  const src = m.source();
  const st = m.state();
  const out: Record<string, unknown> = {
    source: c.source,
    snapshot: c.snapshot,
    models: c.size,
    origin: st.origin,
    fetched_at: iso(st.fetchedAt),
    checked_at: iso(st.checkedAt),
  };
  if (st.etag) out.etag = st.etag;
  if (src.kind === 'builtin') {
    out.updates = { disabled_by: src.reason };
  } else {
    const err = st.lastError;
    out.updates = {
      from: displayLocation(src.location),
      set_by: src.setBy,
      every_seconds: st.refreshIntervalMs > 0 ? st.refreshIntervalMs / 1000 : null,
      next_check_at: iso(st.nextCheckAt),
      last_error: err?.message ?? null,
      last_error_at: iso(err?.at),
    };
  }
  const change = m.lastChange();
  if (change) out.last_change = changeSummaryJSON(change);
  return out;
}

function changeSummaryJSON(c: CatalogChange): Record<string, unknown> {
  return {
    at: c.at,
    from: c.from,
    to: c.to,
    large: c.large,
    affected_models: c.affectedModels,
    models_added: c.diff.added.length,
    models_removed: c.diff.removed.length,
    prices_changed: c.diff.priceChanges.length,
  };
}

/** The last change with its lists (models removed, prices changed before → after), `limit` items each. */
export function catalogChangeJSON(c: CatalogChange, limit = 200): Record<string, unknown> {
  const { removed, priceChanges, added } = c.diff;
  return {
    ...changeSummaryJSON(c),
    added: added.slice(0, limit),
    removed: removed.slice(0, limit),
    price_changes: priceChanges.slice(0, limit),
    truncated:
      Math.max(0, added.length - limit) +
      Math.max(0, removed.length - limit) +
      Math.max(0, priceChanges.length - limit),
  };
}

/** The startup line: which catalog prices requests now, and how it is kept current. */
export function describeCatalogInUse(m: CostMapManager): string {
  const c = m.current();
  const { origin, fetchedAt: fetched, refreshIntervalMs: interval } = m.state();
  const how =
    origin === 'builtin'
      ? 'built-in'
      : origin === 'cache'
        ? `cached copy fetched ${fetched?.toISOString() ?? '?'}`
        : origin === 'file'
          ? 'file'
          : `fetched ${fetched?.toISOString() ?? '?'}`;
  const head = `prices: ${c.source} (${how}, ${c.size} models, snapshot ${c.snapshot})`;
  const src = m.source();
  if (src.kind === 'builtin') return `${head}; updates off (${src.reason})`;
  const refresh = interval > 0 ? `, then every ${formatDelay(interval)}` : '';
  const from = displayLocation(src.location);
  if (src.kind === 'url' && origin === 'fetched')
    return `${head}; refreshed from ${from}${interval > 0 ? ` every ${formatDelay(interval)}` : ' on SIGHUP / POST /pricing/reload'}`;
  return src.kind === 'url'
    ? `${head}; checking ${from} in the background now${refresh}`
    : `${head}; re-read from ${from}${interval > 0 ? ` every ${formatDelay(interval)}` : ' on SIGHUP / POST /pricing/reload'}`;
}
