/**
 * @module providers/bedrock/converse-response
 * Converse answer → OpenAI chat.completion, stopReason → finish_reason, and Converse usage → Usage.
 * Bedrock's `inputTokens` EXCLUDES cache reads and writes (they are reported beside it in
 * `cacheReadInputTokens` / `cacheWriteInputTokens`, as Anthropic does); LiteLLM and the Vercel AI SDK add
 * them back, and so does this converter: `inputTokens` is every prompt token, like OpenAI's prompt_tokens.
 * In JSON mode (response_format) the forced tool's input is the answer's content.
 */
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, count, isRecord, type Json, rec, str } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function mapStopReason(reason: unknown): string | null {
  if (typeof reason !== 'string') return null;
  return FINISH[reason] ?? 'stop';
}

/** Converse `usage` (TokenUsage) → Usage; null when there is none. */
export function converseUsage(raw: unknown): Usage | null {
  if (!isRecord(raw)) return null;
  const usage = emptyUsage();
  usage.cacheReadTokens = count(raw.cacheReadInputTokens);
  usage.cacheWriteTokens = count(raw.cacheWriteInputTokens);
  usage.inputTokens = count(raw.inputTokens) + usage.cacheReadTokens + usage.cacheWriteTokens;
  usage.outputTokens = count(raw.outputTokens);
  return usage;
}

/** The OpenAI usage object for a Converse answer (LiteLLM's cache fields included). */
export function converseUsageToOpenAi(usage: Usage): Json {
  return usageToOpenAi(usage, { anthropicCacheFields: true });
}

/** Converse response → chat.completion. `jsonTool` names the JSON-mode tool when response_format asked. */
export function converseToChat(res: Json, model: string, usage: Usage, jsonTool?: string): Json {
  const msg = rec(rec(res.output).message);
  let text = '';
  let reasoning = '';
  const thinkingBlocks: Json[] = [];
  const toolCalls: Json[] = [];
  for (const block of arr(msg.content)) {
    if (!isRecord(block)) continue;
    if (typeof block.text === 'string') text += block.text;
    else if (isRecord(block.toolUse)) {
      const tu = block.toolUse;
      toolCalls.push({
        id: str(tu.toolUseId) ?? newId('call_'),
        type: 'function',
        function: { name: tu.name, arguments: JSON.stringify(tu.input ?? {}) },
      });
    } else if (isRecord(block.reasoningContent)) {
      const rt = rec(block.reasoningContent.reasoningText);
      if (typeof rt.text === 'string') reasoning += rt.text;
      thinkingBlocks.push({ type: 'thinking', thinking: rt.text ?? '', signature: rt.signature });
    }
  }
  let finish = mapStopReason(res.stopReason) ?? 'stop';
  const message: Json = { role: 'assistant', content: text };
  const only = toolCalls.length === 1 ? toolCalls[0] : undefined;
  if (jsonTool && only && rec(only.function).name === jsonTool) {
    message.content = rec(only.function).arguments;
    if (finish === 'tool_calls') finish = 'stop';
  } else if (toolCalls.length > 0) {
    message.tool_calls = toolCalls;
    if (text === '') message.content = null;
  }
  if (thinkingBlocks.length > 0) {
    message.reasoning_content = reasoning;
    message.thinking_blocks = thinkingBlocks;
  }
  return {
    id: newId('chatcmpl-'),
    object: 'chat.completion',
    created: nowSeconds(),
    model,
    choices: [{ index: 0, message, finish_reason: finish, logprobs: null }],
    usage: converseUsageToOpenAi(usage),
  };
}
