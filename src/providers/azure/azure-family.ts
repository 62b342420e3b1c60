/**
 * @module providers/azure
 * Azure OpenAI: `{api_base}/openai/deployments/{deployment}/{path}?api-version=…` with an `api-key`
 * header; bodies and responses are OpenAI's. Azure reports a generic model name (`gpt-4` for a
 * gpt-4-1106-preview deployment): `responseModel` is what Azure returned; pricing should prefer the
 * deployment's `base_model`.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { type OpenAiTarget, openAiEndpoints } from '../openai-compatible/openai-endpoints.js';
import { classifyOpenAiError } from '../openai-compatible/openai-error.js';
import { type EndpointSpec, endpointBase, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import type { ProviderFamily } from '../types.js';

/** Latest GA data-plane inference version (supports stream_options.include_usage). */
export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

const SPEC: EndpointSpec = {
  provider: 'azure',
  keyEnv: ['AZURE_API_KEY', 'AZURE_OPENAI_API_KEY'],
  baseEnv: ['AZURE_API_BASE', 'AZURE_OPENAI_ENDPOINT'],
  defaultBase: undefined,
  keyRequired: true,
};

interface AzureTarget {
  /** URL up to and including the deployment segment. */
  prefix: string;
  query: string;
  headers: Record<string, string>;
}

const targets = new WeakMap<DeploymentConfig, AzureTarget>();

function target(d: DeploymentConfig, path: string): OpenAiTarget {
  let t = targets.get(d);
  if (!t) {
    const endpoint = resolveEndpoint(d, SPEC);
    const version = d.apiVersion ?? process.env.AZURE_API_VERSION ?? AZURE_DEFAULT_API_VERSION;
    t = {
      prefix: `${endpoint.base}/openai/deployments/${encodeURIComponent(d.upstreamModel)}`,
      query: `?api-version=${encodeURIComponent(version)}`,
      headers: { 'content-type': 'application/json', 'api-key': endpoint.apiKey ?? '' },
    };
    targets.set(d, t);
  }
  return { url: t.prefix + path + t.query, headers: t.headers };
}

export const azureFamily: ProviderFamily = {
  name: 'azure',
  // The deployment is in the URL; Azure ignores `model` in the body, so it is left out.
  endpoints: openAiEndpoints({ target, modelInBody: false }),
  classifyError: classifyOpenAiError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
  apiBase: (d) => endpointBase(d, SPEC),
};
