/**
 * @module reprice/targets
 * The config's deployments as pricing targets, by deployment id (the id spend rows store), so re-pricing
 * prices each row the way the gateway did: custom prices (from their effective_from), base_model, model.
 */
import type { DeploymentConfig } from '../config/types.js';
import type { PricingTarget } from '../pricing/index.js';

export function pricingTargets(deployments: readonly DeploymentConfig[]): Map<string, PricingTarget> {
  const out = new Map<string, PricingTarget>();
  for (const d of deployments) {
    out.set(d.id, {
      name: `${d.modelName} (${d.id})`,
      model: d.model,
      provider: d.provider,
      baseModel: d.baseModel,
      customPricing: d.customPricing,
      mode: d.mode,
      ...(d.pricesEffectiveFrom ? { pricesEffectiveFrom: d.pricesEffectiveFrom } : {}),
    });
  }
  return out;
}
