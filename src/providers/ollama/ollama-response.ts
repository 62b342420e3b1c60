/**
 * @module providers/ollama/ollama-response
 * Ollama answers → OpenAI shapes (chat.completion, text_completion, embedding list), and usage
 * from `prompt_eval_count` (prompt) / `eval_count` (generated). Ollama reports no cache split.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, count, isRecord, type Json, rec, str } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';

export function ollamaUsage(raw: Json): Usage {
  const usage = emptyUsage();
  usage.inputTokens = count(raw.prompt_eval_count);
  usage.outputTokens = count(raw.eval_count);
  return usage;
}

export function createdSeconds(raw: Json): number {
  const t = typeof raw.created_at === 'string' ? Date.parse(raw.created_at) : Number.NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : nowSeconds();
}

export function finishReason(raw: Json, hasToolCalls: boolean): string {
  if (hasToolCalls) return 'tool_calls';
  return raw.done_reason === 'length' ? 'length' : 'stop';
}

/** Ollama tool calls (object arguments) → OpenAI tool_calls (JSON-string arguments). */
export function toolCallsToOpenAi(calls: unknown, offset = 0): Json[] {
  return arr(calls)
    .filter(isRecord)
    .map((tc, i) => {
      const fn = rec(tc.function);
      return {
        index: offset + i,
        id: str(tc.id) ?? `call_${newId('').slice(0, 16)}`,
        type: 'function',
        function: {
          name: fn.name,
          arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
        },
      };
    });
}

/** `/api/chat` or `/api/generate` answer → chat.completion. */
export function ollamaToChat(raw: Json, usage: Usage): Json {
  const msg = rec(raw.message);
  const content = typeof msg.content === 'string' ? msg.content : (str(raw.response) ?? '');
  const thinking = str(msg.thinking) ?? str(raw.thinking);
  const calls = toolCallsToOpenAi(msg.tool_calls).map(({ index: _i, ...tc }) => tc);
  const message: Json = { role: 'assistant', content: content === '' && calls.length > 0 ? null : content };
  if (calls.length > 0) message.tool_calls = calls;
  if (thinking) message.reasoning_content = thinking;
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: createdSeconds(raw),
    model: str(raw.model) ?? '',
    choices: [{ index: 0, message, finish_reason: finishReason(raw, calls.length > 0), logprobs: null }],
    usage: usageToOpenAi(usage),
  };
}

/** `/api/generate` answer → text_completion. */
export function ollamaToCompletion(raw: Json, usage: Usage): Json {
  return {
    id: newId('cmpl-'),
    object: 'text_completion',
    created: createdSeconds(raw),
    model: str(raw.model) ?? '',
    choices: [
      { index: 0, text: str(raw.response) ?? '', finish_reason: finishReason(raw, false), logprobs: null },
    ],
    usage: usageToOpenAi(usage),
  };
}

/** `/api/embed` answer → OpenAI embedding list. */
export function ollamaToEmbedding(raw: Json, usage: Usage): Json {
  return {
    object: 'list',
    data: arr(raw.embeddings).map((embedding, index) => ({ object: 'embedding', index, embedding })),
    model: str(raw.model) ?? '',
    usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens },
  };
}
