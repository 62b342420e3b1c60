/**
 * @module providers/responses/chat-to-responses
 * A chat completion → an OpenAI Responses API `response` object (for translated providers): the
 * assistant text as a `message` output item with one `output_text` part, each tool call as a
 * `function_call` item, finish_reason → status / incomplete_details, and Usage → the Responses usage
 * object (input_tokens with cached_tokens, output_tokens with reasoning_tokens).
 */
import type { Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import { arr, isRecord, type Json, rec, str } from '../shared/json.js';

/** The Responses API usage object for a normalised Usage (totals include their parts, as in OpenAI's). */
export function usageToResponses(usage: Usage): Json {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** chat finish_reason → Responses status and incomplete_details. */
export function statusOf(finish: string | null | undefined): { status: string; incomplete: Json | null } {
  if (finish === 'length') return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
  return { status: 'completed', incomplete: null };
}

export function messageItem(text: string, status = 'completed', id = newId('msg_')): Json {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
}

export function functionCallItem(
  callId: string,
  name: string,
  args: string,
  status = 'completed',
  id = newId('fc_'),
): Json {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

/** The request fields a response object echoes back. */
export function echoedFields(request: Json): Json {
  return {
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: {
      effort: rec(request.reasoning).effort ?? null,
      summary: rec(request.reasoning).summary ?? null,
    },
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: request.text ?? { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    user: request.user ?? null,
    metadata: isRecord(request.metadata) ? request.metadata : {},
  };
}

/** The skeleton of a response object (status in_progress, no output yet). */
export function responseShell(id: string, model: string, request: Json, createdAt = nowSeconds()): Json {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status: 'in_progress',
    error: null,
    incomplete_details: null,
    model,
    output: [],
    ...echoedFields(request),
    usage: null,
  };
}

/** A chat.completion body → a completed (or incomplete) response object. */
export function chatToResponse(chat: Json, request: Json, usage: Usage): Json {
  const choice = rec(arr(chat.choices)[0]);
  const message = rec(choice.message);
  const output: Json[] = [];
  const text = typeof message.content === 'string' ? message.content : '';
  if (text !== '' || arr(message.tool_calls).length === 0) output.push(messageItem(text));
  for (const tc of arr(message.tool_calls)) {
    if (!isRecord(tc)) continue;
    const fn = rec(tc.function);
    output.push(functionCallItem(str(tc.id) ?? newId('call_'), str(fn.name) ?? '', str(fn.arguments) ?? ''));
  }
  const { status, incomplete } = statusOf(str(choice.finish_reason));
  return {
    ...responseShell(newId('resp_'), str(chat.model) ?? String(request.model ?? ''), request),
    status,
    incomplete_details: incomplete,
    output,
    usage: usageToResponses(usage),
  };
}
