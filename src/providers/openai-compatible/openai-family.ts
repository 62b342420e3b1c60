/**
 * @module providers/openai-compatible/openai-family
 * The OpenAI-compatible family: one function turns a provider's data (base URL, key variables,
 * openai-providers.ts) into a ProviderFamily with bearer-key auth.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import type { ProviderFamily } from '../types.js';
import { type OpenAiTarget, openAiEndpoints } from './openai-endpoints.js';
import { classifyOpenAiError } from './openai-error.js';
import { openAiMediaEndpoints } from './openai-media.js';
import type { OpenAiCompatibleSpec } from './openai-providers.js';
import { nativeResponsesEndpoints } from './openai-responses.js';

export function createOpenAiCompatibleFamily(spec: OpenAiCompatibleSpec): ProviderFamily {
  const headerCache = new WeakMap<DeploymentConfig, Record<string, string>>();
  const target = (d: DeploymentConfig, path: string): OpenAiTarget => {
    const endpoint = resolveEndpoint(d, spec);
    let headers = headerCache.get(d);
    if (!headers) {
      headers = { 'content-type': 'application/json' };
      if (endpoint.apiKey !== undefined) headers.authorization = `Bearer ${endpoint.apiKey}`;
      headerCache.set(d, headers);
    }
    return { url: endpoint.base + path, headers };
  };
  const model = (d: DeploymentConfig) => d.upstreamModel;
  return {
    name: spec.provider,
    endpoints: {
      ...openAiEndpoints({
        target,
        chatViaCompletions: spec.chatViaCompletions,
        convertUsage: spec.convertUsage,
      }),
      ...openAiMediaEndpoints(target, model, spec.media ?? []),
      ...(spec.nativeResponses
        ? nativeResponsesEndpoints({ url: (d, suffix) => target(d, `/responses${suffix}`), model })
        : {}),
    },
    classifyError: classifyOpenAiError,
    checkDeployment: (d) => endpointProblems(d, spec),
    apiBase: (d) => endpointBase(d, spec),
  };
}
