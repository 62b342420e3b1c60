/**
 * @module providers/anthropic
 * Anthropic Messages API: OpenAI chat ⇄ `/v1/messages` (x-api-key, anthropic-version 2023-06-01),
 * and the native pass-through call type `anthropic_messages` (body and response as is, usage read).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { emptyUsage } from '../../pricing/usage.js';
import { type EndpointSpec, endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import { isRecord, type Json, str } from '../shared/json.js';
import { withDefaults } from '../shared/request-body.js';
import type {
  CallInput,
  EndpointHandler,
  ParsedResponse,
  ProviderFamily,
  UpstreamRequest,
} from '../types.js';
import { classifyAnthropicError } from './anthropic-error.js';
import { chatToAnthropic } from './anthropic-request.js';
import { anthropicUsage, messageToChat } from './anthropic-response.js';
import { createAnthropicChatDecoder, createAnthropicPassthroughDecoder } from './anthropic-stream.js';

export const ANTHROPIC_VERSION = '2023-06-01';

const SPEC: EndpointSpec = {
  provider: 'anthropic',
  keyEnv: ['ANTHROPIC_API_KEY'],
  baseEnv: ['ANTHROPIC_API_BASE', 'ANTHROPIC_BASE_URL'],
  defaultBase: 'https://api.anthropic.com',
  keyRequired: true,
};

interface Target {
  url: string;
  headers: Record<string, string>;
}

const targets = new WeakMap<DeploymentConfig, Target>();

/** `…/v1/messages` whether api_base is the host, `…/v1`, or the full endpoint. */
export function messagesUrl(base: string): string {
  if (base.endsWith('/v1/messages')) return base;
  if (base.endsWith('/v1')) return `${base}/messages`;
  return `${base}/v1/messages`;
}

function target(d: DeploymentConfig): Target {
  let t = targets.get(d);
  if (!t) {
    const endpoint = resolveEndpoint(d, SPEC);
    t = {
      url: messagesUrl(endpoint.base),
      headers: {
        'content-type': 'application/json',
        'x-api-key': endpoint.apiKey ?? '',
        'anthropic-version': ANTHROPIC_VERSION,
      },
    };
    targets.set(d, t);
  }
  return t;
}

function request(input: CallInput, body: Json): UpstreamRequest {
  const t = target(input.deployment);
  return { url: t.url, method: 'POST', headers: t.headers, body: JSON.stringify(body) };
}

/** A Message body (native or converted), its usage and model. */
export function parseAnthropicMessage(json: unknown): { msg: Json; parsed: Omit<ParsedResponse, 'body'> } {
  const msg: Json = isRecord(json) ? json : {};
  const usage = isRecord(msg.usage) ? anthropicUsage(msg.usage) : null;
  return { msg, parsed: { usage, rawUsage: msg.usage ?? null, responseModel: str(msg.model) } };
}

const chat: EndpointHandler = {
  build: (input) =>
    request(
      input,
      chatToAnthropic(
        withDefaults(input.body, input.deployment, input.deployment.upstreamModel),
        input.deployment.upstreamModel,
        input.stream,
      ),
    ),
  parse(json) {
    const { msg, parsed } = parseAnthropicMessage(json);
    return { ...parsed, body: messageToChat(msg, parsed.usage ?? anthropicUsage(undefined)) };
  },
  decoder: createAnthropicChatDecoder,
};

const messages: EndpointHandler = {
  build(input) {
    const out = withDefaults(input.body, input.deployment, input.deployment.upstreamModel);
    if (input.stream) out.stream = true;
    else delete out.stream;
    return request(input, out);
  },
  parse(json, raw) {
    const { msg, parsed } = parseAnthropicMessage(json);
    return { ...parsed, body: msg, text: raw };
  },
  decoder: createAnthropicPassthroughDecoder,
};

/** The fields `/v1/messages/count_tokens` accepts (it rejects the rest, e.g. max_tokens). */
const COUNT_FIELDS = ['messages', 'system', 'tools', 'tool_choice', 'thinking', 'mcp_servers'] as const;

/** Token counting is free of charge: the count is kept as raw usage, nothing is billable. */
const countTokens: EndpointHandler = {
  build(input) {
    const t = target(input.deployment);
    const body: Json = { model: input.deployment.upstreamModel };
    for (const k of COUNT_FIELDS) if (input.body[k] !== undefined) body[k] = input.body[k];
    return { url: `${t.url}/count_tokens`, method: 'POST', headers: t.headers, body: JSON.stringify(body) };
  },
  parse(json, raw) {
    const body: Json = isRecord(json) ? json : {};
    return { body, text: raw, usage: emptyUsage(), rawUsage: { input_tokens: body.input_tokens ?? null } };
  },
};

export const anthropicFamily: ProviderFamily = {
  name: 'anthropic',
  endpoints: { chat, anthropic_messages: messages, count_tokens: countTokens },
  classifyError: classifyAnthropicError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
  apiBase: (d) => endpointBase(d, SPEC),
};
