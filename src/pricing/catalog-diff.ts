/**
 * @module pricing/catalog-diff
 * What changed between two catalogs: models added, removed, and prices changed (per cost key, exact).
 */
import { type Catalog, isPriceKey } from './catalog.js';
import { formatMoney, parseMoney } from './money.js';

export interface PriceChange {
  model: string;
  key: string;
  /** Exact decimal text, or null when the key is new / removed. */
  before: string | null;
  after: string | null;
}

export interface CatalogDiff {
  added: string[];
  removed: string[];
  priceChanges: PriceChange[];
}

function priceText(v: unknown): string | null {
  if (typeof v === 'number' || typeof v === 'string') {
    try {
      return formatMoney(parseMoney(v));
    } catch {
      return String(v);
    }
  }
  return null;
}

export function diffCatalogs(before: Catalog, after: Catalog): CatalogDiff {
  const added: string[] = [];
  const removed: string[] = [];
  const priceChanges: PriceChange[] = [];
  for (const k of after.keys()) if (!before.get(k)) added.push(k);
  for (const k of before.keys()) {
    const a = after.get(k);
    if (!a) {
      removed.push(k);
      continue;
    }
    const b = before.get(k) ?? {};
    const keys = new Set([...Object.keys(b), ...Object.keys(a)].filter(isPriceKey));
    for (const key of [...keys].sort()) {
      const x = priceText(b[key]);
      const y = priceText(a[key]);
      if (x !== y) priceChanges.push({ model: k, key, before: x, after: y });
    }
  }
  added.sort();
  removed.sort();
  return { added, removed, priceChanges };
}

/** Human-readable summary, at most `limit` lines per section. */
export function formatCatalogDiff(d: CatalogDiff, limit = 50): string {
  const out: string[] = [];
  const section = (title: string, items: string[]) => {
    out.push(`${title}: ${items.length}`);
    for (const i of items.slice(0, limit)) out.push(`  ${i}`);
    if (items.length > limit) out.push(`  … and ${items.length - limit} more`);
  };
  section(
    'models added',
    d.added.map((m) => `+ ${m}`),
  );
  section(
    'models removed',
    d.removed.map((m) => `- ${m}`),
  );
  section(
    'prices changed',
    d.priceChanges.map((c) => `~ ${c.model} ${c.key}: ${c.before ?? '(none)'} → ${c.after ?? '(none)'}`),
  );
  return out.join('\n');
}
