/**
 * @module cache/stream-replay
 * A cached answer replayed to a streaming client, in the client's wire format: OpenAI chat and text
 * completions as `chat.completion.chunk` / `text_completion` SSE chunks (content, tool calls, finish
 * reason, then the usage chunk with `cost: 0` when the client asked for usage, then `[DONE]`), and
 * Anthropic Messages as its event sequence. Returns null when the answer cannot be replayed.
 */
import { exact, stringifyExact } from '../pricing/exact-json.js';
import type { CallType } from '../providers/types.js';

type Json = Record<string, unknown>;

const sse = (data: string, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${data}\n\n`;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function replayAsStream(
  callType: CallType,
  bodyText: string,
  includeUsage: boolean,
  requestId: string,
): string | null {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return null;
  }
  if (!isRecord(body)) return null;
  if (callType === 'chat') return chat(body, includeUsage, requestId);
  if (callType === 'completion') return textCompletion(body, includeUsage, requestId);
  if (callType === 'anthropic_messages') return anthropic(body);
  return null;
}

function usageFrame(head: Json, usage: unknown, requestId: string): string {
  const u = isRecord(usage) ? usage : {};
  return sse(
    stringifyExact({ ...head, choices: [], usage: { ...u, cost: exact('0'), request_id: requestId } }),
  );
}

function chat(body: Json, includeUsage: boolean, requestId: string): string | null {
  if (!Array.isArray(body.choices)) return null;
  const head = { id: body.id, object: 'chat.completion.chunk', created: body.created, model: body.model };
  let out = '';
  for (const c of body.choices) {
    if (!isRecord(c) || !isRecord(c.message)) return null;
    const m = c.message;
    const delta: Json = { role: m.role ?? 'assistant', content: m.content ?? null };
    if (Array.isArray(m.tool_calls))
      delta.tool_calls = m.tool_calls.map((t, index) => (isRecord(t) ? { index, ...t } : t));
    out += sse(JSON.stringify({ ...head, choices: [{ index: c.index ?? 0, delta, finish_reason: null }] }));
    out += sse(
      JSON.stringify({
        ...head,
        choices: [{ index: c.index ?? 0, delta: {}, finish_reason: c.finish_reason ?? 'stop' }],
      }),
    );
  }
  if (includeUsage) out += usageFrame(head, body.usage, requestId);
  return `${out}data: [DONE]\n\n`;
}

function textCompletion(body: Json, includeUsage: boolean, requestId: string): string | null {
  if (!Array.isArray(body.choices)) return null;
  const head = { id: body.id, object: 'text_completion', created: body.created, model: body.model };
  let out = '';
  for (const c of body.choices) {
    if (!isRecord(c)) return null;
    out += sse(
      JSON.stringify({
        ...head,
        choices: [{ index: c.index ?? 0, text: c.text ?? '', finish_reason: c.finish_reason ?? 'stop' }],
      }),
    );
  }
  if (includeUsage) out += usageFrame(head, body.usage, requestId);
  return `${out}data: [DONE]\n\n`;
}

function anthropic(body: Json): string | null {
  if (!Array.isArray(body.content)) return null;
  const usage = isRecord(body.usage) ? body.usage : {};
  let out = sse(
    JSON.stringify({
      type: 'message_start',
      message: { ...body, content: [], stop_reason: null, usage: { ...usage, output_tokens: 0 } },
    }),
    'message_start',
  );
  body.content.forEach((block, index) => {
    if (!isRecord(block)) return;
    if (block.type === 'tool_use') {
      const start = { type: 'content_block_start', index, content_block: { ...block, input: {} } };
      out += sse(JSON.stringify(start), 'content_block_start');
      const delta = { type: 'input_json_delta', partial_json: JSON.stringify(block.input ?? {}) };
      out += sse(JSON.stringify({ type: 'content_block_delta', index, delta }), 'content_block_delta');
    } else {
      const start = { type: 'content_block_start', index, content_block: { type: 'text', text: '' } };
      out += sse(JSON.stringify(start), 'content_block_start');
      const delta = { type: 'text_delta', text: typeof block.text === 'string' ? block.text : '' };
      out += sse(JSON.stringify({ type: 'content_block_delta', index, delta }), 'content_block_delta');
    }
    out += sse(JSON.stringify({ type: 'content_block_stop', index }), 'content_block_stop');
  });
  out += sse(
    JSON.stringify({
      type: 'message_delta',
      delta: { stop_reason: body.stop_reason ?? 'end_turn', stop_sequence: body.stop_sequence ?? null },
      usage: { output_tokens: usage.output_tokens ?? 0 },
    }),
    'message_delta',
  );
  return out + sse(JSON.stringify({ type: 'message_stop' }), 'message_stop');
}
