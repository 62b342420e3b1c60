/**
 * @module providers/ollama
 * Ollama: `ollama/` serves chat through `/api/generate` (prompt built from the messages),
 * `ollama_chat/` through `/api/chat`; completions use `/api/generate`, embeddings `/api/embed`.
 * Default api_base http://localhost:11434 (or OLLAMA_API_BASE); a key (Ollama cloud) is optional.
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import { type EndpointSpec, endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import { isRecord, type Json, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { withDefaults } from '../shared/request-body.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamReply, UpstreamRequest } from '../types.js';
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

function post(input: CallInput, path: string, body: Json): UpstreamRequest {
  const d = input.deployment;
  const { base, apiKey } = resolveEndpoint(d, SPEC);
  let headers = headerCache.get(d);
  if (!headers) {
    headers = { 'content-type': 'application/json' };
    if (apiKey !== undefined) headers.authorization = `Bearer ${apiKey}`;
    headerCache.set(d, headers);
  }
  return { url: base + path, method: 'POST', headers, body: JSON.stringify(body) };
}

export function parseOllamaError(status: number, bodyText: string): ProviderErrorDetail {
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

function classifyOllamaError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  return upstreamHttpError(input, status, parseOllamaError(status, bodyText), reply);
}

/** Ollama reports counts on the final object; none at all means "estimate". */
function usageOf(raw: Json) {
  const reported = raw.prompt_eval_count !== undefined || raw.eval_count !== undefined;
  const usage = ollamaUsage(raw);
  return {
    usage: reported ? usage : null,
    rawUsage: reported ? { prompt_eval_count: raw.prompt_eval_count, eval_count: raw.eval_count } : null,
    responseModel: str(raw.model),
    shown: usage,
  };
}

function generateHandler(kind: 'chat' | 'completion'): EndpointHandler {
  return {
    build: (input) =>
      post(
        input,
        '/api/generate',
        toOllamaGenerate(
          withDefaults(input.body, input.deployment, undefined),
          input.deployment.upstreamModel,
          input.stream,
        ),
      ),
    parse(json) {
      const raw: Json = isRecord(json) ? json : {};
      const { shown, ...u } = usageOf(raw);
      return { ...u, body: kind === 'chat' ? ollamaToChat(raw, shown) : ollamaToCompletion(raw, shown) };
    },
    decoder: (input) => createOllamaStreamDecoder(input, kind),
  };
}

const chatViaChat: EndpointHandler = {
  build: (input) =>
    post(
      input,
      '/api/chat',
      toOllamaChat(
        withDefaults(input.body, input.deployment, undefined),
        input.deployment.upstreamModel,
        input.stream,
      ),
    ),
  parse(json) {
    const raw: Json = isRecord(json) ? json : {};
    const { shown, ...u } = usageOf(raw);
    return { ...u, body: ollamaToChat(raw, shown) };
  },
  decoder: (input) => createOllamaStreamDecoder(input, 'chat'),
};

const embedding: EndpointHandler = {
  build: (input) =>
    post(
      input,
      '/api/embed',
      toOllamaEmbed(withDefaults(input.body, input.deployment, undefined), input.deployment.upstreamModel),
    ),
  parse(json) {
    const raw: Json = isRecord(json) ? json : {};
    const { shown, ...u } = usageOf(raw);
    return { ...u, body: ollamaToEmbedding(raw, shown) };
  },
};

/** `useChatEndpoint`: true for `ollama_chat/`, false for `ollama/`. */
export function createOllamaFamily(useChatEndpoint: boolean): ProviderFamily {
  return {
    name: useChatEndpoint ? 'ollama_chat' : 'ollama',
    endpoints: {
      chat: useChatEndpoint ? chatViaChat : generateHandler('chat'),
      completion: generateHandler('completion'),
      embedding,
    },
    classifyError: classifyOllamaError,
    checkDeployment: (d) => endpointProblems(d, SPEC),
    apiBase: (d) => endpointBase(d, SPEC),
  };
}

export const ollamaFamily = createOllamaFamily(false);
export const ollamaChatFamily = createOllamaFamily(true);
