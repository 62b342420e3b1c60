/**
 * @module providers/vertex
 * Vertex AI (`vertex_ai/`): Google's models through
 * `{base}/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent` (and
 * `:streamGenerateContent?alt=sse`, `:predict` for embeddings) in the Gemini wire format, Claude through
 * `publishers/anthropic/models/{m}:rawPredict` / `:streamRawPredict` in Anthropic's. `{base}` is
 * `https://{location}-aiplatform.googleapis.com/v1`, `https://aiplatform.googleapis.com/v1` for the
 * `global` location, or api_base. Requests carry `Authorization: Bearer <token>` added in `authorize`
 * from the deployment's service-account key (vertex-auth.ts); a 401 drops that token so the retry fetches
 * a new one.
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import { parseAnthropicError } from '../anthropic/anthropic-error.js';
import { parseGoogleError, withRetryAfter } from '../gemini/gemini-error.js';
import { type GeminiTarget, geminiChatHandler } from '../gemini/gemini-handlers.js';
import { isRecord, tryParse } from '../shared/json.js';
import { withDefaults } from '../shared/request-body.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamReply, UpstreamRequest } from '../types.js';
import { isClaude, vertexAnthropicChat } from './vertex-anthropic.js';
import { tokenSourceFor } from './vertex-auth.js';
import { toVertexPredict, vertexPredictToEmbedding } from './vertex-embedding.js';
import { vertexProblems, vertexSettings } from './vertex-settings.js';

const HEADERS: Readonly<Record<string, string>> = Object.freeze({ 'content-type': 'application/json' });

/** The model URL for a method (`generateContent`, `rawPredict`…), publisher chosen by the model name. */
export function vertexMethodUrl(d: DeploymentConfig, method: string): string {
  const s = vertexSettings(d);
  const publisher = isClaude(d.upstreamModel) ? 'anthropic' : 'google';
  const sse = method === 'streamGenerateContent' ? '?alt=sse' : '';
  return `${s.base}/projects/${s.project}/locations/${s.location}/publishers/${publisher}/models/${d.upstreamModel}:${method}${sse}`;
}

const target: GeminiTarget = (input, method) => ({
  url: vertexMethodUrl(input.deployment, method),
  headers: HEADERS,
});

const gemini = geminiChatHandler(target);
const claude = vertexAnthropicChat(target);
const pick = (input: CallInput): EndpointHandler =>
  isClaude(input.deployment.upstreamModel) ? claude : gemini;

/** Chat: Claude models in Anthropic's format, the rest in Gemini's. */
const chat: EndpointHandler = {
  build: (input) => pick(input).build(input),
  parse: (json, raw, input) => pick(input).parse(json, raw, input),
  decoder: (input) => pick(input).decoder!(input),
};

const embedding: EndpointHandler = {
  build(input): UpstreamRequest {
    const body = toVertexPredict(withDefaults(input.body, input.deployment, undefined));
    return {
      url: vertexMethodUrl(input.deployment, 'predict'),
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify(body),
    };
  },
  parse: (json, _raw, input) => vertexPredictToEmbedding(isRecord(json) ? json : {}, input),
};

/**
 * The token last attached for a deployment: the one a 401 rejected, or a newer one (then dropping it
 * costs one extra token fetch, never a wrong answer).
 */
const lastToken = new WeakMap<DeploymentConfig, string>();

function classifyVertexError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  const body = tryParse(bodyText);
  // rawPredict answers model errors in Anthropic's shape, platform errors (auth, quota) in Google's.
  const anthropicShape = isRecord(body) && body.type === 'error';
  const { retryAfter, ...detail }: ProviderErrorDetail & { retryAfter?: string } = anthropicShape
    ? parseAnthropicError(status, bodyText)
    : parseGoogleError(status, bodyText);
  if (status === 401) {
    // The token was rejected (expired early, revoked): drop it so the next attempt fetches a new one.
    const token = lastToken.get(input.deployment);
    if (token) tokenSourceFor(vertexSettings(input.deployment).key).invalidate(token);
    return upstreamHttpError(input, status, { ...detail, retryable: true }, reply);
  }
  return upstreamHttpError(input, status, detail, withRetryAfter(reply, retryAfter));
}

export const vertexFamily: ProviderFamily = {
  name: 'vertex_ai',
  endpoints: { chat, embedding },
  async authorize(req, d) {
    const settings = vertexSettings(d);
    const token = await tokenSourceFor(settings.key).token(d);
    lastToken.set(d, token);
    return { ...req, headers: { ...req.headers, authorization: `Bearer ${token}` } };
  },
  classifyError: classifyVertexError,
  checkDeployment: vertexProblems,
  apiBase: (d) => (vertexProblems(d).length === 0 ? vertexSettings(d).base : undefined),
};
