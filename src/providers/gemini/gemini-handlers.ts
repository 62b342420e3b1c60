/**
 * @module providers/gemini/gemini-handlers
 * The Gemini chat and embedding endpoint handlers, independent of where they are sent: AI Studio
 * (`gemini/`, API key) and Vertex AI (`vertex_ai/`, OAuth) give a `GeminiTarget` that turns a method name
 * (`generateContent`, `streamGenerateContent`, `embedContent`…) into the URL and headers.
 */

import { emptyUsage } from '../../pricing/usage.js';
import { isRecord, type Json, str } from '../shared/json.js';
import { withDefaults } from '../shared/request-body.js';
import type { CallInput, EndpointHandler, UpstreamRequest } from '../types.js';
import { geminiToEmbedding, toGeminiEmbedding } from './gemini-embedding.js';
import { chatToGemini } from './gemini-request.js';
import { blockedError, geminiToChat } from './gemini-response.js';
import { createGeminiChatDecoder } from './gemini-stream.js';
import { geminiUsage } from './gemini-usage.js';

/** Where a Gemini method call goes: full URL (query included) and headers (may be cached, never mutated). */
export type GeminiTarget = (
  input: CallInput,
  method: string,
) => { url: string; headers: Record<string, string> };

function post(target: GeminiTarget, input: CallInput, method: string, body: Json): UpstreamRequest {
  const t = target(input, method);
  return { url: t.url, method: 'POST', headers: t.headers, body: JSON.stringify(body) };
}

export function geminiChatHandler(target: GeminiTarget): EndpointHandler {
  return {
    build: (input) =>
      post(
        target,
        input,
        input.stream ? 'streamGenerateContent' : 'generateContent',
        chatToGemini(withDefaults(input.body, input.deployment, undefined)),
      ),
    parse(json, _raw, input) {
      const response: Json = isRecord(json) ? json : {};
      const blocked = blockedError(response, input);
      if (blocked) throw blocked;
      const usage = geminiUsage(response.usageMetadata);
      return {
        body: geminiToChat(response, usage ?? emptyUsage(), input.deployment.upstreamModel),
        usage,
        rawUsage: response.usageMetadata ?? null,
        responseModel: str(response.modelVersion),
      };
    },
    decoder: createGeminiChatDecoder,
  };
}

export function geminiEmbeddingHandler(target: GeminiTarget): EndpointHandler {
  return {
    build(input) {
      const { method, body } = toGeminiEmbedding(
        withDefaults(input.body, input.deployment, undefined),
        input.deployment.upstreamModel,
      );
      return post(target, input, method, body);
    },
    parse: (json, _raw, input) => geminiToEmbedding(isRecord(json) ? json : {}, input),
  };
}
