/**
 * @module providers/anthropic/anthropic-response
 * Anthropic Message → OpenAI chat.completion, stop_reason → finish_reason, and Anthropic usage →
 * Usage. Anthropic's `input_tokens` EXCLUDES cache reads and writes; they are added back so
 * `inputTokens` is every prompt token, like OpenAI's `prompt_tokens`.
 */
import type { Usage } from '../../pricing/usage.js';
import { nowSeconds } from '../shared/ids.js';
import { arr, isRecord, type Json, str } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';

const FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function mapStopReason(reason: unknown): string | null {
  if (typeof reason !== 'string') return null;
  return FINISH[reason] ?? 'stop';
}

// The usage normaliser lives in anthropic-usage.ts (1-hour cache writes, service tier); re-exported here.
export {
  type AnthropicCounters,
  anthropicUsage,
  applyAnthropicUsage,
  countersToUsage,
  newCounters,
} from './anthropic-usage.js';

/** Anthropic Message → OpenAI chat.completion (text, tool_calls, thinking as `reasoning_content`). */
export function messageToChat(msg: Json, usage: Usage): Json {
  let text = '';
  let reasoning = '';
  const toolCalls: Json[] = [];
  const thinkingBlocks: Json[] = [];
  for (const block of arr(msg.content)) {
    if (!isRecord(block)) continue;
    if (block.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block.type === 'tool_use') {
      toolCalls.push({
        id: block.id,
        type: 'function',
        function: { name: block.name, arguments: JSON.stringify(block.input ?? {}) },
      });
    } else if (block.type === 'thinking' || block.type === 'redacted_thinking') {
      if (typeof block.thinking === 'string') reasoning += block.thinking;
      thinkingBlocks.push(block);
    }
  }
  const message: Json = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinkingBlocks.length > 0) {
    message.reasoning_content = reasoning;
    message.thinking_blocks = thinkingBlocks;
  }
  return {
    id: str(msg.id) ?? '',
    object: 'chat.completion',
    created: nowSeconds(),
    model: str(msg.model) ?? '',
    choices: [{ index: 0, message, finish_reason: mapStopReason(msg.stop_reason) ?? 'stop', logprobs: null }],
    usage: usageToOpenAi(usage, { anthropicCacheFields: true }),
  };
}
