/**
 * @module gateway/worst-case-cost
 * The most a request can cost, for budget reservations: every prompt token at the input price plus
 * max_tokens / max_output_tokens (or the model's output limit) at the output price, on the most expensive
 * deployment of the group that can serve the call; and its ceiling, with the model's output limit whatever
 * max_tokens says. Speech adds its characters, transcriptions the uploaded audio's length, rerank one query
 * per 100 documents; calls that generate no text reserve no output tokens.
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
  const noOutput = NO_OUTPUT.has(callType);
  const audioMs = uploadedAudioMs(body);
  for (const rt of group.members) {
    const modelMax = num(rt.config.modelInfo?.max_output_tokens) ?? rt.pricing.maxOutputTokens;
    const limit = ignoreRequested ? (modelMax ?? requested) : requested;
    const maxOut = noOutput ? 0 : (limit ?? rt.pricing.maxOutputTokens ?? 4096);
    const images = num(body.n) ?? (typeof body.n === 'string' ? Number.parseInt(body.n, 10) || 1 : 1);
    const usage: Usage = {
      ...emptyUsage(),
      inputTokens: promptTokens,
      outputTokens: maxOut,
      durationMs: (rt.config.timeout ?? timeoutSeconds) * 1000,
      estimated: true,
      ...(callType === 'speech' && typeof body.input === 'string'
        ? { inputCharacters: [...body.input].length }
        : {}),
      ...(audioMs !== undefined ? { audioDuration: { ms: audioMs, source: 'the uploaded file' } } : {}),
      ...(callType === 'rerank' && Array.isArray(body.documents)
        ? { queries: Math.max(1, Math.ceil(body.documents.length / 100)) }
        : {}),
      images:
        callType === 'image_generation' || callType === 'image_edit' || callType === 'image_variation'
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

/** Call types whose answer has no generated text tokens to reserve. */
const NO_OUTPUT: ReadonlySet<CallType> = new Set([
  'embedding',
  'moderation',
  'rerank',
  'count_tokens',
  'speech',
]);

function uploadedAudioMs(body: Record<string, unknown>): number | undefined {
  if (!Array.isArray(body.files)) return undefined;
  let ms: number | undefined;
  for (const f of body.files as Array<{ durationMs?: number }>)
    if (typeof f.durationMs === 'number') ms = (ms ?? 0) + f.durationMs;
  return ms;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
}
