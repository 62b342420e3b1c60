/**
 * @module pricing/image-cost
 * Image generation cost: per image (`output_cost_per_image`, Titan's size/premium variants) and per pixel
 * (`input_cost_per_pixel` × width × height, as LiteLLM prices DALL·E and gpt-image-1), from the size/quality
 * variant entry when the catalog has one (`hd/1024-x-1024/dall-e-3`), else from the deployment's own prices.
 */
import type { CostLine } from './cost.js';
import { type ImageVariant, parseImageSize, variantId } from './image-variants.js';
import { formatMoney, type Money } from './money.js';
import type { ResolvedPricing } from './resolve.js';

const DEFAULT_SIZE = '1024x1024';

function pickVariant(
  variants: Readonly<Record<string, ImageVariant>> | undefined,
  quality: string | undefined,
  size: string,
): { variant: ImageVariant | null; note?: string } {
  if (!variants) return { variant: null };
  const q = quality?.toLowerCase();
  const exact = variants[variantId(q, size)];
  if (exact) return { variant: exact };
  const tries: string[] = [size];
  if (!q || q === 'standard' || q === 'auto') tries.push(`standard/${size}`, `medium/${size}`);
  for (const id of tries) {
    const v = variants[id];
    if (v) return { variant: v, note: `no ${q ?? 'default'} quality price for ${size}: used ${v.entryKey}` };
  }
  return { variant: null, note: `no size/quality variant for ${q ? `${q}/` : ''}${size}` };
}

function push(
  lines: CostLine[],
  unitPrices: Record<string, string>,
  kind: string,
  unit: CostLine['unit'],
  quantity: number,
  key: string,
  price: Money,
  note: string | undefined,
): Money {
  const amount = price * BigInt(quantity);
  const l: CostLine = { kind, quantity, unit, priceKey: key, unitPrice: price, amount };
  if (note) l.note = note;
  lines.push(l);
  unitPrices[key] = formatMoney(price);
  return amount;
}

/** Adds the image lines for `images` to `lines`; returns their total and the unit prices used. */
export function pricesForImages(
  resolved: ResolvedPricing,
  basePrices: Readonly<Record<string, Money>>,
  images: { count: number; size?: string; quality?: string },
  lines: CostLine[],
): { amount: Money; unitPrices: Record<string, string> | null } {
  const count = Math.max(0, Math.floor(images.count));
  const parsed = parseImageSize(images.size);
  const [w, h] = parsed ?? [1024, 1024];
  const size = `${w}x${h}`;
  let note = parsed ? undefined : `size ${images.size ?? 'not given'}: assumed ${DEFAULT_SIZE}`;
  const picked = pickVariant(resolved.imageVariants, images.quality, size);
  if (picked.note) note = note ? `${note}; ${picked.note}` : picked.note;
  const prices = picked.variant ? picked.variant.prices : basePrices;
  const unitPrices: Record<string, string> = {};
  let amount = 0n;
  const pixels = w * h * count;
  const inPixel = prices.input_cost_per_pixel;
  const outPixel = prices.output_cost_per_pixel;
  if (inPixel !== undefined && inPixel > 0n)
    amount += push(lines, unitPrices, 'image_pixels', 'pixel', pixels, 'input_cost_per_pixel', inPixel, note);
  if (outPixel !== undefined && outPixel > 0n)
    amount += push(
      lines,
      unitPrices,
      'image_pixels',
      'pixel',
      pixels,
      'output_cost_per_pixel',
      outPixel,
      note,
    );

  // Per image: Titan-style size / premium variants first, then output_cost_per_image, then input_cost_per_image
  // (gpt-image-1-mini's size entries carry the generation price under that key).
  const premium = images.quality?.toLowerCase() === 'premium';
  const keys: string[] = [];
  for (const edge of [1024, 512]) {
    if (w * h > edge * edge) {
      if (premium) keys.push(`output_cost_per_image_above_${edge}_and_${edge}_pixels_and_premium_image`);
      keys.push(`output_cost_per_image_above_${edge}_and_${edge}_pixels`);
    }
  }
  if (premium) keys.push('output_cost_per_image_premium_image');
  keys.push('output_cost_per_image', 'input_cost_per_image');
  for (const key of keys) {
    const p = prices[key];
    if (p !== undefined && p > 0n) {
      amount += push(lines, unitPrices, 'image', 'image', count, key, p, note);
      break;
    }
  }
  return { amount, unitPrices: Object.keys(unitPrices).length ? unitPrices : null };
}
