/**
 * @module providers/cohere
 * Cohere's v2 API: chat (POST /v2/chat, SSE stream, tools) and embed (POST /v2/embed), Bearer key
 * (`api_key`, COHERE_API_KEY or CO_API_KEY), base https://api.cohere.com (COHERE_API_BASE or api_base:
 * the host, or a URL ending in /v1, /v2 or the endpoint itself). `cohere/` and `cohere_chat/` both use it.
 * Usage is read from `billed_units` (see cohere-response.ts). Rerank (POST /v2/rerank) answers in Cohere's own
 * shape (`results`, `meta.billed_units.search_units`), which is what `/v1/rerank` clients expect; search
 * units are priced by the catalog's `input_cost_per_query`.
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import { emptyUsage } from '../../pricing/usage.js';
import { type EndpointSpec, endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import { embeddingList } from '../shared/embedding-list.js';
import { isRecord, type Json, str, tryParse } from '../shared/json.js';
import { rerankUsage } from '../shared/media-usage.js';
import { usageToOpenAi } from '../shared/openai-usage.js';
import { excerpt } from '../shared/redact.js';
import { withDefaults } from '../shared/request-body.js';
import { upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamReply, UpstreamRequest } from '../types.js';
import { chatToCohere, embedToCohere } from './cohere-request.js';
import { cohereToChat, cohereUsage, cohereVectors } from './cohere-response.js';
import { createCohereStreamDecoder } from './cohere-stream.js';

// Default from Cohere's API reference (https://docs.cohere.com/reference/chat: POST https://api.cohere.com/v2/chat);
// LiteLLM's COHERE_API_BASE default is the older alias api.cohere.ai.
const SPEC: EndpointSpec = {
  provider: 'cohere',
  keyEnv: ['COHERE_API_KEY', 'CO_API_KEY'],
  baseEnv: ['COHERE_API_BASE'],
  defaultBase: 'https://api.cohere.com',
  keyRequired: true,
};

/** `…/v2/<endpoint>` from a host, `…/v1`, `…/v2` or a full endpoint URL. */
export function cohereUrl(base: string, endpoint: 'chat' | 'embed' | 'rerank'): string {
  const root = base.replace(/\/v[12](?:\/(?:chat|embed|rerank))?$/, '');
  return `${root}/v2/${endpoint}`;
}

const headersCache = new WeakMap<DeploymentConfig, { base: string; headers: Record<string, string> }>();

function target(d: DeploymentConfig): { base: string; headers: Record<string, string> } {
  let t = headersCache.get(d);
  if (!t) {
    const e = resolveEndpoint(d, SPEC);
    t = {
      base: e.base,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        authorization: `Bearer ${e.apiKey ?? ''}`,
      },
    };
    headersCache.set(d, t);
  }
  return t;
}

function request(input: CallInput, endpoint: 'chat' | 'embed' | 'rerank', body: Json): UpstreamRequest {
  const t = target(input.deployment);
  return { url: cohereUrl(t.base, endpoint), method: 'POST', headers: t.headers, body: JSON.stringify(body) };
}

const chat: EndpointHandler = {
  build(input) {
    const model = input.deployment.upstreamModel;
    return request(
      input,
      'chat',
      chatToCohere(withDefaults(input.body, input.deployment, model), model, input.stream),
    );
  },
  parse(json, _raw, input) {
    const res: Json = isRecord(json) ? json : {};
    const usage = cohereUsage(res.usage);
    return {
      body: cohereToChat(res, input.deployment.upstreamModel, usage ?? emptyUsage()),
      usage,
      rawUsage: res.usage ?? null,
    };
  },
  decoder: (input) => createCohereStreamDecoder(input, input.deployment.upstreamModel),
};

const embedding: EndpointHandler = {
  build(input) {
    const model = input.deployment.upstreamModel;
    return request(input, 'embed', embedToCohere(withDefaults(input.body, input.deployment, model), model));
  },
  parse(json, _raw, input) {
    const res: Json = isRecord(json) ? json : {};
    const meta = isRecord(res.meta) ? res.meta : {};
    const usage = cohereUsage(meta);
    const body = embeddingList(
      cohereVectors(res),
      input.deployment.upstreamModel,
      input.body.encoding_format,
    );
    body.usage = usageToOpenAi(usage ?? emptyUsage());
    return { body, usage, rawUsage: meta.billed_units ?? null };
  },
};

const rerank: EndpointHandler = {
  build: (input) =>
    request(input, 'rerank', withDefaults(input.body, input.deployment, input.deployment.upstreamModel)),
  parse(json, raw) {
    const body: Json = isRecord(json) ? json : {};
    const r = rerankUsage(body);
    return { body, text: raw, usage: r.usage, rawUsage: r.rawUsage };
  },
};

export function classifyCohereError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  const body = tryParse(bodyText);
  const message = (isRecord(body) ? str(body.message) : undefined) ?? (excerpt(bodyText) || `HTTP ${status}`);
  return upstreamHttpError(input, status, { message }, reply);
}

export const cohereFamily: ProviderFamily = {
  name: 'cohere',
  endpoints: { chat, embedding, rerank },
  classifyError: classifyCohereError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
  apiBase: (d) => endpointBase(d, SPEC),
};

export const cohereChatFamily: ProviderFamily = { ...cohereFamily, name: 'cohere_chat' };
