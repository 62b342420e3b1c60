/**
 * @module mock-upstream/cohere-routes
 * Cohere v2 (POST /v2/chat, /v2/embed) after the API reference: Bearer key, unknown fields refused
 * (`{"message":"invalid request: …"}`), chat answers with `message.content[]`, `tool_plan` + `tool_calls`
 * and `usage.billed_units` / `usage.tokens` (tokens also count the prompt template: 6 more here), SSE
 * streams of message-start … message-end events, embed answers `embeddings.float` with `meta.billed_units`.
 */
import type { ServerResponse } from 'node:http';
import { fakeEmbedding } from '../providers/mock/mock-content.js';
import type { Json } from '../providers/shared/json.js';
import { countTextTokens } from '../providers/token-count.js';
import { sendJson, sendStream } from './http-util.js';
import { planReply, type Reply } from './reply.js';
import type { Switches } from './switches.js';

export type CohereKind = 'chat' | 'embed';

export function cohereRoute(path: string): CohereKind | undefined {
  if (path === '/v2/chat') return 'chat';
  if (path === '/v2/embed') return 'embed';
  return undefined;
}

const CHAT_FIELDS = new Set([
  'model',
  'messages',
  'stream',
  'tools',
  'documents',
  'citation_options',
  'response_format',
  'safety_mode',
  'max_tokens',
  'stop_sequences',
  'temperature',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'k',
  'p',
  'logprobs',
  'tool_choice',
  'strict_tools',
  'thinking',
  'priority',
]);
const EMBED_FIELDS = new Set([
  'model',
  'texts',
  'images',
  'inputs',
  'input_type',
  'embedding_types',
  'output_dimension',
  'truncate',
  'max_tokens',
  'priority',
]);

/** Tokens Cohere's prompt template adds (counted in usage.tokens, not billed). */
const TEMPLATE_TOKENS = 6;

export function cohereError(
  res: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { id: 'mock-error', message }, headers);
}

function usage(r: Reply): Json {
  const input = r.freshPromptTokens;
  return {
    billed_units: { input_tokens: input, output_tokens: r.completionTokens },
    tokens: { input_tokens: input + TEMPLATE_TOKENS, output_tokens: r.completionTokens },
  };
}

function event(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function streamEvents(r: Reply, id: string, sw: Switches): string[] {
  const out = [
    event('message-start', {
      id,
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    }),
  ];
  if (r.toolCall) {
    out.push(event('tool-plan-delta', { delta: { message: { tool_plan: r.text } } }));
    out.push(
      event('tool-call-start', {
        index: 0,
        delta: {
          message: {
            tool_calls: {
              id: r.toolCall.id,
              type: 'function',
              function: { name: r.toolCall.name, arguments: '' },
            },
          },
        },
      }),
    );
    const args = JSON.stringify(r.toolCall.args);
    const cut = Math.ceil(args.length / 2);
    for (const piece of [args.slice(0, cut), args.slice(cut)])
      out.push(
        event('tool-call-delta', {
          index: 0,
          delta: { message: { tool_calls: { function: { arguments: piece } } } },
        }),
      );
    out.push(event('tool-call-end', { index: 0 }));
  } else {
    out.push(
      event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
    );
    r.pieces.forEach((p, i) => {
      out.push(event('content-delta', { index: 0, delta: { message: { content: { text: p } } } }));
      if (i === 0 && sw.streamError)
        out.push('data: {"message":"internal server error (mock stream-error)"}\n\n');
    });
    out.push(event('content-end', { index: 0 }));
  }
  out.push(
    event('message-end', {
      delta: { finish_reason: r.toolCall ? 'TOOL_CALL' : 'COMPLETE', usage: usage(r) },
    }),
  );
  return out;
}

export async function handleCohere(
  res: ServerResponse,
  kind: CohereKind,
  body: Json,
  sw: Switches,
): Promise<void> {
  const allowed = kind === 'chat' ? CHAT_FIELDS : EMBED_FIELDS;
  for (const k of Object.keys(body)) {
    if (!allowed.has(k))
      return cohereError(res, 400, `invalid request: unknown field: parameter ${k} is not a valid field`);
  }
  const model = String(body.model ?? '');
  if (kind === 'embed') {
    if (!Array.isArray(body.texts) || typeof body.input_type !== 'string') {
      return cohereError(
        res,
        400,
        'invalid request: valid input_type must be provided with the provided model',
      );
    }
    const texts = body.texts.map((t) => String(t));
    const tokens = texts.reduce((n, t) => n + countTextTokens(t, model), 0);
    return sendJson(res, 200, {
      id: 'mock-embed',
      embeddings: { float: texts.map((t) => fakeEmbedding(t, 16)) },
      texts,
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: tokens } },
      response_type: 'embeddings_by_type',
    });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return cohereError(res, 400, 'invalid request: messages must not be empty');
  const choice = body.tool_choice === 'REQUIRED' ? 'required' : undefined;
  const r = planReply({ ...body, tool_choice: choice }, model, sw, 'mock_call_');
  const id = 'c0here-mock-0001';
  if (body.stream === true) {
    return sendStream(res, {
      contentType: 'text/event-stream',
      chunks: streamEvents(r, id, sw),
      delayMs: sw.streamSlowMs,
      cutAfter: sw.cutAfter,
    });
  }
  const message: Json = { role: 'assistant' };
  if (r.toolCall) {
    message.tool_plan = r.text;
    message.tool_calls = [
      {
        id: r.toolCall.id,
        type: 'function',
        function: { name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.args) },
      },
    ];
  } else message.content = [{ type: 'text', text: r.text }];
  return sendJson(res, 200, {
    id,
    finish_reason: r.toolCall ? 'TOOL_CALL' : 'COMPLETE',
    message,
    usage: usage(r),
  });
}

export function cohereKeyError(headers: { authorization?: string }, keys?: string[]): string | undefined {
  const auth = headers.authorization;
  const key = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined;
  if (!key) return 'no api key supplied';
  if (keys ? !keys.includes(key) : key.includes('invalid')) return 'invalid api token';
  return undefined;
}
