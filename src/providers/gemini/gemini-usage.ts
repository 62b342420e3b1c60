/**
 * @module providers/gemini/gemini-usage
 * Gemini `usageMetadata` (AI Studio and Vertex alike) → the internal Usage, and back to an OpenAI usage
 * object for responses the gateway synthesises.
 *
 * Google's counters do not all include their parts the way OpenAI's do:
 * - `promptTokenCount` INCLUDES `cachedContentTokenCount` (the cached part of the prompt);
 * - `toolUsePromptTokenCount` (prompts of built-in tools such as Google Search) is NOT part of it but is
 *   billed as input, so it is added to `inputTokens`;
 * - `candidatesTokenCount` EXCLUDES `thoughtsTokenCount`; both are billed as output, so `outputTokens` is
 *   their sum and `reasoningTokens` the thoughts (priced at the output rate unless the catalog entry has
 *   `output_cost_per_reasoning_token`, see pricing/plan.ts).
 * Audio: `audioInputTokens` is the uncached AUDIO modality of the prompt (cached audio is already inside
 * `cacheReadTokens`), `audioOutputTokens` the AUDIO modality of the candidates.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { arr, count, isRecord, rec } from '../shared/json.js';

/** Tokens of one modality (`TEXT`, `IMAGE`, `AUDIO`, `VIDEO`, `DOCUMENT`) in a ModalityTokenCount list. */
export function modalityTokens(details: unknown, modality: string): number {
  let n = 0;
  for (const d of arr(details)) {
    const r = rec(d);
    if (r.modality === modality) n += count(r.tokenCount);
  }
  return n;
}

/** Gemini usageMetadata → Usage; null when there is no usage object at all. */
export function geminiUsage(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const usage = emptyUsage();
  const cached = count(raw.cachedContentTokenCount);
  const thoughts = count(raw.thoughtsTokenCount);
  usage.inputTokens = count(raw.promptTokenCount) + count(raw.toolUsePromptTokenCount);
  usage.cacheReadTokens = Math.min(cached, usage.inputTokens);
  usage.outputTokens = count(raw.candidatesTokenCount) + thoughts;
  usage.reasoningTokens = thoughts;
  const audioIn =
    modalityTokens(raw.promptTokensDetails, 'AUDIO') - modalityTokens(raw.cacheTokensDetails, 'AUDIO');
  usage.audioInputTokens = Math.max(0, audioIn);
  usage.audioOutputTokens = modalityTokens(raw.candidatesTokensDetails, 'AUDIO');
  return usage;
}
