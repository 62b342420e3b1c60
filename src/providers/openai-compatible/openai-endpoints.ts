/**
 * @module providers/openai-compatible/openai-endpoints
 * Endpoint handlers for upstreams that speak OpenAI's wire format (the OpenAI-compatible family, Azure,
 * the mock): one function turns "where does this call go" into the table chat / completions / embeddings
 * / image generations. Bodies are forwarded as sent, with the upstream model, deployment defaults, and
 * `stream_options.include_usage` on streams (the gateway always asks for usage).
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { Usage } from '../../pricing/usage.js';
import { emptyUsage } from '../../pricing/usage.js';
import { arr, isRecord, type Json, str } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { withDefaults } from '../shared/request-body.js';
import type {
  CallInput,
  CallType,
  EndpointHandler,
  EndpointTable,
  ParsedResponse,
  UpstreamRequest,
} from '../types.js';
import { createOpenAiStreamDecoder } from './openai-stream.js';
import { chatBodyToCompletion, completionChunkToChat, completionToChat } from './text-completion.js';

export type OpenAiCallType = 'chat' | 'completion' | 'embedding' | 'image_generation';

/** Path under the base URL for each OpenAI call type. */
export const OPENAI_PATHS: Readonly<Record<OpenAiCallType, string>> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
  image_generation: '/images/generations',
};

export interface OpenAiTarget {
  url: string;
  /** Cached per deployment: never mutate (authorize steps return new objects). */
  headers: Record<string, string>;
}

export interface OpenAiEndpointOptions {
  /** URL and headers for a call type's path (resolves credentials; throws TG_ERR_PROVIDER_CONFIG). */
  target(d: DeploymentConfig, path: string): OpenAiTarget;
  /** Azure puts the deployment in the URL and ignores `model` in the body. */
  modelInBody?: boolean;
  /** `text-completion-openai`: chat served by /completions with the messages flattened into a prompt. */
  chatViaCompletions?: boolean;
  /** The provider's usage convention (default: OpenAI's; totals include their parts). */
  convertUsage?: (raw: unknown) => Usage | null;
}

/** Shared body preparation for OpenAI-format upstreams. */
export function openAiBody(callType: CallType, input: CallInput, model: string | undefined): Json {
  const out = withDefaults(input.body, input.deployment, model);
  if (callType === 'chat' || callType === 'completion') {
    if (input.stream) {
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

/** Shared response parsing for OpenAI-format upstreams. `raw` is returned as the client text. */
export function parseOpenAiResponse(
  callType: CallType,
  json: unknown,
  raw: string | undefined,
  input: CallInput,
  convertUsage: (raw: unknown) => Usage | null = usageFromOpenAi,
): ParsedResponse {
  const body: Json = isRecord(json) ? json : {};
  let usage = convertUsage(body.usage);
  // The tier OpenAI says it served (flex / priority / default) prices the call.
  if (usage && typeof body.service_tier === 'string') usage.serviceTier = body.service_tier;
  if (callType === 'image_generation') {
    // Image prices depend on the requested size/quality, which not every upstream echoes.
    usage ??= emptyUsage();
    const n = typeof input.body.n === 'number' && input.body.n > 0 ? Math.floor(input.body.n) : 1;
    usage.images = {
      count: Array.isArray(body.data) ? arr(body.data).length : n,
      size: str(body.size) ?? str(input.body.size),
      quality: str(body.quality) ?? str(input.body.quality),
    };
  }
  return { body, text: raw, usage, rawUsage: body.usage ?? null, responseModel: str(body.model) };
}

export function openAiEndpoints(opts: OpenAiEndpointOptions): EndpointTable {
  const modelOf = (d: DeploymentConfig) => (opts.modelInBody === false ? undefined : d.upstreamModel);
  const convertUsage = opts.convertUsage ?? usageFromOpenAi;

  const handler = (callType: OpenAiCallType, streams: boolean): EndpointHandler => ({
    build(input): UpstreamRequest {
      const t = opts.target(input.deployment, OPENAI_PATHS[callType]);
      return {
        url: t.url,
        method: 'POST',
        headers: t.headers,
        body: JSON.stringify(openAiBody(callType, input, modelOf(input.deployment))),
      };
    },
    parse: (json, raw, input) => parseOpenAiResponse(callType, json, raw, input, convertUsage),
    decoder: streams
      ? (input) =>
          createOpenAiStreamDecoder(input, {
            object: callType === 'completion' ? 'text_completion' : 'chat.completion.chunk',
            convertUsage,
          })
      : undefined,
  });

  const chat: EndpointHandler = opts.chatViaCompletions
    ? {
        build(input) {
          const t = opts.target(input.deployment, OPENAI_PATHS.completion);
          const body = chatBodyToCompletion(openAiBody('chat', input, modelOf(input.deployment)));
          return { url: t.url, method: 'POST', headers: t.headers, body: JSON.stringify(body) };
        },
        parse(json, _raw, input) {
          const parsed = parseOpenAiResponse('chat', json, undefined, input, convertUsage);
          return { ...parsed, body: completionToChat(parsed.body) };
        },
        decoder: (input) =>
          createOpenAiStreamDecoder(input, {
            object: 'text_completion',
            mapChunk: completionChunkToChat,
            convertUsage,
          }),
      }
    : handler('chat', true);

  return {
    chat,
    completion: handler('completion', true),
    embedding: handler('embedding', false),
    image_generation: handler('image_generation', false),
  };
}
