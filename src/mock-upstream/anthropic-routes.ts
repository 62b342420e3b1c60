/**
 * @module mock-upstream/anthropic-routes
 * Anthropic Messages API (`POST /v1/messages`): validates like the real API (max_tokens required,
 * unknown top-level fields rejected), answers a Message or the SSE event sequence. Usage follows
 * Anthropic's semantics: `input_tokens` excludes cache reads/writes, reported separately.
 */
import type { ServerResponse } from 'node:http';
import type { Json } from '../providers/shared/json.js';
import { sendJson, sendStream } from './http-util.js';
import { planReply, type Reply } from './reply.js';
import type { Switches } from './switches.js';

const ALLOWED_FIELDS = new Set([
  'model',
  'messages',
  'max_tokens',
  'system',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'service_tier',
  'container',
  'mcp_servers',
  'context_management',
]);

let counter = 0;
function id(prefix: string): string {
  return `${prefix}01mock${(++counter).toString(36).padStart(12, '0')}`;
}

export function anthropicError(type: string, message: string): Json {
  return { type: 'error', error: { type, message } };
}

/** Status → Anthropic error type. */
export function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: 'invalid_request_error',
    401: 'authentication_error',
    403: 'permission_error',
    404: 'not_found_error',
    413: 'request_too_large',
    429: 'rate_limit_error',
    529: 'overloaded_error',
  };
  return types[status] ?? 'api_error';
}

function usage(r: Reply, outputTokens: number): Json {
  return {
    input_tokens: r.freshPromptTokens,
    cache_creation_input_tokens: r.cacheWrite,
    cache_read_input_tokens: r.cacheRead,
    output_tokens: outputTokens,
    service_tier: 'standard',
  };
}

function contentBlocks(r: Reply): Json[] {
  const blocks: Json[] = [];
  if (r.reasoning > 0)
    blocks.push({ type: 'thinking', thinking: 'Let me think about this.', signature: 'mock-signature' });
  blocks.push({ type: 'text', text: r.text });
  if (r.toolCall)
    blocks.push({ type: 'tool_use', id: r.toolCall.id, name: r.toolCall.name, input: r.toolCall.args });
  return blocks;
}

function event(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function streamEvents(r: Reply, model: string, sw: Switches): string[] {
  const msgId = id('msg_');
  const out: string[] = [
    event('message_start', {
      message: {
        id: msgId,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usage(r, 1),
      },
    }),
  ];
  let index = 0;
  if (r.reasoning > 0) {
    out.push(
      event('content_block_start', {
        index,
        content_block: { type: 'thinking', thinking: '', signature: '' },
      }),
    );
    out.push(
      event('content_block_delta', {
        index,
        delta: { type: 'thinking_delta', thinking: 'Let me think about this.' },
      }),
    );
    out.push(
      event('content_block_delta', {
        index,
        delta: { type: 'signature_delta', signature: 'mock-signature' },
      }),
    );
    out.push(event('content_block_stop', { index }));
    index++;
  }
  out.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
  out.push(event('ping', {}));
  r.pieces.forEach((p, i) => {
    out.push(event('content_block_delta', { index, delta: { type: 'text_delta', text: p } }));
    if (i === 0 && sw.streamError) out.push(event('error', anthropicError('overloaded_error', 'Overloaded')));
  });
  out.push(event('content_block_stop', { index }));
  if (r.toolCall) {
    index++;
    const args = JSON.stringify(r.toolCall.args);
    const half = Math.floor(args.length / 2);
    out.push(
      event('content_block_start', {
        index,
        content_block: { type: 'tool_use', id: r.toolCall.id, name: r.toolCall.name, input: {} },
      }),
    );
    out.push(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }));
    out.push(
      event('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: args.slice(0, half) },
      }),
    );
    out.push(
      event('content_block_delta', {
        index,
        delta: { type: 'input_json_delta', partial_json: args.slice(half) },
      }),
    );
    out.push(event('content_block_stop', { index }));
  }
  out.push(
    event('message_delta', {
      delta: { stop_reason: r.toolCall ? 'tool_use' : 'end_turn', stop_sequence: null },
      usage: { output_tokens: r.completionTokens },
    }),
  );
  out.push(event('message_stop', {}));
  return out;
}

export async function handleAnthropic(res: ServerResponse, body: Json, switches: Switches): Promise<void> {
  for (const key of Object.keys(body)) {
    if (!ALLOWED_FIELDS.has(key)) {
      return sendJson(
        res,
        400,
        anthropicError('invalid_request_error', `${key}: Extra inputs are not permitted`),
      );
    }
  }
  if (typeof body.max_tokens !== 'number') {
    return sendJson(res, 400, anthropicError('invalid_request_error', 'max_tokens: Field required'));
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return sendJson(res, 400, anthropicError('invalid_request_error', 'messages: Field required'));
  }
  for (const m of body.messages) {
    if (
      typeof m !== 'object' ||
      m === null ||
      ((m as Json).role !== 'user' && (m as Json).role !== 'assistant')
    ) {
      return sendJson(
        res,
        400,
        anthropicError('invalid_request_error', 'messages: roles must be "user" or "assistant"'),
      );
    }
  }
  const model = String(body.model);
  const reply = planReply(body, model, switches, 'toolu_01mock');
  if (body.stream !== true) {
    return sendJson(res, 200, {
      id: id('msg_'),
      type: 'message',
      role: 'assistant',
      model,
      content: contentBlocks(reply),
      stop_reason: reply.toolCall ? 'tool_use' : 'end_turn',
      stop_sequence: null,
      usage: usage(reply, reply.completionTokens),
    });
  }
  await sendStream(res, {
    contentType: 'text/event-stream; charset=utf-8',
    chunks: streamEvents(reply, model, switches),
    delayMs: switches.streamSlowMs,
    cutAfter: switches.cutAfter,
  });
}
