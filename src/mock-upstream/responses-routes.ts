/**
 * @module mock-upstream/responses-routes
 * OpenAI's Responses API as the real one answers (API reference, "Create a model response" and
 * "Streaming events"): POST /responses → a `response` object (message with output_text, or a
 * function_call item when a tool is called; usage with input/output token details), or the typed event
 * stream (response.created, response.in_progress, output_item.added, content_part.added,
 * output_text.delta…, function_call_arguments.delta/done, output_item.done, response.completed);
 * GET/DELETE /responses/{id} and GET /responses/{id}/input_items on what it stored (`store` defaults to
 * true). The request's `metadata` is echoed back, as OpenAI does. Azure serves the same under /openai.
 */
import type { ServerResponse } from 'node:http';
import { inputToMessages } from '../providers/responses/responses-to-chat.js';
import { isRecord, type Json } from '../providers/shared/json.js';
import { countPromptTokens } from '../providers/token-count.js';
import { sendJson, sendStream } from './http-util.js';
import { openAiError } from './openai-routes.js';
import { planReply } from './reply.js';
import type { Switches } from './switches.js';

let counter = 0;
const id = (prefix: string) => `${prefix}mock${(++counter).toString(36).padStart(12, '0')}`;

interface Stored {
  response: Json;
  inputItems: Json[];
}

/** Responses kept by one mock server (per process is enough for tests). */
const stored = new Map<string, Stored>();

function inputItems(input: unknown): Json[] {
  if (typeof input === 'string')
    return [
      { id: id('msg_'), type: 'message', role: 'user', content: [{ type: 'input_text', text: input }] },
    ];
  return (Array.isArray(input) ? input : []).filter(isRecord).map((i) => ({ id: id('item_'), ...i }));
}

function build(body: Json, model: string, sw: Switches): { response: Json; text: string; toolArgs?: string } {
  const asChat = {
    messages: inputToMessages(body.input, body.instructions),
    tools: body.tools,
    tool_choice: body.tool_choice,
  };
  const r = planReply(asChat, model, sw, 'call_');
  const prompt = countPromptTokens(body, model) + r.cacheRead;
  const output: Json[] = [];
  let toolArgs: string | undefined;
  if (r.toolCall) {
    toolArgs = JSON.stringify(r.toolCall.args);
    output.push({
      id: id('fc_'),
      type: 'function_call',
      status: 'completed',
      arguments: toolArgs,
      call_id: r.toolCall.id,
      name: r.toolCall.name,
    });
  } else {
    output.push({
      id: id('msg_'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: r.text }],
    });
  }
  const response: Json = {
    id: id('resp_'),
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status: 'completed',
    background: false,
    error: null,
    incomplete_details: null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: body.store !== false,
    temperature: 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
    usage: {
      input_tokens: prompt,
      input_tokens_details: { cached_tokens: r.cacheRead },
      output_tokens: r.completionTokens,
      output_tokens_details: { reasoning_tokens: r.reasoning },
      total_tokens: prompt + r.completionTokens,
    },
    user: body.user ?? null,
    metadata: isRecord(body.metadata) ? body.metadata : {},
  };
  return { response, text: r.text, toolArgs };
}

function events(response: Json, text: string, toolArgs: string | undefined, sw: Switches): string[] {
  let seq = 0;
  const ev = (type: string, data: Json) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...data })}\n\n`;
  const inProgress = { ...response, status: 'in_progress', output: [], usage: null };
  const out = [
    ev('response.created', { response: inProgress }),
    ev('response.in_progress', { response: inProgress }),
  ];
  const item = (response.output as Json[])[0];
  if (toolArgs !== undefined) {
    out.push(
      ev('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
    );
    const half = Math.floor(toolArgs.length / 2);
    for (const delta of [toolArgs.slice(0, half), toolArgs.slice(half)])
      out.push(ev('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta }));
    out.push(
      ev('response.function_call_arguments.done', { item_id: item.id, output_index: 0, arguments: toolArgs }),
    );
  } else {
    const at = { item_id: item.id, output_index: 0, content_index: 0 };
    out.push(
      ev('response.output_item.added', {
        output_index: 0,
        item: { ...item, status: 'in_progress', content: [] },
      }),
    );
    out.push(
      ev('response.content_part.added', {
        ...at,
        part: { type: 'output_text', annotations: [], logprobs: [], text: '' },
      }),
    );
    const pieces = text.match(/\S+\s*|\s+/g) ?? [''];
    pieces.forEach((delta, i) => {
      out.push(ev('response.output_text.delta', { ...at, delta, logprobs: [] }));
      if (i === 0 && sw.streamError)
        out.push(
          ev('error', {
            code: 'server_error',
            message: 'The server had an error while processing your request.',
            param: null,
          }),
        );
    });
    out.push(ev('response.output_text.done', { ...at, text, logprobs: [] }));
    out.push(
      ev('response.content_part.done', {
        ...at,
        part: { type: 'output_text', annotations: [], logprobs: [], text },
      }),
    );
  }
  out.push(ev('response.output_item.done', { output_index: 0, item }));
  out.push(ev('response.completed', { response }));
  return out;
}

export async function handleResponsesCreate(
  res: ServerResponse,
  body: Json,
  model: string,
  sw: Switches,
): Promise<void> {
  if (body.input === undefined)
    return sendJson(
      res,
      400,
      openAiError(
        "Missing required parameter: 'input'.",
        'invalid_request_error',
        'missing_required_parameter',
      ),
    );
  const { response, text, toolArgs } = build(body, model, sw);
  if (response.store) stored.set(response.id as string, { response, inputItems: inputItems(body.input) });
  if (body.stream !== true) return sendJson(res, 200, response);
  await sendStream(res, {
    contentType: 'text/event-stream; charset=utf-8',
    chunks: events(response, text, toolArgs, sw),
    delayMs: sw.streamSlowMs,
    cutAfter: sw.cutAfter,
  });
}

/** GET / DELETE /responses/{id}, GET /responses/{id}/input_items. */
export function handleResponsesById(
  res: ServerResponse,
  method: string,
  responseId: string,
  sub: string | undefined,
  query: Record<string, string>,
) {
  const s = stored.get(responseId);
  if (!s)
    return sendJson(
      res,
      404,
      openAiError(`Response with id '${responseId}' not found.`, 'invalid_request_error', null),
    );
  if (sub === 'input_items') {
    const limit = Number(query.limit ?? 20);
    const items = query.order === 'asc' ? s.inputItems : [...s.inputItems].reverse();
    const data = items.slice(0, limit);
    return sendJson(res, 200, {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data[data.length - 1]?.id ?? null,
      has_more: items.length > data.length,
    });
  }
  if (method === 'DELETE') {
    stored.delete(responseId);
    return sendJson(res, 200, { id: responseId, object: 'response', deleted: true });
  }
  return sendJson(res, 200, s.response);
}
