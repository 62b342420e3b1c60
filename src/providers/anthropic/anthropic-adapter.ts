/**
 * @module providers/anthropic
 * Anthropic Messages API: OpenAI chat ⇄ `/v1/messages` (x-api-key, anthropic-version 2023-06-01),
 * and the native pass-through call type `anthropic_messages` (body and response as is, usage read).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { unsupported } from '../openai-compatible/openai-adapter.js';
import { type EndpointSpec, resolveEndpoint } from '../shared/credentials.js';
import { isRecord, type Json, str } from '../shared/json.js';
import { withDefaults } from '../shared/request-body.js';
import type { PreparedRequest, ProviderAdapter } from '../types.js';
import { parseAnthropicError } from './anthropic-error.js';
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

export const anthropicAdapter: ProviderAdapter = {
  family: 'anthropic',
  supports: ['chat', 'anthropic_messages'],
  buildRequest(callType, body, deployment, stream): PreparedRequest {
    const t = target(deployment);
    let out: Json;
    if (callType === 'chat') {
      out = chatToAnthropic(
        withDefaults(body, deployment, deployment.upstreamModel),
        deployment.upstreamModel,
        stream,
      );
    } else if (callType === 'anthropic_messages') {
      out = withDefaults(body, deployment, deployment.upstreamModel);
      if (stream) out.stream = true;
      else delete out.stream;
    } else {
      throw unsupported('anthropic', callType);
    }
    return { url: t.url, method: 'POST', headers: { ...t.headers }, body: JSON.stringify(out) };
  },
  parseResponse(callType, upstream) {
    const msg: Json = isRecord(upstream) ? upstream : {};
    const usage = anthropicUsage(msg.usage);
    const usageMissing = !isRecord(msg.usage);
    const body = callType === 'anthropic_messages' ? msg : messageToChat(msg, usage);
    return { body, usage, responseModel: str(msg.model), ...(usageMissing ? { usageMissing } : {}) };
  },
  createStreamDecoder(callType) {
    return callType === 'anthropic_messages'
      ? createAnthropicPassthroughDecoder()
      : createAnthropicChatDecoder();
  },
  parseError: parseAnthropicError,
};
