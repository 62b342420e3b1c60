/**
 * @module providers/openai-compatible/xai-usage
 * xAI's usage normaliser. xAI speaks OpenAI's format but reports reasoning tokens OUTSIDE
 * `completion_tokens` (`total_tokens = prompt + completion + reasoning`), where OpenAI counts them inside.
 * Both are billed at the output price, so the reasoning tokens are added to outputTokens (LiteLLM's xAI
 * cost calculator does the same). When a response's total shows them already inside, nothing is added.
 */
import type { Usage } from '../../pricing/usage.js';
import { count, isRecord } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';

export function usageFromXai(raw: unknown): Usage | null {
  const usage = usageFromOpenAi(raw);
  if (!usage || !isRecord(raw) || usage.reasoningTokens === 0) return usage;
  const total = count(raw.total_tokens);
  const inside = total > 0 && total === usage.inputTokens + usage.outputTokens;
  if (!inside) usage.outputTokens += usage.reasoningTokens;
  return usage;
}
