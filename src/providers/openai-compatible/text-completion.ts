/**
 * @module providers/openai-compatible/text-completion
 * `text-completion-openai`: chat requests served by `/completions`. Messages are flattened into a
 * prompt; text_completion answers and chunks are mapped back to the chat shapes.
 */
import { arr, isRecord, type Json } from '../shared/json.js';
import { messagesToPrompt } from '../shared/messages.js';

/** Chat body → completions body (same sampling fields; messages/tools dropped). */
export function chatBodyToCompletion(body: Json): Json {
  const { messages, tools, tool_choice, parallel_tool_calls, response_format, ...rest } = body;
  const { system, prompt } = messagesToPrompt(messages);
  const out: Json = { ...rest, prompt: system === undefined ? prompt : `${system}\n\n${prompt}` };
  if (out.max_completion_tokens !== undefined && out.max_tokens === undefined) {
    out.max_tokens = out.max_completion_tokens;
  }
  delete out.max_completion_tokens;
  return out;
}

/** text_completion → chat.completion. */
export function completionToChat(upstream: Json): Json {
  return {
    id: upstream.id,
    object: 'chat.completion',
    created: upstream.created,
    model: upstream.model,
    choices: arr(upstream.choices)
      .filter(isRecord)
      .map((c, i) => ({
        index: typeof c.index === 'number' ? c.index : i,
        message: { role: 'assistant', content: typeof c.text === 'string' ? c.text : '' },
        finish_reason: c.finish_reason ?? null,
        logprobs: null,
      })),
    usage: upstream.usage,
  };
}

/** text_completion chunk → chat.completion.chunk (role on the first). */
export function completionChunkToChat(chunk: Json, first: boolean): Json {
  return {
    id: chunk.id,
    object: 'chat.completion.chunk',
    created: chunk.created,
    model: chunk.model,
    choices: arr(chunk.choices)
      .filter(isRecord)
      .map((c, i) => ({
        index: typeof c.index === 'number' ? c.index : i,
        delta: first
          ? { role: 'assistant', content: typeof c.text === 'string' ? c.text : '' }
          : { content: typeof c.text === 'string' ? c.text : '' },
        finish_reason: c.finish_reason ?? null,
      })),
  };
}
