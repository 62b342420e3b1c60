/**
 * @module mock-upstream/ollama-routes
 * Ollama's native API: `/api/chat` and `/api/generate` (JSON or NDJSON streams; Ollama streams
 * unless `stream: false`), `/api/embed`. Counts in `prompt_eval_count` / `eval_count`.
 */
import type { ServerResponse } from 'node:http';
import { embeddingInputs, fakeEmbedding, MOCK_EMBEDDING_DIMS } from '../providers/mock/mock-content.js';
import type { Json } from '../providers/shared/json.js';
import { countPromptTokens } from '../providers/token-count.js';
import { sendJson, sendStream } from './http-util.js';
import { planReply } from './reply.js';
import type { Switches } from './switches.js';

export type OllamaKind = 'chat' | 'generate' | 'embed';

function timings(promptTokens: number, evalTokens: number): Json {
  return {
    total_duration: 5_000_000 + evalTokens * 20_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: promptTokens,
    prompt_eval_duration: promptTokens * 1_000_000,
    eval_count: evalTokens,
    eval_duration: evalTokens * 20_000_000,
  };
}

export async function handleOllama(
  res: ServerResponse,
  kind: OllamaKind,
  body: Json,
  switches: Switches,
): Promise<void> {
  const model = String(body.model ?? '');
  if (model === '' || model.includes('missing')) {
    return sendJson(res, 404, { error: `model "${model}" not found, try pulling it first` });
  }
  const createdAt = new Date().toISOString();
  if (kind === 'embed') {
    const inputs = embeddingInputs(body.input);
    const dims =
      typeof body.dimensions === 'number' && body.dimensions > 0 ? body.dimensions : MOCK_EMBEDDING_DIMS;
    return sendJson(res, 200, {
      model,
      embeddings: inputs.map((s) => fakeEmbedding(s, dims)),
      total_duration: 2_000_000,
      load_duration: 500_000,
      prompt_eval_count: countPromptTokens({ input: body.input }, model),
    });
  }
  const reply = planReply(body, model, switches, 'call_');
  const prompt = reply.freshPromptTokens;
  const toolCalls = reply.toolCall
    ? [{ function: { name: reply.toolCall.name, arguments: reply.toolCall.args } }]
    : undefined;
  const final = (content: string): Json => {
    const base: Json = { model, created_at: createdAt };
    if (kind === 'chat') base.message = { role: 'assistant', content };
    else base.response = content;
    return { ...base, done_reason: 'stop', done: true, ...timings(prompt, reply.completionTokens) };
  };
  if (body.stream === false) {
    const out = final(reply.toolCall ? '' : reply.text);
    if (toolCalls) (out.message as Json).tool_calls = toolCalls;
    return sendJson(res, 200, out);
  }
  const line = (v: Json) => `${JSON.stringify(v)}\n`;
  const chunks: string[] = [];
  if (toolCalls && kind === 'chat') {
    chunks.push(
      line({
        model,
        created_at: createdAt,
        message: { role: 'assistant', content: '', tool_calls: toolCalls },
        done: false,
      }),
    );
  } else {
    reply.pieces.forEach((p, i) => {
      const v: Json = { model, created_at: createdAt, done: false };
      if (kind === 'chat') v.message = { role: 'assistant', content: p };
      else v.response = p;
      chunks.push(line(v));
      if (i === 0 && switches.streamError)
        chunks.push(line({ error: 'an error was encountered while running the model' }));
    });
  }
  chunks.push(line(final('')));
  await sendStream(res, {
    contentType: 'application/x-ndjson',
    chunks,
    delayMs: switches.streamSlowMs,
    cutAfter: switches.cutAfter,
  });
}
