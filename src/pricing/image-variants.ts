/**
 * @module pricing/image-variants
 * LiteLLM keys image models by quality and size: `hd/1024-x-1024/dall-e-3`, `1024-x-1024/dall-e-2`,
 * `azure/low/1024-x-1536/gpt-image-1`. This indexes those variants per model name so a deployment of
 * `dall-e-3` can be priced per request size/quality.
 */
import type { Catalog, CatalogEntry } from './catalog.js';
import { entryPrices } from './entry-prices.js';
import type { Money } from './money.js';

export interface ImageVariant {
  /** Catalog key of the variant, e.g. `hd/1024-x-1024/dall-e-3`. */
  entryKey: string;
  /** `standard`, `hd`, `low`… or null when the key has no quality segment. */
  quality: string | null;
  /** `1024x1024` (normalised `W x H`). */
  size: string;
  prices: Readonly<Record<string, Money>>;
}

const VARIANT_RE =
  /^(?:(?!(?:standard|hd|low|medium|high)\/)([a-z_]+)\/)?(?:(standard|hd|low|medium|high)\/)?(\d+)-x-(\d+)\/(.+)$/;

interface VariantRef {
  key: string;
  prefix: string | null;
  quality: string | null;
  size: string;
}

const indexCache = new WeakMap<Catalog, Map<string, VariantRef[]>>();

function index(catalog: Catalog): Map<string, VariantRef[]> {
  let idx = indexCache.get(catalog);
  if (idx) return idx;
  idx = new Map();
  for (const key of catalog.keys()) {
    const m = VARIANT_RE.exec(key);
    if (!m || m[5].includes('-steps/')) continue;
    const name = m[5];
    const list = idx.get(name) ?? [];
    list.push({ key, prefix: m[1] ?? null, quality: m[2] ?? null, size: `${m[3]}x${m[4]}` });
    idx.set(name, list);
  }
  indexCache.set(catalog, idx);
  return idx;
}

/**
 * Size/quality variants of image model `name` (no provider prefix). Variants under the deployment's
 * provider prefix (`azure/hd/…`) win over unprefixed ones; other providers' variants are ignored.
 */
export function imageVariantsFor(
  catalog: Catalog,
  name: string,
  provider: string,
): Record<string, ImageVariant> {
  const refs = index(catalog).get(name);
  const out: Record<string, ImageVariant> = {};
  if (!refs) return out;
  const ranked = refs
    .filter((r) => r.prefix === null || r.prefix === provider)
    .sort((a, b) => (a.prefix === null ? 1 : 0) - (b.prefix === null ? 1 : 0));
  for (const r of ranked) {
    const id = variantId(r.quality, r.size);
    if (out[id]) continue;
    out[id] = {
      entryKey: r.key,
      quality: r.quality,
      size: r.size,
      prices: entryPrices(catalog.get(r.key) as CatalogEntry),
    };
  }
  return out;
}

/** `hd/1024x1024` or `1024x1024`. */
export function variantId(quality: string | null | undefined, size: string): string {
  return quality ? `${quality}/${size}` : size;
}

/** Parses `1024x1024` / `1024-x-1024` / `1024X1024` into [width, height]. */
export function parseImageSize(size: string | undefined): [number, number] | null {
  if (!size) return null;
  const m = /^\s*(\d+)\s*(?:-x-|x|X|\*)\s*(\d+)\s*$/.exec(size);
  return m ? [Number(m[1]), Number(m[2])] : null;
}
