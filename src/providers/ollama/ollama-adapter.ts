/**
 * @module providers/ollama
 * Ollama: `ollama/` serves chat through `/api/generate` (prompt built from the messages),
 * `ollama_chat/` through `/api/chat`; completions use `/api/generate`, embeddings `/api/embed`.
 * Default api_base http://localhost:11434 (or OLLAMA_API_BASE); a key (Ollama cloud) is optional.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { unsupported } from '../openai-compatible/openai-adapter.js';
import { type EndpointSpec, resolveEndpoint } from '../shared/credentials.js';
import { isRecord, type Json, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { withDefaults } from '../shared/request-body.js';
import type { CallType, PreparedRequest, ProviderAdapter, UpstreamError } from '../types.js';
import { toOllamaChat, toOllamaEmbed, toOllamaGenerate } from './ollama-request.js';
import { ollamaToChat, ollamaToCompletion, ollamaToEmbedding, ollamaUsage } from './ollama-response.js';
import { createOllamaStreamDecoder } from './ollama-stream.js';

const SPEC: EndpointSpec = {
  provider: 'ollama',
  keyEnv: ['OLLAMA_API_KEY'],
  baseEnv: ['OLLAMA_API_BASE'],
  defaultBase: 'http://localhost:11434',
  keyRequired: false,
};

const headerCache = new WeakMap<DeploymentConfig, Record<string, string>>();

function headers(d: DeploymentConfig, apiKey: string | undefined): Record<string, string> {
  let h = headerCache.get(d);
  if (!h) {
    h = { 'content-type': 'application/json' };
    if (apiKey !== undefined) h.authorization = `Bearer ${apiKey}`;
    headerCache.set(d, h);
  }
  return { ...h };
}

export function parseOllamaError(status: number, bodyText: string): UpstreamError {
  const body = tryParse(bodyText);
  if (isRecord(body)) {
    const err = body.error;
    if (typeof err === 'string') return { message: redactSecrets(err) };
    if (isRecord(err) && typeof err.message === 'string')
      return { message: redactSecrets(err.message), type: str(err.type) };
  }
  const text = excerpt(bodyText);
  return { message: text === '' ? `upstream returned HTTP ${status}` : text };
}

/** `useChatEndpoint`: true for `ollama_chat/`, false for `ollama/`. */
export function createOllamaAdapter(useChatEndpoint: boolean): ProviderAdapter {
  const family = useChatEndpoint ? 'ollama_chat' : 'ollama';
  const chatViaChat = (callType: CallType) => callType === 'chat' && useChatEndpoint;
  return {
    family,
    supports: ['chat', 'completion', 'embedding'],
    buildRequest(callType, body, deployment, stream): PreparedRequest {
      const { base, apiKey } = resolveEndpoint(deployment, SPEC);
      const merged = withDefaults(body, deployment, undefined);
      const model = deployment.upstreamModel;
      let path: string;
      let out: Json;
      if (chatViaChat(callType)) {
        path = '/api/chat';
        out = toOllamaChat(merged, model, stream);
      } else if (callType === 'chat' || callType === 'completion') {
        path = '/api/generate';
        out = toOllamaGenerate(merged, model, stream);
      } else if (callType === 'embedding') {
        path = '/api/embed';
        out = toOllamaEmbed(merged, model);
      } else {
        throw unsupported(family, callType);
      }
      return {
        url: base + path,
        method: 'POST',
        headers: headers(deployment, apiKey),
        body: JSON.stringify(out),
      };
    },
    parseResponse(callType, upstream) {
      const raw: Json = isRecord(upstream) ? upstream : {};
      const usage = ollamaUsage(raw);
      const body =
        callType === 'embedding'
          ? ollamaToEmbedding(raw, usage)
          : callType === 'completion'
            ? ollamaToCompletion(raw, usage)
            : ollamaToChat(raw, usage);
      const usageMissing = raw.prompt_eval_count === undefined && raw.eval_count === undefined;
      return { body, usage, responseModel: str(raw.model), ...(usageMissing ? { usageMissing } : {}) };
    },
    createStreamDecoder(callType) {
      return createOllamaStreamDecoder(callType === 'completion' ? 'completion' : 'chat');
    },
    parseError: parseOllamaError,
  };
}

export const ollamaAdapter = createOllamaAdapter(false);
export const ollamaChatAdapter = createOllamaAdapter(true);
