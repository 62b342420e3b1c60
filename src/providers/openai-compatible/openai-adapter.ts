/**
 * @module providers/openai-compatible/openai-adapter
 * The shared OpenAI-compatible adapter: one function turns a provider's data
 * (base URL, key variables) into a ProviderAdapter. Bodies are forwarded as sent, with the upstream
 * model, deployment defaults, and `stream_options.include_usage` on streams.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';
import { emptyUsage, type Usage } from '../../pricing/usage.js';
import { type Endpoint, resolveEndpoint } from '../shared/credentials.js';
import { arr, isRecord, type Json, str } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { withDefaults } from '../shared/request-body.js';
import type { CallType, ParsedResponse, PreparedRequest, ProviderAdapter } from '../types.js';
import { parseOpenAiError } from './openai-error.js';
import type { OpenAiCompatibleSpec } from './openai-providers.js';
import { createOpenAiStreamDecoder } from './openai-stream.js';
import { chatBodyToCompletion, completionChunkToChat, completionToChat } from './text-completion.js';

/** Path under the base URL for each OpenAI call type. */
export const OPENAI_PATHS: Readonly<Record<Exclude<CallType, 'anthropic_messages'>, string>> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
  image_generation: '/images/generations',
};

const SUPPORTS = ['chat', 'completion', 'embedding', 'image_generation'] as const;

export function unsupported(family: string, callType: CallType): GatewayError {
  return new GatewayError('TG_ERR_UNSUPPORTED', `provider family "${family}" does not support ${callType}`);
}

/** Shared body preparation for OpenAI-format upstreams (also used by Azure). */
export function openAiBody(
  callType: CallType,
  body: Json,
  deployment: DeploymentConfig,
  stream: boolean,
  model: string | undefined,
): Json {
  const out = withDefaults(body, deployment, model);
  if (callType === 'chat' || callType === 'completion') {
    if (stream) {
      out.stream = true;
      out.stream_options = {
        ...(isRecord(out.stream_options) ? out.stream_options : {}),
        include_usage: true,
      };
    } else {
      delete out.stream;
      delete out.stream_options;
    }
  }
  return out;
}

/** Shared response parsing for OpenAI-format upstreams (also used by Azure). */
export function parseOpenAiResponse(
  callType: CallType,
  upstream: unknown,
  normalise: (raw: unknown) => Usage | null = usageFromOpenAi,
): ParsedResponse {
  const body: Json = isRecord(upstream) ? upstream : {};
  const reported = normalise(body.usage);
  const usage = reported ?? emptyUsage();
  // The tier OpenAI says it served (flex / priority / default) prices the call.
  if (typeof body.service_tier === 'string') usage.serviceTier = body.service_tier;
  if (callType === 'image_generation') {
    usage.images = { count: arr(body.data).length, size: str(body.size), quality: str(body.quality) };
  }
  const parsed: ParsedResponse = { body, usage, responseModel: str(body.model) };
  if (reported === null && callType !== 'image_generation') parsed.usageMissing = true;
  return parsed;
}

export function createOpenAiCompatibleAdapter(spec: OpenAiCompatibleSpec): ProviderAdapter {
  const family = spec.provider;
  const headersFor = (endpoint: Endpoint): Record<string, string> => {
    const h: Record<string, string> = { 'content-type': 'application/json' };
    if (endpoint.apiKey !== undefined) h.authorization = `Bearer ${endpoint.apiKey}`;
    return h;
  };
  const headerCache = new WeakMap<Endpoint, Record<string, string>>();

  return {
    family,
    supports: SUPPORTS,
    buildRequest(callType, body, deployment, stream): PreparedRequest {
      if (callType === 'anthropic_messages') throw unsupported(family, callType);
      const endpoint = resolveEndpoint(deployment, spec);
      let headers = headerCache.get(endpoint);
      if (!headers) {
        headers = headersFor(endpoint);
        headerCache.set(endpoint, headers);
      }
      const viaCompletions = spec.chatViaCompletions === true && callType === 'chat';
      let out = openAiBody(callType, body, deployment, stream, deployment.upstreamModel);
      if (viaCompletions) out = chatBodyToCompletion(out);
      const path = OPENAI_PATHS[viaCompletions ? 'completion' : callType];
      return {
        url: endpoint.base + path,
        method: 'POST',
        headers: { ...headers },
        body: JSON.stringify(out),
      };
    },
    parseResponse(callType, upstream) {
      if (spec.chatViaCompletions && callType === 'chat' && isRecord(upstream)) {
        const parsed = parseOpenAiResponse(callType, upstream, spec.usage);
        return { ...parsed, body: completionToChat(upstream) };
      }
      return parseOpenAiResponse(callType, upstream, spec.usage);
    },
    createStreamDecoder(callType) {
      if (spec.chatViaCompletions && callType === 'chat') {
        return createOpenAiStreamDecoder({
          object: 'text_completion',
          mapChunk: completionChunkToChat,
          usage: spec.usage,
        });
      }
      return createOpenAiStreamDecoder({
        object: callType === 'completion' ? 'text_completion' : 'chat.completion.chunk',
        usage: spec.usage,
      });
    },
    parseError: parseOpenAiError,
  };
}
