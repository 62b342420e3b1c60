/**
 * @module gateway/routes/media-routes
 * The OpenAI endpoints beyond chat: audio transcriptions and translations and image edits/variations
 * (multipart uploads, see multipart-upload.ts), text to speech (the audio streamed back, its cost in the
 * headers), moderations, rerank (Cohere/Jina shape), and Anthropic's /v1/messages/count_tokens — with and
 * without /v1, and Azure-style `/openai/deployments/{deployment}/…` paths. Each is one engine call: priced
 * and logged with one spend row.
 */
import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallType } from '../../providers/types.js';
import type { Engine } from '../engine.js';
import { asObject, costHeaders, streamToClient } from './llm-routes.js';
import { readUpload } from './multipart-upload.js';

export interface MediaRouteDeps {
  engine: Engine;
  logger: Logger;
  /** The largest upload accepted, in bytes (general_settings.max_request_body_bytes). */
  maxUploadBytes: number;
}

const MULTIPART: ReadonlyArray<{ path: string; callType: CallType; audio: boolean }> = [
  { path: '/audio/transcriptions', callType: 'transcription', audio: true },
  { path: '/audio/translations', callType: 'translation', audio: true },
  { path: '/images/edits', callType: 'image_edit', audio: false },
  { path: '/images/variations', callType: 'image_variation', audio: false },
];

const JSON_ROUTES: ReadonlyArray<{ path: string; callType: CallType; azure: boolean }> = [
  { path: '/audio/speech', callType: 'speech', azure: true },
  { path: '/moderations', callType: 'moderation', azure: false },
  { path: '/rerank', callType: 'rerank', azure: false },
  { path: '/messages/count_tokens', callType: 'count_tokens', azure: false },
];

/** Moderations may omit `model` (OpenAI picks its default): the first model group that serves them. */
function defaultModel(engine: Engine, callType: CallType): string | undefined {
  for (const g of engine.groups.values()) if (g.members.some((m) => m.callTypes.has(callType))) return g.name;
  return undefined;
}

async function run(
  deps: MediaRouteDeps,
  callType: CallType,
  body: Record<string, unknown>,
  request: FastifyRequest,
  reply: FastifyReply,
) {
  const requestId = randomUUID();
  reply.header('x-tollgate-request-id', requestId).header('x-litellm-call-id', requestId);
  const plan = await deps.engine.prepare({ callType, body, auth: request.auth, requestId });
  reply.header('x-tollgate-model-group', plan.modelGroup).header('x-litellm-model-group', plan.modelGroup);
  if (plan.stream) {
    await streamToClient(deps.engine, plan, reply, deps.logger);
    return;
  }
  const r = await deps.engine.complete(plan);
  return reply
    .headers(costHeaders(r.costText, r.runtime, r.cost.source))
    .type(r.contentType ?? 'application/json')
    .send(r.body);
}

export function registerMediaRoutes(app: FastifyInstance, deps: MediaRouteDeps): void {
  app.register(multipart, { throwFileSizeLimit: true, limits: { fileSize: deps.maxUploadBytes } });
  const llm = { config: { kind: 'llm' as const } };
  const paths = (path: string, azure: boolean) => [
    path,
    `/v1${path}`,
    // Cohere's v2 client calls /v2/rerank.
    ...(path === '/rerank' ? ['/v2/rerank'] : []),
    ...(azure ? [`/openai/deployments/:deployment${path}`] : []),
  ];

  for (const { path, callType, audio } of MULTIPART) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const upload = await readUpload(request, { maxBytes: deps.maxUploadBytes, audio });
      try {
        const deployment = (request.params as { deployment?: string }).deployment;
        const { stream, ...fields } = upload.fields;
        if (stream === 'true') {
          throw new GatewayError('TG_ERR_UNSUPPORTED', `Streaming is not supported for ${path}.`, {
            param: 'stream',
          });
        }
        const body = { ...fields, model: fields.model ?? deployment, files: upload.files };
        return await run(deps, callType, body, request, reply);
      } finally {
        await upload.cleanup();
      }
    };
    for (const p of paths(path, true)) app.post(p, llm, handler);
  }

  for (const { path, callType, azure } of JSON_ROUTES) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const body = asObject(request.body);
      const deployment = (request.params as { deployment?: string }).deployment;
      const model =
        body.model ??
        deployment ??
        (callType === 'moderation' ? defaultModel(deps.engine, callType) : undefined);
      return run(deps, callType, { ...body, model }, request, reply);
    };
    for (const p of paths(path, azure)) app.post(p, llm, handler);
  }
}
