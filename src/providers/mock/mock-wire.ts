/**
 * @module providers/mock/mock-wire
 * What a real upstream would send for a canned answer (`mock_response`), in the wire format of the call
 * type: OpenAI JSON and SSE (with the usage chunk and `[DONE]`), Anthropic Messages JSON and events. Usage
 * is realistic: prompt tokens counted from the request with the tokenizer, completion tokens from the text.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { newId, nowSeconds } from '../shared/ids.js';
import type { Json } from '../shared/json.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { sseData } from '../shared/sse.js';
import { countPromptTokens, countTextTokens } from '../token-count.js';
import type { CallType } from '../types.js';
import {
  embeddingInputs,
  fakeEmbedding,
  MOCK_EMBEDDING_DIMS,
  splitForStream,
  TINY_PNG_BASE64,
} from './mock-content.js';

function modelOf(body: Json, d: DeploymentConfig): string {
  return d.upstreamModel || (typeof body.model === 'string' ? body.model : 'mock');
}

function textUsage(body: Json, model: string, text: string): Usage {
  const usage = emptyUsage();
  usage.inputTokens = countPromptTokens(body, model);
  usage.outputTokens = countTextTokens(text, model);
  return usage;
}

function anthropicMessage(id: string, model: string, text: string, usage: Usage | null): Json {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: usage ? [{ type: 'text', text }] : [],
    stop_reason: usage ? 'end_turn' : null,
    stop_sequence: null,
    usage: {
      input_tokens: usage?.inputTokens ?? 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: usage?.outputTokens ?? 1,
    },
  };
}

export interface MockAnswer {
  body: Json;
  usage: Usage;
  responseModel: string;
}

export function mockResponse(
  callType: CallType,
  body: Json,
  deployment: DeploymentConfig,
  text: string,
): MockAnswer {
  const model = modelOf(body, deployment);
  const created = nowSeconds();
  switch (callType) {
    case 'chat': {
      const usage = textUsage(body, model, text);
      const out = {
        id: newId('chatcmpl-'),
        object: 'chat.completion',
        created,
        model,
        choices: [
          { index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop', logprobs: null },
        ],
        usage: usageToOpenAi(usage),
      };
      return { body: out, usage, responseModel: model };
    }
    case 'completion': {
      const usage = textUsage(body, model, text);
      const out = {
        id: newId('cmpl-'),
        object: 'text_completion',
        created,
        model,
        choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }],
        usage: usageToOpenAi(usage),
      };
      return { body: out, usage, responseModel: model };
    }
    case 'embedding': {
      const inputs = embeddingInputs(body.input);
      const dims =
        typeof body.dimensions === 'number' && body.dimensions > 0 ? body.dimensions : MOCK_EMBEDDING_DIMS;
      const usage = emptyUsage();
      usage.inputTokens = countPromptTokens({ input: body.input }, model);
      const out = {
        object: 'list',
        data: inputs.map((s, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(s, dims) })),
        model,
        usage: { prompt_tokens: usage.inputTokens, total_tokens: usage.inputTokens },
      };
      return { body: out, usage, responseModel: model };
    }
    case 'image_generation': {
      const n = typeof body.n === 'number' && body.n > 0 ? Math.floor(body.n) : 1;
      const b64 = body.response_format === 'b64_json';
      const usage = emptyUsage();
      const size = typeof body.size === 'string' ? body.size : '1024x1024';
      const quality = typeof body.quality === 'string' ? body.quality : undefined;
      usage.images = { count: n, size, quality };
      const item = b64
        ? { b64_json: TINY_PNG_BASE64, revised_prompt: text }
        : { url: 'https://mock.tollgate.invalid/image.png', revised_prompt: text };
      return {
        body: { created, data: Array.from({ length: n }, () => ({ ...item })) },
        usage,
        responseModel: model,
      };
    }
    case 'anthropic_messages': {
      const usage = textUsage(body, model, text);
      return { body: anthropicMessage(newId('msg_'), model, text, usage), usage, responseModel: model };
    }
    default:
      throw new GatewayError('TG_ERR_UNSUPPORTED', `mock_response cannot answer ${callType}`);
  }
}

export interface MockStream {
  /** The upstream's SSE text in pieces: OpenAI chunks, the usage chunk and [DONE]; or Anthropic events. */
  chunks: string[];
  usage: Usage;
}

function anthropicEvent(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

export function mockStream(
  callType: CallType,
  body: Json,
  deployment: DeploymentConfig,
  text: string,
): MockStream {
  const model = modelOf(body, deployment);
  const created = nowSeconds();
  const usage = textUsage(body, model, text);
  const pieces = splitForStream(text);
  if (callType === 'anthropic_messages') {
    const id = newId('msg_');
    const chunks = [anthropicEvent('message_start', { message: anthropicMessage(id, model, text, null) })];
    chunks[0] = chunks[0].replace('"input_tokens":0', `"input_tokens":${usage.inputTokens}`);
    chunks.push(
      anthropicEvent('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    );
    for (const p of pieces)
      chunks.push(
        anthropicEvent('content_block_delta', { index: 0, delta: { type: 'text_delta', text: p } }),
      );
    chunks.push(anthropicEvent('content_block_stop', { index: 0 }));
    chunks.push(
      anthropicEvent('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: usage.outputTokens },
      }),
    );
    chunks.push(anthropicEvent('message_stop', {}));
    return { chunks, usage };
  }
  if (callType !== 'chat' && callType !== 'completion') {
    throw new GatewayError('TG_ERR_UNSUPPORTED', `mock_response cannot stream ${callType}`);
  }
  const chat = callType === 'chat';
  const id = newId(chat ? 'chatcmpl-' : 'cmpl-');
  const object = chat ? 'chat.completion.chunk' : 'text_completion';
  const chunk = (choice: Json): string =>
    sseData(JSON.stringify({ id, object, created, model, choices: [{ index: 0, ...choice }] }));
  const chunks: string[] = [];
  pieces.forEach((p, i) => {
    if (chat)
      chunks.push(
        chunk({ delta: i === 0 ? { role: 'assistant', content: p } : { content: p }, finish_reason: null }),
      );
    else chunks.push(chunk({ text: p, finish_reason: null, logprobs: null }));
  });
  chunks.push(
    chat
      ? chunk({ delta: {}, finish_reason: 'stop' })
      : chunk({ text: '', finish_reason: 'stop', logprobs: null }),
  );
  chunks.push(
    sseData(JSON.stringify({ id, object, created, model, choices: [], usage: usageToOpenAi(usage) })),
  );
  chunks.push('data: [DONE]\n\n');
  return { chunks, usage };
}
