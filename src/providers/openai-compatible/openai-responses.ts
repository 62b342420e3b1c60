/**
 * @module providers/openai-compatible/openai-responses
 * Native Responses API endpoints for upstreams that have one (OpenAI, Azure OpenAI): create (JSON or the
 * typed event stream, forwarded with the cost added to the terminal event), and the free calls on a
 * stored response: GET `/responses/{id}`, DELETE, GET `/responses/{id}/input_items`. The body is
 * forwarded as sent (its `metadata` included) with the upstream model and the deployment's defaults.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { emptyUsage } from '../../pricing/usage.js';
import { createResponsesNativeDecoder } from '../responses/responses-native-stream.js';
import { isRecord, type Json, str } from '../shared/json.js';
import { usageFromOpenAi } from '../shared/openai-usage.js';
import { withDefaults } from '../shared/request-body.js';
import type { EndpointHandler, EndpointTable, UpstreamRequest } from '../types.js';
import type { OpenAiTarget } from './openai-endpoints.js';

export interface ResponsesTarget {
  /** URL and headers for `/responses…` (`suffix` is '' or `/{id}` or `/{id}/input_items`, query included). */
  url(d: DeploymentConfig, suffix: string): OpenAiTarget;
  /** The model name to send (OpenAI: the upstream model; Azure: the deployment name). */
  model(d: DeploymentConfig): string;
}

/** Query parameters the retrieval calls forward (validated by the route). */
const LIST_PARAMS = ['limit', 'order', 'after', 'before'] as const;

function idPath(body: Json, extra = ''): string {
  return `/${encodeURIComponent(String(body.response_id ?? ''))}${extra}`;
}

function query(body: Json, keys: readonly string[]): string {
  const q = new URLSearchParams();
  for (const k of keys) if (body[k] !== undefined) q.set(k, String(body[k]));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** `?a=b` joined onto a URL that may already carry a query (Azure's api-version). */
function withQuery(url: string, q: string): string {
  if (!q) return url;
  return url.includes('?') ? `${url}&${q.slice(1)}` : url + q;
}

function passthrough(
  method: UpstreamRequest['method'],
  t: ResponsesTarget,
  suffix: (b: Json) => string,
  params: readonly string[] = [],
): EndpointHandler {
  return {
    build(input) {
      const target = t.url(input.deployment, suffix(input.body));
      return {
        url: withQuery(target.url, query(input.body, params)),
        method,
        headers: target.headers,
        body: null,
      };
    },
    parse: (json, raw) => ({
      body: isRecord(json) ? json : {},
      text: raw,
      usage: emptyUsage(),
      rawUsage: null,
    }),
  };
}

export function nativeResponsesEndpoints(t: ResponsesTarget): EndpointTable {
  const create: EndpointHandler = {
    build(input) {
      const target = t.url(input.deployment, '');
      const body = withDefaults(input.body, input.deployment, t.model(input.deployment));
      if (input.stream) body.stream = true;
      else delete body.stream;
      return { url: target.url, method: 'POST', headers: target.headers, body: JSON.stringify(body) };
    },
    parse(json, raw) {
      const body: Json = isRecord(json) ? json : {};
      return {
        body,
        text: raw,
        usage: usageFromOpenAi(body.usage),
        rawUsage: body.usage ?? null,
        responseModel: str(body.model),
      };
    },
    decoder: (input) => createResponsesNativeDecoder(input),
  };
  return {
    responses: create,
    responses_get: passthrough('GET', t, (b) => idPath(b)),
    responses_delete: passthrough('DELETE', t, (b) => idPath(b)),
    responses_input_items: passthrough('GET', t, (b) => idPath(b, '/input_items'), LIST_PARAMS),
  };
}
