/**
 * @module mock-upstream/sagemaker-routes
 * SageMaker runtime (POST /endpoints/{name}/invocations | invocations-response-stream) with the
 * containers people deploy behind it, chosen by the body as the real containers are:
 *   `{"inputs": "<prompt>", "parameters"}`   TGI text generation → `[{"generated_text"}]`; streamed as
 *                                            TGI SSE lines inside PayloadPart event-stream frames;
 *   `{"messages": [...]}`                    the messages API (OpenAI chat.completion / chunks);
 *   `{"inputs": ["text", …]}`                an embedding container → `{"embedding": [[…]]}`.
 * No container reports token usage except the messages API and TGI `details`. Errors use SageMaker's
 * shape (`ErrorCode`/`Message`); an endpoint name containing `missing` is "not found" (ValidationError).
 */
import type { ServerResponse } from 'node:http';
import { fakeEmbedding } from '../providers/mock/mock-content.js';
import { type Json, rec } from '../providers/shared/json.js';
import { countTextTokens } from '../providers/token-count.js';
import { awsErrorTypeFor, type FramePlan, sendAwsError, sendEventStream } from './aws-reply.js';
import { sendJson } from './http-util.js';
import { openAiUsage, planReply } from './reply.js';
import type { Switches } from './switches.js';

export function sagemakerRoute(path: string): { endpoint: string; stream: boolean } | undefined {
  const m = /^\/endpoints\/([^/]+)\/(invocations|invocations-response-stream)$/.exec(path);
  return m
    ? { endpoint: decodeURIComponent(m[1]), stream: m[2] === 'invocations-response-stream' }
    : undefined;
}

export interface SagemakerContext {
  res: ServerResponse;
  endpoint: string;
  stream: boolean;
  body: Json;
  switches: Switches;
  account: string;
  region: string;
}

const part = (bytes: string): FramePlan => ({ body: bytes, opts: { eventType: 'PayloadPart' } });

async function tgi(c: SagemakerContext): Promise<void> {
  const { body, endpoint, switches: sw } = c;
  const prompt = String(body.inputs);
  const r = planReply({ prompt }, endpoint, sw, 'call_');
  const params = rec(body.parameters);
  const generated = countTextTokens(r.text, endpoint);
  if (!c.stream) {
    const out: Json = { generated_text: params.return_full_text === true ? prompt + r.text : r.text };
    if (params.details === true)
      out.details = { finish_reason: 'eos_token', generated_tokens: generated, seed: null };
    return sendJson(c.res, 200, [out]);
  }
  // TGI SSE events, split into PayloadParts wherever the container flushed (mid-line too).
  const sse = r.pieces.map((p, i) => {
    const last = i === r.pieces.length - 1;
    return `data:${JSON.stringify({
      token: { id: 100 + i, text: p, logprob: -0.1, special: false },
      generated_text: last ? r.text : null,
      details: last ? { finish_reason: 'eos_token', generated_tokens: generated, seed: null } : null,
    })}\n\n`;
  });
  const joined = sse.join('');
  const frames: FramePlan[] = [];
  const size = Math.max(8, Math.ceil(joined.length / (sse.length + 1)));
  for (let at = 0; at < joined.length; at += size) frames.push(part(joined.slice(at, at + size)));
  if (sw.streamError && frames.length > 1) {
    frames.splice(1, frames.length - 1, {
      body: JSON.stringify({
        ErrorCode: 'ModelError',
        Message: 'Model container failed mid-stream (mock stream-error).',
      }),
      opts: { messageType: 'exception', exceptionType: 'ModelStreamError' },
    });
  }
  await sendEventStream(c.res, {
    frames,
    delayMs: sw.streamSlowMs,
    cutAfter: sw.cutAfter,
    truncateLast: endpoint.includes('truncate-frame'),
  });
}

async function messagesApi(c: SagemakerContext): Promise<void> {
  const { body, endpoint, switches: sw } = c;
  const r = planReply(body, endpoint, sw, 'call_');
  const usage = openAiUsage(r);
  const id = 'chatcmpl-mocksagemaker';
  const created = Math.floor(Date.now() / 1000);
  if (!c.stream) {
    return sendJson(c.res, 200, {
      id,
      object: 'chat.completion',
      created,
      model: 'tgi',
      choices: [
        { index: 0, message: { role: 'assistant', content: r.text }, finish_reason: 'stop', logprobs: null },
      ],
      usage,
    });
  }
  const chunk = (delta: Json, finish: string | null = null) =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'tgi', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [
    chunk({ role: 'assistant', content: '' }),
    ...r.pieces.map((p) => chunk({ content: p })),
    chunk({}, 'stop'),
  ];
  const includeUsage = rec(body.stream_options).include_usage === true;
  if (includeUsage)
    events.push(
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: 'tgi', choices: [], usage })}\n\n`,
    );
  events.push('data: [DONE]\n\n');
  await sendEventStream(c.res, { frames: events.map(part), delayMs: sw.streamSlowMs, cutAfter: sw.cutAfter });
}

function embeddings(c: SagemakerContext): void {
  const texts = (c.body.inputs as unknown[]).map((t) => String(t));
  sendJson(c.res, 200, { embedding: texts.map((t) => fakeEmbedding(t, 16)) });
}

export async function handleSagemaker(c: SagemakerContext): Promise<void> {
  const { res, endpoint, switches: sw, body } = c;
  if (endpoint.includes('missing')) {
    return sendAwsError(
      res,
      'sagemaker',
      400,
      'ValidationError',
      `Endpoint ${endpoint} of account ${c.account} not found.`,
    );
  }
  if (sw.failStatus !== undefined) {
    const e = awsErrorTypeFor(sw.failStatus, 'sagemaker');
    return sendAwsError(res, 'sagemaker', sw.failStatus, e.type, e.message);
  }
  if (Array.isArray(body.messages)) return messagesApi(c);
  if (typeof body.inputs === 'string') return tgi(c);
  if (Array.isArray(body.inputs) && !c.stream) return embeddings(c);
  return sendAwsError(
    res,
    'sagemaker',
    424,
    'ModelError',
    'Received client error (422) from primary with message "Failed to deserialize the JSON body into the target type". See the CloudWatch log for details.',
  );
}
