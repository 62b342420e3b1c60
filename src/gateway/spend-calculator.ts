/**
 * @module gateway/spend-calculator
 * POST /spend/calculate without sending anything: the cost of a usage (`usage`, or LiteLLM's
 * `completion_response` with its `usage`) or of a request's prompt (`messages` / `prompt` / `input`,
 * counted with the model's tokenizer; completion 0, as LiteLLM does), priced with the model group's
 * first deployment exactly like a real call (custom prices, catalog, tiers).
 */
import { GatewayError } from '../errors.js';
import { type Cost, costToJSON, emptyUsage, formatMoney, priceUsage, type Usage } from '../pricing/index.js';
import { usageFromOpenAi } from '../providers/shared/openai-usage.js';
import { countPromptTokens } from '../providers/token-count.js';
import type { Engine } from './engine.js';

export interface SpendCalculation {
  model: string;
  deploymentId: string;
  cost: Cost;
  costText: string;
  usage: Usage;
  estimated: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function calculateSpend(engine: Engine, body: unknown): SpendCalculation {
  if (!isRecord(body))
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Pass a JSON object: {model, messages} or {model, usage}.');
  const cr = isRecord(body.completion_response) ? body.completion_response : null;
  const model =
    typeof body.model === 'string' ? body.model : typeof cr?.model === 'string' ? cr.model : undefined;
  if (!model)
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Field "model" is required (a configured model group).', {
      param: 'model',
    });
  const group = engine.groups.get(model);
  if (!group)
    throw new GatewayError(
      'TG_ERR_UNKNOWN_MODEL',
      `Model "${model}" is not configured. Available models: ${engine.modelNames().join(', ')}.`,
      {
        param: 'model',
      },
    );
  const rt = group.members[0];
  const rawUsage = isRecord(body.usage) ? body.usage : isRecord(cr?.usage) ? cr.usage : null;
  let usage: Usage;
  let estimated = false;
  if (rawUsage) {
    const u = usageFromOpenAi(rawUsage);
    const tokens = (k: string) => rawUsage[k];
    if (
      !u ||
      ![tokens('prompt_tokens'), tokens('completion_tokens')].every(
        (v) => v === undefined || (Number.isInteger(v) && (v as number) >= 0),
      )
    )
      throw new GatewayError(
        'TG_ERR_BAD_REQUEST',
        'usage needs prompt_tokens and completion_tokens as whole numbers >= 0.',
        { param: 'usage' },
      );
    usage = u;
  } else if (body.messages !== undefined || body.prompt !== undefined || body.input !== undefined) {
    usage = { ...emptyUsage(), inputTokens: countPromptTokens(body, rt.config.upstreamModel) };
    estimated = true;
  } else
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      'Pass "usage" (or completion_response.usage), or the request\'s "messages".',
      { param: 'usage' },
    );
  const cost = priceUsage(rt.pricing, usage);
  return { model, deploymentId: rt.config.id, cost, costText: formatMoney(cost.costUsd), usage, estimated };
}

export function spendCalculationJSON(c: SpendCalculation): Record<string, unknown> {
  return {
    cost: c.costText,
    model: c.model,
    model_id: c.deploymentId,
    prompt_tokens: c.usage.inputTokens,
    completion_tokens: c.usage.outputTokens,
    estimated_from_prompt: c.estimated,
    pricing_source: c.cost.source,
    unpriced: c.cost.unpriced,
    cost_breakdown: costToJSON(c.cost),
  };
}
