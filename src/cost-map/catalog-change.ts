/**
 * @module cost-map/catalog-change
 * What a new cost map changes compared with the catalog in use, and when that counts as a large change
 * (applied, but with a warning that lists every change exactly, before → after). Pure.
 */
import {
  type Catalog,
  type CatalogDiff,
  diffCatalogs,
  formatCatalogDiff,
  formatMoney,
  type ResolvedPricing,
} from '../pricing/index.js';

/**
 * A map that removes models or changes prices of at least this many models at once is a large change.
 * LiteLLM's daily commits touch a handful of models; a truncated or broken upstream file touches hundreds.
 */
export const LARGE_CHANGE_MODELS = 25;

export interface CatalogRef {
  source: string;
  snapshot: string;
  models: number;
}

export interface CatalogChange {
  /** ISO time the change was applied. */
  at: string;
  from: CatalogRef;
  to: CatalogRef;
  diff: CatalogDiff;
  /** Models removed plus models with at least one price added, changed or removed. */
  affectedModels: number;
  large: boolean;
}

export const catalogRef = (c: Catalog): CatalogRef => ({
  source: c.source,
  snapshot: c.snapshot,
  models: c.size,
});

export function describeCatalogChange(before: Catalog, after: Catalog, at: Date): CatalogChange {
  const diff = diffCatalogs(before, after);
  const changedModels = new Set(diff.priceChanges.map((c) => c.model));
  const affectedModels = diff.removed.length + changedModels.size;
  return {
    at: at.toISOString(),
    from: catalogRef(before),
    to: catalogRef(after),
    diff,
    affectedModels,
    large: affectedModels >= LARGE_CHANGE_MODELS,
  };
}

/** One line: `+12 models, -0 models, 40 prices changed in 9 models`. */
export function summarizeChange(c: CatalogChange): string {
  const changed = new Set(c.diff.priceChanges.map((p) => p.model)).size;
  return `+${c.diff.added.length} models, -${c.diff.removed.length} models, ${c.diff.priceChanges.length} prices changed in ${changed} models`;
}

/** The full before → after list (models added, removed, every price changed), `limit` lines per section. */
export function formatChange(c: CatalogChange, limit = Number.POSITIVE_INFINITY): string {
  return [
    `price catalog ${c.from.source} (snapshot ${c.from.snapshot}, ${c.from.models} models) → ${c.to.source} (snapshot ${c.to.snapshot}, ${c.to.models} models) at ${c.at}`,
    formatCatalogDiff(c.diff, limit),
  ].join('\n');
}

/** The warning a large change is applied with: why, where the full list is, the first 20 lines per section. */
export function largeChangeWarning(c: CatalogChange, reportPath: string | null): string {
  const where = reportPath
    ? `full list in ${reportPath} and GET /pricing/explain`
    : 'full list in GET /pricing/explain';
  return `price catalog: large change applied (${c.affectedModels} models re-priced or removed, threshold ${LARGE_CHANGE_MODELS}); ${where}\n${formatChange(c, 20)}`;
}

export interface DeploymentPriceChange {
  key: string;
  /** Exact decimal USD, or null when the key is new / gone. */
  before: string | null;
  after: string | null;
}

/** What changed in one deployment's effective prices (custom prices do not move; catalog ones may). */
export function diffResolvedPrices(before: ResolvedPricing, after: ResolvedPricing): DeploymentPriceChange[] {
  const out: DeploymentPriceChange[] = [];
  const keys = new Set([...Object.keys(before.prices), ...Object.keys(after.prices)]);
  for (const key of [...keys].sort()) {
    const b = before.prices[key];
    const a = after.prices[key];
    if (b === a) continue;
    out.push({
      key,
      before: b === undefined ? null : formatMoney(b),
      after: a === undefined ? null : formatMoney(a),
    });
  }
  return out;
}
