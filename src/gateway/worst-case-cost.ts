/**
 * @module gateway/worst-case-cost
 * The most a request can cost, for budget reservations: every prompt token at the input price plus
 * max_tokens (or the model's output limit) at the output price, on the most expensive deployment of the
 * group that can serve the call; and its ceiling, with the model's output limit whatever max_tokens says.
 */
import { emptyUsage, formatMoney, priceUsage, type Usage } from '../pricing/index.js';
import type { CallType } from '../providers/types.js';
import type { ModelGroup } from '../router/model-groups.js';
import type { DeploymentRuntime } from './deployment-runtime.js';

export function worstCaseCost(
  group: ModelGroup<DeploymentRuntime>,
  callType: CallType,
  body: Record<string, unknown>,
  promptTokens: number,
  timeoutSeconds: number,
  /**
   * The ceiling: what the call could cost if the upstream ignored `max_tokens` (up to the model's output
   * limit). Strict budgets admit calls side by side only while their ceilings fit.
   */
  ignoreRequested = false,
): string {
  const requested = num(body.max_tokens) ?? num(body.max_completion_tokens) ?? num(body.max_output_tokens);
  let worst = 0n;
  for (const rt of group.members) {
    const modelMax = num(rt.config.modelInfo?.max_output_tokens) ?? rt.pricing.maxOutputTokens;
    const limit = ignoreRequested ? (modelMax ?? requested) : requested;
    const maxOut = callType === 'embedding' ? 0 : (limit ?? rt.pricing.maxOutputTokens ?? 4096);
    const images = num(body.n) ?? 1;
    const usage: Usage = {
      ...emptyUsage(),
      inputTokens: promptTokens,
      outputTokens: maxOut,
      durationMs: (rt.config.timeout ?? timeoutSeconds) * 1000,
      estimated: true,
      images:
        callType === 'image_generation'
          ? {
              count: images,
              size: body.size as string | undefined,
              quality: body.quality as string | undefined,
            }
          : undefined,
    };
    const c = priceUsage(rt.pricing, usage).costUsd;
    if (c > worst) worst = c;
  }
  return formatMoney(worst);
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}
