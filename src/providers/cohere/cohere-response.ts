/**
 * @module providers/cohere/cohere-response
 * Cohere v2 answers → OpenAI shapes, and Cohere usage → Usage. Cohere reports two counts:
 * `usage.billed_units` (what Cohere charges for) and `usage.tokens` (which also counts the prompt
 * template the model sees). Costs follow the bill: billed_units, falling back to tokens when a response
 * carries no billed_units. (LiteLLM reads `tokens`, so its input counts run a little higher.)
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, count, isRecord, type Json, rec, str } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';

const FINISH: Record<string, string> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
  ERROR_TOXIC: 'content_filter',
  TIMEOUT: 'length',
};

export function mapFinishReason(reason: unknown): string {
  return typeof reason === 'string' ? (FINISH[reason.toUpperCase()] ?? 'stop') : 'stop';
}

/** Cohere `usage` (chat) or `meta` (embed) → Usage; null when neither count is there. */
export function cohereUsage(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const billed = isRecord(raw.billed_units) ? raw.billed_units : undefined;
  const tokens = isRecord(raw.tokens) ? raw.tokens : undefined;
  const src = billed ?? tokens;
  if (!src) return null;
  const usage = emptyUsage();
  usage.inputTokens = count(src.input_tokens);
  usage.outputTokens = count(src.output_tokens);
  return usage;
}

export function cohereToolCalls(calls: unknown): Json[] {
  return arr(calls)
    .filter(isRecord)
    .map((tc) => {
      const fn = rec(tc.function);
      return {
        id: str(tc.id) ?? newId('call_'),
        type: 'function',
        function: {
          name: fn.name,
          arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
        },
      };
    });
}

/** /v2/chat answer → chat.completion. */
export function cohereToChat(res: Json, model: string, usage: Usage): Json {
  const msg = rec(res.message);
  let text = '';
  let reasoning = '';
  for (const part of arr(msg.content)) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' && typeof part.text === 'string') text += part.text;
    else if (part.type === 'thinking' && typeof part.thinking === 'string') reasoning += part.thinking;
  }
  const toolCalls = cohereToolCalls(msg.tool_calls);
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  if (typeof msg.tool_plan === 'string' && msg.tool_plan !== '') message.tool_plan = msg.tool_plan;
  return {
    id: str(res.id) ?? newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: mapFinishReason(res.finish_reason), logprobs: null }],
    usage: usageToOpenAi(usage),
  };
}

/** Float vectors of a /v2/embed (`embeddings.float`) or v1 (`embeddings`) answer. */
export function cohereVectors(res: Json): number[][] {
  if (Array.isArray(res.embeddings)) return res.embeddings as number[][];
  return arr(rec(res.embeddings).float) as number[][];
}
