/**
 * @module mock-upstream/vertex-routes
 * Vertex AI paths: `/v1/projects/{p}/locations/{l}/publishers/{publisher}/models/{m}:{method}` on
 * `{l}-aiplatform.googleapis.com` (or `aiplatform.googleapis.com` for `global`). Google's models answer in
 * the Gemini wire format (gemini-routes.ts); Anthropic's (`:rawPredict`, `:streamRawPredict`) in the
 * Messages format, with the body Vertex expects: `anthropic_version: "vertex-2023-10-16"` and no `model`
 * (the model is in the path).
 */
import type { ServerResponse } from 'node:http';
import type { Json } from '../providers/shared/json.js';
import { anthropicError, handleAnthropic } from './anthropic-routes.js';
import { handleGemini } from './gemini-routes.js';
import { sendJson } from './http-util.js';
import type { Switches } from './switches.js';

export const VERTEX_ANTHROPIC_VERSION = 'vertex-2023-10-16';

export interface VertexRoute {
  project: string;
  location: string;
  publisher: string;
  model: string;
  method: string;
}

const VERTEX_PATH =
  /\/v1(?:beta1)?\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:]+):(\w+)$/;

export function vertexRoute(path: string): VertexRoute | undefined {
  const m = VERTEX_PATH.exec(path);
  if (!m) return undefined;
  const [, project, location, publisher, model, method] = m.map((x) => decodeURIComponent(x ?? ''));
  return { project, location, publisher, model, method };
}

export async function handleVertex(
  res: ServerResponse,
  r: VertexRoute,
  body: Json,
  sw: Switches,
): Promise<void> {
  if (r.publisher === 'google') return handleGemini(res, r.method, body, r.model, sw);
  if (r.publisher !== 'anthropic' || (r.method !== 'rawPredict' && r.method !== 'streamRawPredict')) {
    return sendJson(res, 404, {
      error: {
        code: 404,
        message: `Publisher model ${r.publisher}/${r.model}:${r.method} not found.`,
        status: 'NOT_FOUND',
      },
    });
  }
  const { anthropic_version: version, ...rest } = body;
  if (version !== VERTEX_ANTHROPIC_VERSION) {
    return sendJson(
      res,
      400,
      anthropicError('invalid_request_error', `anthropic_version: must be "${VERTEX_ANTHROPIC_VERSION}"`),
    );
  }
  if (rest.model !== undefined) {
    return sendJson(
      res,
      400,
      anthropicError('invalid_request_error', 'model: Extra inputs are not permitted'),
    );
  }
  if ((r.method === 'streamRawPredict') !== (rest.stream === true)) {
    return sendJson(
      res,
      400,
      anthropicError(
        'invalid_request_error',
        `stream must be ${r.method === 'streamRawPredict'} for :${r.method}`,
      ),
    );
  }
  return handleAnthropic(res, { ...rest, model: r.model }, sw);
}
