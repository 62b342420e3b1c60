/**
 * @module gateway/deployment-runtime
 * Everything the hot path needs about one deployment, resolved once at load: its provider family and
 * the call types it can serve, its effective prices (and where they came from), configuration problems
 * that make every call fail, and a credential-free label for logs and errors.
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
import { displayUrl } from './redact.js';

export interface DeploymentRuntime {
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
  /** Prices in effect at a request's start time (dated price versions, issue 14); absent = `pricing`. */
  pricingAt?: (startTime: number) => ResolvedPricing;
  /** api_base without credentials, as stored in spend logs. */
  readonly apiBase: string | null;
  /** `model_name (provider/model, id)` for messages. */
  readonly label: string;
  // Routable:
  readonly modelName: string;
  readonly rpm?: number;
  readonly tpm?: number;
}

export interface RuntimeBuild {
  runtimes: DeploymentRuntime[];
  errors: string[];
  warnings: string[];
}

export function buildRuntimes(
  config: GatewayConfig,
  catalog: Catalog,
  versions?: PriceVersionRegistry,
): RuntimeBuild {
  const errors: string[] = [];
  const warnings: string[] = [];
  const runtimes: DeploymentRuntime[] = [];
  for (const d of config.deployments) {
    const where = `model_list[${d.index}] (${d.modelName})`;
    const family = familyForDeployment(d);
    if (!family) {
      errors.push(
        `${where}: provider "${d.provider}" of model "${d.model}" is not supported` +
          (d.apiBase
            ? ''
            : ' (set api_base to use an OpenAI-compatible endpoint, or mock_response to answer offline)'),
      );
    }
    let pricing: ResolvedPricing | null = null;
    let pricingAt: ((t: number) => ResolvedPricing) | undefined;
    try {
      if (versions) {
        const dated = createDatedPricing(pricingTarget(d), versions);
        pricing = dated.current;
        pricingAt = dated.at;
      } else pricing = resolveDeploymentPricing(d, catalog);
    } catch (err) {
      if (err instanceof PricingError) errors.push(`${where}: ${(err as Error).message}`);
      else throw err;
    }
    if (!pricing || !family) continue;
    for (const w of pricing.warnings) warnings.push(`${where}: ${w}`);
    if (pricing.unpriced && config.generalSettings.requirePricing) {
      errors.push(`${where}: no price found for "${d.model}" and general_settings.require_pricing is true`);
    }
    const configProblems = family.checkDeployment?.(d) ?? [];
    for (const p of configProblems)
      warnings.push(`${where}: ${p} (every call to it will fail until this is fixed)`);
    runtimes.push({
      config: d,
      family,
      callTypes: new Set(supportedCallTypes(family)),
      configProblems,
      pricing,
      ...(pricingAt ? { pricingAt } : {}),
      apiBase: displayUrl(d.apiBase) ?? null,
      label: deploymentLabel(d),
      modelName: d.modelName,
      rpm: d.rpm,
      tpm: d.tpm,
    });
  }
  return { runtimes, errors, warnings };
}

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

export function resolveDeploymentPricing(d: DeploymentConfig, catalog: Catalog): ResolvedPricing {
  return resolvePricing(pricingTarget(d), catalog);
}
