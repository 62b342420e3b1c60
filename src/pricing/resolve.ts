/**
 * @module pricing/resolve
 * Which prices apply to a deployment, decided once at config load: custom keys over the catalog entry
 * (one by one), `base_model`, the model name (provider prefix understood), then — per request — the
 * model name the provider returned; otherwise unpriced (cost 0, flagged).
 */
import type { Catalog, CatalogEntry } from './catalog.js';
import { closestMatches, isKnownCostKey, suggestCostKey } from './cost-keys.js';
import { entryPrices, tierThreshold } from './entry-prices.js';
import { type ImageVariant, imageVariantsFor } from './image-variants.js';
import { candidateKeys, providerCompatible, providerFamily, splitProvider } from './model-names.js';
import { type Money, parseMoney } from './money.js';

export interface PricingTarget {
  /** Deployment name for messages (model_name / id). */
  name: string;
  /** `litellm_params.model`, e.g. `azure/chatgpt-v-2`. */
  model: string;
  provider: string;
  baseModel?: string;
  /** LiteLLM cost keys → exact decimal text. */
  customPricing?: Readonly<Record<string, string>>;
  mode?: string;
  /** ISO date/time from which `customPricing` applies (config `model_info.effective_from`); for the version id. */
  pricesEffectiveFrom?: string;
}

export interface ResolvedPricing {
  /** 'custom' | 'base_model:NAME' | 'catalog:KEY@SNAPSHOT' | 'response_model:NAME' | 'unpriced' | 'custom+…'. */
  source: string;
  entryKey: string | null;
  prices: Readonly<Record<string, Money>>;
  /** Per key: 'custom' | 'catalog:KEY'. */
  origins: Readonly<Record<string, string>>;
  unpriced: boolean;
  mode: string | null;
  maxInputTokens: number | null;
  maxOutputTokens: number | null;
  warnings: string[];
  /** Image models: per `quality/WxH` (or `WxH`) variant prices from keys like `hd/1024-x-1024/dall-e-3`. */
  imageVariants?: Readonly<Record<string, ImageVariant>>;
  /** Id of the price version (catalog version, `+config@DATE` for custom prices) these prices belong to. */
  priceVersion?: string | null;
  /** Warnings carried into every Cost priced with this (e.g. Azure priced by its response model). */
  requestWarnings?: readonly string[];
}

export class PricingError extends Error {
  override readonly name = 'PricingError';
  constructor(
    message: string,
    readonly suggestions: string[] = [],
  ) {
    super(message);
  }
}

interface Found {
  key: string;
  entry: CatalogEntry;
  /** Startup warning about the match. */
  warning?: string;
  /** Carried on every cost priced by this match (a fine-tuned model at its base price). */
  flag?: string;
}

/** First catalog entry among the candidate keys; bare names must belong to the provider's family. */
function findEntry(
  catalog: Catalog,
  model: string,
  provider: string,
  trustExact: boolean,
): { found: Found | null; nearMiss: string | null } {
  let nearMiss: string | null = null;
  // Azure using OpenAI's entry is the last resort: an azure/… entry later in the list wins.
  let azureOpenAi: Found | null = null;
  for (const c of candidateKeys(model, provider)) {
    const entry = catalog.get(c.key);
    if (!entry) continue;
    const flagged = c.warning ? { warning: c.warning, flag: c.warning } : {};
    if (c.exact && (trustExact || c.key.startsWith(`${provider}/`)))
      return { found: { key: c.key, entry, ...flagged }, nearMiss };
    const compat = providerCompatible(provider, entry.litellm_provider);
    if (compat === 'yes') return { found: { key: c.key, entry, ...flagged }, nearMiss };
    if (compat === 'azure-openai') {
      azureOpenAi ??= {
        key: c.key,
        entry,
        warning: `priced with OpenAI's catalog entry "${c.key}" (no azure/${c.key} entry); set base_model if the Azure price differs${c.warning ? `; ${c.warning}` : ''}`,
        ...(c.warning ? { flag: c.warning } : {}),
      };
      continue;
    }
    nearMiss ??= `${c.key} (provider ${String(entry.litellm_provider)})`;
  }
  return { found: azureOpenAi, nearMiss };
}

function lookupBaseModel(catalog: Catalog, baseModel: string): Found | null {
  const exact = catalog.get(baseModel);
  if (exact) return { key: baseModel, entry: exact };
  const { provider } = splitProvider(baseModel);
  return findEntry(catalog, baseModel, provider, true).found;
}

function num(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return null;
}

function parseCustom(target: PricingTarget, warnings: string[]): Record<string, Money> {
  const out: Record<string, Money> = {};
  for (const [key, text] of Object.entries(target.customPricing ?? {})) {
    let value: Money;
    try {
      value = parseMoney(text);
    } catch (err) {
      throw new PricingError(
        `deployment "${target.name}": ${key} = "${text}" is not a price: ${(err as Error).message}`,
      );
    }
    if (value < 0n) throw new PricingError(`deployment "${target.name}": ${key} = "${text}" is negative`);
    if (!isKnownCostKey(key)) {
      const s = suggestCostKey(key);
      warnings.push(
        `deployment "${target.name}": unknown cost key "${key}" ignored${s ? ` (did you mean "${s}"?)` : ''}`,
      );
      continue;
    }
    out[key] = value;
  }
  return out;
}

const PER_SECOND = /_per_second$/;
const PER_TOKEN = /(_per_token|_token_cost)/;

/** Resolves the effective prices of a deployment. Throws PricingError for an unknown base_model or a bad price. */
export function resolvePricing(target: PricingTarget, catalog: Catalog): ResolvedPricing {
  const warnings: string[] = [];
  const custom = parseCustom(target, warnings);
  const customKeys = Object.keys(custom);
  const isAzure = providerFamily(target.provider) === 'azure';

  let found: Found | null = null;
  let entrySource: string | null = null;
  let nearMiss: string | null = null;
  const imageName = splitProvider(target.baseModel ?? target.model).rest;
  const imageProvider = target.baseModel ? splitProvider(target.baseModel).provider : target.provider;
  let imageVariants: Record<string, ImageVariant> | undefined;
  const findImageVariants = () => {
    const v = imageVariantsFor(catalog, imageName, imageProvider);
    if (Object.keys(v).length > 0) imageVariants = v;
    if (!imageVariants && providerFamily(imageProvider) !== 'openai') {
      const o = imageVariantsFor(catalog, imageName, 'openai');
      if (Object.keys(o).length > 0) imageVariants = o;
    }
  };
  if (target.baseModel) {
    found = lookupBaseModel(catalog, target.baseModel);
    if (!found) findImageVariants();
    if (!found && !imageVariants) {
      const suggestions = closestMatches(target.baseModel, catalog.keys(), 5);
      throw new PricingError(
        `deployment "${target.name}": base_model "${target.baseModel}" is not in the price catalog (${catalog.source}, ${catalog.snapshot})${suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''}`,
        suggestions,
      );
    }
    entrySource = `base_model:${target.baseModel}`;
  } else {
    const r = findEntry(catalog, target.model, target.provider, true);
    found = r.found;
    nearMiss = r.nearMiss;
    if (found) entrySource = `catalog:${found.key}@${catalog.snapshot}`;
  }
  if (found?.warning) warnings.push(`deployment "${target.name}": ${found.warning}`);

  const prices: Record<string, Money> = {};
  const origins: Record<string, string> = {};
  if (found) {
    const fromEntry = entryPrices(found.entry);
    const timeBilled =
      customKeys.some((k) => PER_SECOND.test(k)) && !customKeys.some((k) => PER_TOKEN.test(k));
    for (const [k, v] of Object.entries(fromEntry)) {
      if (timeBilled && !PER_SECOND.test(k)) continue;
      prices[k] = v;
      origins[k] = `catalog:${found.key}`;
    }
    if (timeBilled && Object.keys(fromEntry).some((k) => !PER_SECOND.test(k))) {
      warnings.push(
        `deployment "${target.name}": custom per-second pricing replaces the per-token prices of catalog entry "${found.key}"`,
      );
    }
  }
  for (const k of customKeys) {
    prices[k] = custom[k];
    origins[k] = 'custom';
  }
  for (const k of customKeys) {
    for (const tiered of Object.keys(prices)) {
      if (
        origins[tiered] !== 'custom' &&
        tierThreshold(tiered) !== null &&
        tiered.startsWith(`${k}_above_`)
      ) {
        warnings.push(
          `deployment "${target.name}": custom ${k} is used below the tier, but ${tiered} still comes from the catalog`,
        );
      }
    }
  }

  // Image generation: per size/quality variants (dall-e-2/3, gpt-image-1…).
  const mode =
    target.mode ??
    (typeof found?.entry.mode === 'string' ? found.entry.mode : imageVariants ? 'image_generation' : null);
  if (!imageVariants && (!found || mode === 'image_generation')) findImageVariants();

  const inherited = Object.values(origins).some((o) => o !== 'custom');
  let source: string;
  if (customKeys.length > 0) source = inherited && entrySource ? `custom+${entrySource}` : 'custom';
  else if (entrySource) source = entrySource;
  else if (imageVariants) source = `catalog:*/${imageName}@${catalog.snapshot}`;
  else source = 'unpriced';
  const unpriced = source === 'unpriced';

  if (unpriced) {
    if (isAzure) {
      warnings.push(
        `deployment "${target.name}": Azure deployment "${target.model}" has no base_model and no custom pricing; requests are priced by the model name Azure returns (source response_model, as LiteLLM does), which can be generic (gpt-4 for gpt-4-1106-preview) and give wrong costs — set model_info.base_model (e.g. azure/gpt-4o).`,
      );
    } else {
      warnings.push(
        `deployment "${target.name}": no price for model "${target.model}" (no custom pricing, no base_model, not in the catalog${nearMiss ? `; found ${nearMiss}, set base_model to use it` : ''}); requests are recorded as unpriced (cost 0) unless the provider's response model is in the catalog`,
      );
    }
  }

  const entry = found?.entry;
  return {
    source,
    entryKey: found?.key ?? null,
    prices: Object.freeze(prices),
    origins: Object.freeze(origins),
    unpriced,
    mode,
    maxInputTokens: num(entry?.max_input_tokens),
    maxOutputTokens: num(entry?.max_output_tokens),
    warnings,
    ...(imageVariants ? { imageVariants: Object.freeze(imageVariants) } : {}),
    priceVersion: priceVersionOf(catalog, customKeys.length > 0, target.pricesEffectiveFrom),
    ...(found?.flag ? { requestWarnings: Object.freeze([found.flag]) } : {}),
  };
}

/**
 * The version id of a resolution: the catalog's version, `+config@DATE` when the deployment's custom
 * prices apply (DATE = their effective_from, `undated` when none was given).
 */
export function priceVersionOf(catalog: Catalog, custom: boolean, effectiveFrom?: string): string | null {
  const base = catalog.versionId ?? null;
  if (!custom) return base;
  const c = `config@${effectiveFrom ?? 'undated'}`;
  return base ? `${base}+${c}` : c;
}

/**
 * Rule 4: prices by the model name the provider returned (used when a deployment resolved unpriced).
 * Azure too, as LiteLLM does, with a warning on every such cost that recommends base_model (Azure's
 * names can be generic: gpt-4 for gpt-4-1106-preview). Null when the catalog has no matching entry.
 */
export function resolveResponseModel(
  responseModel: string,
  provider: string,
  catalog: Catalog,
): ResolvedPricing | null {
  if (!responseModel) return null;
  const { found } = findEntry(catalog, responseModel, provider, false);
  if (!found) return null;
  const requestWarnings: string[] = [];
  if (providerFamily(provider) === 'azure')
    requestWarnings.push(
      `Azure deployment without base_model: priced by the response model "${responseModel}" (catalog ${found.key}); Azure may report a generic name, set model_info.base_model for exact costs`,
    );
  if (found.flag) requestWarnings.push(found.flag);
  const prices = entryPrices(found.entry);
  return {
    source: `response_model:${responseModel}`,
    entryKey: found.key,
    prices: Object.freeze(prices),
    origins: Object.freeze(Object.fromEntries(Object.keys(prices).map((k) => [k, `catalog:${found.key}`]))),
    unpriced: false,
    mode: typeof found.entry.mode === 'string' ? found.entry.mode : null,
    maxInputTokens: num(found.entry.max_input_tokens),
    maxOutputTokens: num(found.entry.max_output_tokens),
    warnings: [...requestWarnings],
    priceVersion: catalog.versionId ?? null,
    ...(requestWarnings.length ? { requestWarnings: Object.freeze(requestWarnings) } : {}),
  };
}
