/**
 * @module gateway/deployment-runtime
 * Everything the hot path needs about one deployment, resolved once at load: the provider it goes to (a bare
 * model name is routed to the provider the catalog names), its provider family and the call types it can serve,
 * its effective prices (and where they came from), the api_base it is sent to, configuration problems that make
 * every call fail, and a credential-free label for logs and errors.
 *
 * A deployment that cannot be served (a config entry that did not load, an unsupported provider, a price that is
 * not a price, no price under require_pricing) is disabled with its reasons, and the rest are served; in strict
 * mode (`--strict`, strict_config) each reason is an error instead. Wildcard entries (`model_name: "*"`,
 * `openai/*`, `claude-*`) are templates: a concrete runtime is made per requested name (model-directory.ts).
 */
import type { DeploymentConfig, GatewayConfig } from '../config/types.js';
import {
  type Catalog,
  createDatedPricing,
  type PriceVersionRegistry,
  PricingError,
  type PricingTarget,
  type ResolvedPricing,
  resolvePricing,
} from '../pricing/index.js';
import { familyForDeployment } from '../providers/registry.js';
import { deploymentLabel } from '../providers/shared/upstream-error.js';
import { type CallType, type ProviderFamily, supportedCallTypes } from '../providers/types.js';
import { isWildcardName } from '../router/wildcards.js';
import { unsupportedProviderReason, withRoutedProvider } from './provider-routing.js';
import { displayUrl } from './redact.js';

export interface DeploymentRuntime {
  /** model_info.id (or the derived id): the deployment's identity for routing state and spend logs. */
  readonly id: string;
  readonly config: DeploymentConfig;
  readonly family: ProviderFamily;
  /** The call types this deployment's family can serve (its endpoint table). */
  readonly callTypes: ReadonlySet<CallType>;
  /**
   * Problems found at load that make every call fail (a missing key, no api_base): warned at start and
   * answered with TG_ERR_PROVIDER_CONFIG, never retried.
   */
  readonly configProblems: readonly string[];
  pricing: ResolvedPricing;
  /** Prices in effect at a request's start time (dated price versions); absent = `pricing`. */
  pricingAt?: (startTime: number) => ResolvedPricing;
  /** The base URL calls go to (api_base, the provider's env variable or its default), credential-free. */
  readonly apiBase: string | null;
  /** `model_name (provider/model, id)` for messages. */
  readonly label: string;
  // Routable:
  readonly modelName: string;
  readonly rpm?: number;
  readonly tpm?: number;
  /** litellm_params.weight (simple-shuffle). */
  readonly weight?: number;
  /** litellm_params.order: lower orders are tried first. */
  readonly order?: number;
  /** litellm_params.stream_timeout in seconds. */
  readonly streamTimeout?: number;
}

/** A deployment that is not served, and why (the reasons are warned at start; `why` is what clients hear). */
export interface DisabledRuntime {
  readonly modelName: string | undefined;
  /** `model_list[3] (name)` with file:line when known. */
  readonly where: string;
  /** Each reason with its place, for logs. */
  readonly reasons: readonly string[];
  /** Each reason as a client is told it (no file paths). */
  readonly why: readonly string[];
  readonly model?: string;
}

export interface RuntimeBuild {
  runtimes: DeploymentRuntime[];
  /** Wildcard entries, ready to be made concrete per requested model name. */
  wildcards: DeploymentRuntime[];
  disabled: DisabledRuntime[];
  /** Problems that refuse the start (only in strict mode; otherwise they disable their deployment). */
  errors: string[];
  warnings: string[];
}

export interface BuildOptions {
  /** Refuse instead of disabling (default: config.strict). */
  strict?: boolean;
  /**
   * Dated price versions: each deployment is priced by the version in effect at a request's start (its spend
   * row names the version); without, by `catalog` alone.
   */
  versions?: PriceVersionRegistry;
}

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim())) return Number(v);
  return undefined;
}

function whereOf(d: { index: number; modelName?: string; line?: number; file?: string }): string {
  const at = d.line !== undefined ? ` at ${d.file ?? 'config.yaml'}:${d.line}` : '';
  return `model_list[${d.index}]${d.modelName ? ` (${d.modelName})` : ''}${at}`;
}

/** One deployment's runtime, or the reasons it cannot be served. Pure apart from the family's env lookups. */
export function buildRuntime(
  written: DeploymentConfig,
  catalog: Catalog,
  requirePricing: boolean,
  versions?: PriceVersionRegistry,
): { runtime?: DeploymentRuntime; reasons: string[]; warnings: string[] } {
  const d = withRoutedProvider(written, catalog);
  const reasons: string[] = [];
  const warnings: string[] = [];
  if (d !== written) {
    warnings.push(
      `"${d.model}" has no provider prefix: routed to ${d.provider} (the provider the price catalog names for it, as LiteLLM does); write ${d.provider}/${d.upstreamModel} to say so`,
    );
  }
  const family = familyForDeployment(d);
  if (!family) reasons.push(unsupportedProviderReason(d));
  if (d.upstreamModel === '' && !isWildcardName(d.modelName)) {
    reasons.push(`litellm_params.model "${d.model}" names no model after the provider prefix`);
  }
  let pricing: ResolvedPricing | null = null;
  let pricingAt: ((startTime: number) => ResolvedPricing) | undefined;
  try {
    pricing = resolveDeploymentPricing(d, catalog);
    if (versions) {
      const dated = datedPricing(d, versions);
      // The current version's prices, with the warnings resolution gave (e.g. a base_model newer than the catalog).
      pricing = { ...dated.current, warnings: pricing.warnings };
      pricingAt = dated.at;
    }
  } catch (err) {
    if (!(err instanceof PricingError)) throw err;
    reasons.push(err.message);
  }
  if (pricing?.unpriced && requirePricing && !isWildcardName(d.modelName)) {
    reasons.push(`no price found for "${d.model}" and general_settings.require_pricing is true`);
  }
  if (!family || !pricing || reasons.length > 0) return { reasons, warnings };
  // A wildcard template is priced per requested name (model-directory.ts), not here.
  if (!isWildcardName(d.modelName)) for (const w of pricing.warnings) warnings.push(w);
  const configProblems = family.checkDeployment?.(d) ?? [];
  for (const p of configProblems) warnings.push(`${p} (every call to it will fail until this is fixed)`);
  const o = d.deploymentOptions ?? {};
  const runtime: DeploymentRuntime = {
    id: d.id,
    config: d,
    family,
    callTypes: new Set(supportedCallTypes(family)),
    configProblems,
    pricing,
    ...(pricingAt ? { pricingAt } : {}),
    apiBase: displayUrl(family.apiBase?.(d) ?? d.apiBase) ?? null,
    label: deploymentLabel(d),
    modelName: d.modelName,
    rpm: d.rpm,
    tpm: d.tpm,
    weight: num(o.weight),
    order: num(o.order),
    streamTimeout: num(o.stream_timeout),
  };
  return { runtime, reasons, warnings };
}

export function buildRuntimes(
  config: GatewayConfig,
  catalog: Catalog,
  opts: BuildOptions = {},
): RuntimeBuild {
  const strict = opts.strict ?? config.strict === true;
  const out: RuntimeBuild = { runtimes: [], wildcards: [], disabled: [], errors: [], warnings: [] };
  for (const x of config.disabledDeployments ?? []) {
    out.disabled.push({
      modelName: x.modelName,
      where: whereOf(x),
      reasons: x.reasons,
      why: x.why,
      model: x.model,
    });
  }
  for (const d of config.deployments) {
    const where = whereOf(d);
    const r = buildRuntime(d, catalog, config.generalSettings.requirePricing, opts.versions);
    for (const w of r.warnings) out.warnings.push(`${where}: ${w}`);
    if (r.runtime) {
      (isWildcardName(d.modelName) ? out.wildcards : out.runtimes).push(r.runtime);
      continue;
    }
    if (strict) {
      for (const reason of r.reasons) out.errors.push(`${where}: ${reason}`);
      continue;
    }
    out.disabled.push({
      modelName: d.modelName,
      where,
      reasons: r.reasons.map((x) => `${where}: ${x}`),
      why: r.reasons,
      model: d.model,
    });
    out.warnings.push(
      `${where}: deployment disabled: ${r.reasons.join('; ')}. Requests for "${d.modelName}" get a 400 naming this reason unless another deployment of it serves them (\`--strict\` refuses to start instead)`,
    );
  }
  return out;
}

/**
 * Effective prices. A base_model the catalog does not know (newer than the catalog in use) is not fatal: it is
 * warned, with how to load a newer cost map, and the deployment is priced by its model when the catalog knows it,
 * else unpriced with that reason.
 */
/** What pricing needs to know about a deployment. */
export function pricingTarget(d: DeploymentConfig): PricingTarget {
  return {
    name: `${d.modelName} (${d.id})`,
    model: d.model,
    provider: d.provider,
    baseModel: d.baseModel,
    customPricing: d.customPricing,
    mode: d.mode,
    ...(d.pricesEffectiveFrom ? { pricesEffectiveFrom: d.pricesEffectiveFrom } : {}),
  };
}

/** Prices per version; a base_model no version knows is dropped, as resolveDeploymentPricing does. */
function datedPricing(d: DeploymentConfig, versions: PriceVersionRegistry) {
  try {
    return createDatedPricing(pricingTarget(d), versions);
  } catch (err) {
    if (!(err instanceof PricingError) || d.baseModel === undefined) throw err;
    return createDatedPricing({ ...pricingTarget(d), baseModel: undefined }, versions);
  }
}

export function resolveDeploymentPricing(d: DeploymentConfig, catalog: Catalog): ResolvedPricing {
  const target = pricingTarget(d);
  try {
    return resolvePricing(target, catalog);
  } catch (err) {
    if (!(err instanceof PricingError) || d.baseModel === undefined || catalog.get(d.baseModel)) throw err;
    // Only the base_model is unknown if the deployment resolves without it.
    const byModel = resolvePricing({ ...target, baseModel: undefined }, catalog);
    const newer =
      `base_model "${d.baseModel}" is not in the price catalog in use (${catalog.source}, snapshot ${catalog.snapshot}); ` +
      'it may be newer than this catalog: load a newer cost map (general_settings.cost_map / TOLLGATE_COST_MAP, ' +
      'POST /pricing/reload, SIGHUP) or set custom prices';
    const warnings = byModel.warnings.filter((w) => !w.includes('has no base_model'));
    warnings.unshift(
      byModel.unpriced
        ? `${newer}. Until then requests are recorded as unpriced (cost 0, flagged) because "${d.model}" is not in the catalog either`
        : `${newer}. Until then it is priced by its model "${d.model}" (${byModel.source})`,
    );
    return { ...byModel, warnings };
  }
}
