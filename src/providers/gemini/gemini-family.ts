/**
 * @module providers/gemini
 * Google AI Studio (`gemini/`): `POST {base}/v1beta/models/{model}:generateContent`,
 * `:streamGenerateContent?alt=sse`, `:embedContent`, `:batchEmbedContents`, authenticated with the
 * `x-goog-api-key` header (the key from `api_key` or GEMINI_API_KEY; kept out of URLs and logs).
 * `api_base` (or GEMINI_API_BASE) replaces the host; a base ending in `/v1beta`, `/v1` or `/models/{m}`
 * is used as it is.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { type EndpointSpec, endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import type { ProviderFamily } from '../types.js';
import { classifyGoogleError } from './gemini-error.js';
import { type GeminiTarget, geminiChatHandler, geminiEmbeddingHandler } from './gemini-handlers.js';

const SPEC: EndpointSpec = {
  provider: 'gemini',
  keyEnv: ['GEMINI_API_KEY'],
  baseEnv: ['GEMINI_API_BASE'],
  defaultBase: 'https://generativelanguage.googleapis.com',
  keyRequired: true,
};

/** `{base}…/models/{model}:{method}` for the accepted api_base forms (see the module comment). */
export function geminiMethodUrl(base: string, model: string, method: string): string {
  const m = model.replace(/^models\//, '');
  let prefix: string;
  if (/\/models\/[^/]+$/.test(base)) prefix = base;
  else if (/\/v1(?:beta|alpha)?$/.test(base)) prefix = `${base}/models/${m}`;
  else prefix = `${base}/v1beta/models/${m}`;
  return `${prefix}:${method}${method === 'streamGenerateContent' ? '?alt=sse' : ''}`;
}

interface Resolved {
  base: string;
  headers: Record<string, string>;
}

const resolved = new WeakMap<DeploymentConfig, Resolved>();

const target: GeminiTarget = (input, method) => {
  const d = input.deployment;
  let r = resolved.get(d);
  if (!r) {
    const endpoint = resolveEndpoint(d, SPEC);
    r = {
      base: endpoint.base,
      headers: { 'content-type': 'application/json', 'x-goog-api-key': endpoint.apiKey ?? '' },
    };
    resolved.set(d, r);
  }
  return { url: geminiMethodUrl(r.base, d.upstreamModel, method), headers: r.headers };
};

export const geminiFamily: ProviderFamily = {
  name: 'gemini',
  endpoints: { chat: geminiChatHandler(target), embedding: geminiEmbeddingHandler(target) },
  classifyError: classifyGoogleError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
  apiBase: (d) => endpointBase(d, SPEC),
};
