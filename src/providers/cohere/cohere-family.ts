/**
 * @module providers/cohere
 * Cohere: rerank (`POST {api_base}/v2/rerank`, `Authorization: Bearer`, COHERE_API_KEY). The answer is
 * Cohere's own shape (`results`, `meta.billed_units.search_units`), which is also what `/v1/rerank`
 * clients expect; search units are priced by the catalog's `input_cost_per_query`.
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import { type EndpointSpec, endpointProblems, resolveEndpoint } from '../shared/credentials.js';
import { isRecord, type Json, str, tryParse } from '../shared/json.js';
import { rerankUsage } from '../shared/media-usage.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { withDefaults } from '../shared/request-body.js';
import { upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, EndpointHandler, ProviderFamily, UpstreamReply } from '../types.js';

const SPEC: EndpointSpec = {
  provider: 'cohere',
  keyEnv: ['COHERE_API_KEY', 'CO_API_KEY'],
  baseEnv: ['COHERE_API_BASE'],
  defaultBase: 'https://api.cohere.com',
  keyRequired: true,
};

const headerCache = new WeakMap<DeploymentConfig, Record<string, string>>();

/** `…/v2/rerank` whether api_base is the host, `…/v2` or `…/v1`, or the full endpoint. */
export function rerankUrl(base: string): string {
  if (base.endsWith('/rerank')) return base;
  if (/\/v[12]$/.test(base)) return `${base}/rerank`;
  return `${base}/v2/rerank`;
}

const rerank: EndpointHandler = {
  build(input) {
    const d = input.deployment;
    const { base, apiKey } = resolveEndpoint(d, SPEC);
    let headers = headerCache.get(d);
    if (!headers) {
      headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey ?? ''}` };
      headerCache.set(d, headers);
    }
    const body = withDefaults(input.body, d, d.upstreamModel);
    return { url: rerankUrl(base), method: 'POST', headers, body: JSON.stringify(body) };
  },
  parse(json, raw) {
    const body: Json = isRecord(json) ? json : {};
    const r = rerankUsage(body);
    return { body, text: raw, usage: r.usage, rawUsage: r.rawUsage };
  },
};

function classifyCohereError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  const body = tryParse(bodyText);
  const message =
    isRecord(body) && typeof body.message === 'string'
      ? redactSecrets(body.message)
      : excerpt(bodyText) || `upstream returned HTTP ${status}`;
  return upstreamHttpError(
    input,
    status,
    { message, type: isRecord(body) ? str(body.type) : undefined },
    reply,
  );
}

export const cohereFamily: ProviderFamily = {
  name: 'cohere',
  endpoints: { rerank },
  classifyError: classifyCohereError,
  checkDeployment: (d) => endpointProblems(d, SPEC),
};
