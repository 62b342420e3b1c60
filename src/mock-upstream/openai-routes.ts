/**
 * @module mock-upstream/openai-routes
 * OpenAI wire format (`/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
 * `/v1/images/generations`) and Azure's variant of it (`/openai/deployments/:name/…?api-version=`,
 * `api-key` header, a generic model name in answers and an initial prompt_filter_results chunk).
 */
import type { ServerResponse } from 'node:http';
import {
  embeddingInputs,
  fakeEmbedding,
  MOCK_EMBEDDING_DIMS,
  TINY_PNG_BASE64,
} from '../providers/mock/mock-content.js';
import type { Json } from '../providers/shared/json.js';
import { countPromptTokens } from '../providers/token-count.js';
import { sendJson, sendStream } from './http-util.js';
import { openAiUsage, planReply, type Reply } from './reply.js';
import type { Switches } from './switches.js';

export type OpenAiKind = 'chat' | 'completion' | 'embedding' | 'image';

export interface OpenAiContext {
  res: ServerResponse;
  body: Json;
  kind: OpenAiKind;
  /** Model named in the request (or the Azure deployment). */
  model: string;
  switches: Switches;
  /** Set for Azure: the model name reported back. */
  azureModel?: string;
  /** The API key the client presented (bearer or api-key), for the echo-key switch. */
  presentedKey?: string;
}

let counter = 0;
function id(prefix: string): string {
  return `${prefix}mock${(++counter).toString(36).padStart(10, '0')}`;
}

export function openAiError(message: string, type: string, code: string | null): Json {
  return { error: { message, type, param: null, code } };
}

/** Azure's generic model names: the family, not the deployment or the dated version. */
export function azureGenericModel(deployment: string): string {
  if (/gpt-?4o-mini/i.test(deployment)) return 'gpt-4o-mini';
  if (/gpt-?4o/i.test(deployment)) return 'gpt-4o';
  if (/gpt-?35|gpt-3\.5/i.test(deployment)) return 'gpt-35-turbo';
  if (/embedding/i.test(deployment)) return 'text-embedding-ada-002';
  if (/dall-?e/i.test(deployment)) return 'dall-e-3';
  return 'gpt-4';
}

function chatBody(r: Reply, model: string, sw: Switches): Json {
  const message: Json = {
    role: 'assistant',
    content: r.toolCall ? null : r.text,
    refusal: null,
    annotations: [],
  };
  if (r.toolCall) {
    message.tool_calls = [
      {
        id: r.toolCall.id,
        type: 'function',
        function: { name: r.toolCall.name, arguments: JSON.stringify(r.toolCall.args) },
      },
    ];
  }
  const out: Json = {
    id: id('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: r.toolCall ? 'tool_calls' : 'stop' }],
    service_tier: 'default',
    system_fingerprint: 'fp_mock',
  };
  if (!sw.noUsage) out.usage = openAiUsage(r);
  return out;
}

function chatChunks(r: Reply, model: string, ctx: OpenAiContext, includeUsage: boolean): string[] {
  const base = {
    id: id('chatcmpl-'),
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: 'fp_mock',
  };
  const usageNull = includeUsage ? { usage: null } : {};
  const chunk = (delta: Json, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageNull })}\n\n`;
  const out: string[] = [];
  if (ctx.azureModel !== undefined) {
    out.push(
      `data: ${JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }] })}\n\n`,
    );
  }
  out.push(chunk({ role: 'assistant', content: '', refusal: null }, null));
  if (r.toolCall) {
    const args = JSON.stringify(r.toolCall.args);
    const half = Math.floor(args.length / 2);
    out.push(
      chunk(
        {
          tool_calls: [
            {
              index: 0,
              id: r.toolCall.id,
              type: 'function',
              function: { name: r.toolCall.name, arguments: '' },
            },
          ],
        },
        null,
      ),
    );
    out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }, null));
    out.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }, null));
  } else {
    r.pieces.forEach((p, i) => {
      out.push(chunk({ content: p }, null));
      if (i === 0 && ctx.switches.streamError) {
        const message = ctx.switches.echoKey
          ? `Incorrect API key provided: ${ctx.presentedKey ?? ''}.`
          : 'The server had an error while processing your request.';
        out.push(`data: ${JSON.stringify(openAiError(message, 'server_error', null))}\n\n`);
      }
    });
  }
  out.push(chunk({}, r.toolCall ? 'tool_calls' : 'stop'));
  if (includeUsage && !ctx.switches.noUsage) {
    out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: openAiUsage(r) })}\n\n`);
  }
  out.push('data: [DONE]\n\n');
  return out;
}

function completionBody(r: Reply, model: string, sw: Switches): Json {
  const out: Json = {
    id: id('cmpl-'),
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ text: r.text, index: 0, logprobs: null, finish_reason: 'stop' }],
  };
  if (!sw.noUsage) out.usage = openAiUsage(r);
  return out;
}

function completionChunks(r: Reply, model: string, sw: Switches, includeUsage: boolean): string[] {
  const base = { id: id('cmpl-'), object: 'text_completion', created: Math.floor(Date.now() / 1000), model };
  const chunk = (text: string, finish: string | null) =>
    `data: ${JSON.stringify({ ...base, choices: [{ text, index: 0, logprobs: null, finish_reason: finish }] })}\n\n`;
  const out = r.pieces.map((p) => chunk(p, null));
  out.push(chunk('', 'stop'));
  if (includeUsage && !sw.noUsage)
    out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: openAiUsage(r) })}\n\n`);
  out.push('data: [DONE]\n\n');
  return out;
}

function embeddingBody(body: Json, model: string): Json {
  const inputs = embeddingInputs(body.input);
  const dims =
    typeof body.dimensions === 'number' && body.dimensions > 0 ? body.dimensions : MOCK_EMBEDDING_DIMS;
  const tokens = countPromptTokens({ input: body.input }, model);
  return {
    object: 'list',
    data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(s, dims) })),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function imageBody(body: Json, model: string): Json {
  const n = typeof body.n === 'number' && body.n > 0 ? Math.floor(body.n) : 1;
  const b64 = body.response_format === 'b64_json' || model.includes('gpt-image');
  const item = b64
    ? { b64_json: TINY_PNG_BASE64 }
    : { url: 'https://mock-upstream.invalid/image.png', revised_prompt: String(body.prompt ?? '') };
  const out: Json = {
    created: Math.floor(Date.now() / 1000),
    data: Array.from({ length: n }, () => ({ ...item })),
  };
  if (model.includes('gpt-image')) {
    const text = countPromptTokens({ prompt: body.prompt }, model);
    const output = 272 * n;
    out.size = body.size ?? '1024x1024';
    out.quality = body.quality ?? 'medium';
    out.usage = {
      input_tokens: text,
      output_tokens: output,
      total_tokens: text + output,
      input_tokens_details: { text_tokens: text, image_tokens: 0 },
    };
  }
  return out;
}

export async function handleOpenAi(ctx: OpenAiContext): Promise<void> {
  const { res, body, kind, switches } = ctx;
  const model = ctx.azureModel ?? ctx.model;
  const stream = body.stream === true;
  if (kind === 'embedding') return sendJson(res, 200, embeddingBody(body, model));
  if (kind === 'image') return sendJson(res, 200, imageBody(body, model));
  if (kind === 'chat' && !Array.isArray(body.messages)) {
    return sendJson(
      res,
      400,
      openAiError(
        "Missing required parameter: 'messages'.",
        'invalid_request_error',
        'missing_required_parameter',
      ),
    );
  }
  const reply = planReply(body, model, switches, 'call_');
  if (!stream)
    return sendJson(
      res,
      200,
      kind === 'chat' ? chatBody(reply, model, switches) : completionBody(reply, model, switches),
    );
  const opts = body.stream_options;
  const includeUsage = typeof opts === 'object' && opts !== null && (opts as Json).include_usage === true;
  const chunks =
    kind === 'chat'
      ? chatChunks(reply, model, ctx, includeUsage)
      : completionChunks(reply, model, switches, includeUsage);
  await sendStream(res, {
    contentType: 'text/event-stream; charset=utf-8',
    chunks,
    delayMs: switches.streamSlowMs,
    cutAfter: switches.cutAfter,
  });
}
