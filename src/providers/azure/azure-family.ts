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
import { openAiMediaEndpoints } from '../openai-compatible/openai-media.js';
import { nativeResponsesEndpoints } from '../openai-compatible/openai-responses.js';
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

/** Oldest data-plane version with the Responses API; older configured versions use it for responses. */
export const AZURE_RESPONSES_API_VERSION = '2025-03-01-preview';

const responsesTargets = new WeakMap<
  DeploymentConfig,
  { url: string; query: string; headers: Record<string, string> }
>();

/** Azure's Responses API is not under /deployments: `{base}/openai/responses`, the deployment as `model`. */
function responsesTarget(d: DeploymentConfig, suffix: string): OpenAiTarget {
  let t = responsesTargets.get(d);
  if (!t) {
    const endpoint = resolveEndpoint(d, SPEC);
    const configured = d.apiVersion ?? process.env.AZURE_API_VERSION;
    const version =
      configured !== undefined && configured >= AZURE_RESPONSES_API_VERSION
        ? configured
        : AZURE_RESPONSES_API_VERSION;
    t = {
      url: `${endpoint.base}/openai/responses`,
      query: `?api-version=${encodeURIComponent(version)}`,
      headers: { 'content-type': 'application/json', 'api-key': endpoint.apiKey ?? '' },
    };
    responsesTargets.set(d, t);
  }
  return { url: t.url + suffix + t.query, headers: t.headers };
}

export const azureFamily: ProviderFamily = {
  name: 'azure',
  // The deployment is in the URL; Azure ignores `model` in the body, so it is left out.
  endpoints: {
    ...openAiEndpoints({ target, modelInBody: false }),
    ...openAiMediaEndpoints(target, () => undefined, [
      'transcription',
      'translation',
      'speech',
      'image_edit',
      'image_variation',
    ]),
    ...nativeResponsesEndpoints({ url: responsesTarget, model: (d) => d.upstreamModel }),
  },
  classifyError: classifyOpenAiError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
  apiBase: (d) => endpointBase(d, SPEC),
};
