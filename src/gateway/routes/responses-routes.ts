/**
 * @module gateway/routes/responses-routes
 * The OpenAI Responses API: POST /v1/responses (JSON, or the typed event stream whose terminal
 * `response.completed` carries `usage.cost`), GET /v1/responses/{id}, DELETE, and
 * GET /v1/responses/{id}/input_items — with and without /v1, and under /openai (Azure clients).
 * Creation is an ordinary engine call (priced, one spend row). The stored-response calls are free and
 * not metered: they are answered from the store for translated providers, or sent to the deployment that
 * created the response for native ones — only for the key that created it (see responses-store.ts).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { listPage, normalizeInputItems } from '../../providers/responses/response-items.js';
import { isTranslatedResponses } from '../../providers/responses/responses-via-chat.js';
import { isRecord, type Json, tryParse } from '../../providers/shared/json.js';
import { createSseParser } from '../../providers/shared/sse.js';
import type { CallType } from '../../providers/types.js';
import type { DeploymentRuntime } from '../deployment-runtime.js';
import type { CallPlan, Engine } from '../engine.js';
import { mayRead, type ResponsesStore, type StoredResponse } from '../responses-store.js';
import { openUpstream, readJsonBody } from '../upstream-call.js';
import { asObject, costHeaders, streamToClient } from './llm-routes.js';

export interface ResponsesRouteDeps {
  engine: Engine;
  store: ResponsesStore;
  logger: Logger;
  /** router_settings.timeout, for the stored-response calls. */
  timeoutSeconds: number;
}

const PREFIXES = ['', '/v1', '/openai', '/openai/v1'];
const ID_RE = /^[A-Za-z0-9_-]{1,200}$/;

function notFound(id: string, param = 'response_id'): GatewayError {
  return new GatewayError('TG_ERR_NOT_FOUND', `Response with id '${id}' not found.`, { param });
}

function responseId(request: FastifyRequest): string {
  const id = (request.params as { id?: string }).id ?? '';
  if (!ID_RE.test(id))
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Invalid response id.', { param: 'response_id' });
  return id;
}

function findRuntime(engine: Engine, deploymentId: string): DeploymentRuntime | undefined {
  for (const g of engine.groups.values())
    for (const m of g.members) if (m.config.id === deploymentId) return m;
  return undefined;
}

/** `previous_response_id`: must be the caller's; a translated conversation is replayed as input items. */
async function withHistory(deps: ResponsesRouteDeps, request: FastifyRequest, body: Json): Promise<Json> {
  const prevId = body.previous_response_id;
  if (prevId === undefined || prevId === null) return body;
  if (typeof prevId !== 'string' || !ID_RE.test(prevId))
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Field "previous_response_id" must be a response id.', {
      param: 'previous_response_id',
    });
  const prev = await deps.store.get(prevId);
  if (!prev || !mayRead(request.auth, prev)) throw notFound(prevId, 'previous_response_id');
  const group = deps.engine.groups.get(String(body.model));
  const translatedTarget = group?.members.some((m) => isTranslatedResponses(m.family.endpoints.responses));
  if (prev.native) {
    if (translatedTarget)
      throw new GatewayError(
        'TG_ERR_UNSUPPORTED',
        `Response '${prevId}' is stored by its provider (model group "${prev.modelGroup}"); continue that conversation on a model with a native Responses API, or send the history as input.`,
        { param: 'previous_response_id' },
      );
    return body;
  }
  const history = [...(prev.inputItems ?? []), ...((prev.response?.output as Json[] | undefined) ?? [])];
  const { previous_response_id: _, ...rest } = body;
  return { ...rest, input: [...history, ...normalizeInputItems(body.input)] };
}

function record(
  deps: ResponsesRouteDeps,
  request: FastifyRequest,
  plan: CallPlan,
  rt: DeploymentRuntime,
  response: Json,
): void {
  if (plan.body.store === false || typeof response.id !== 'string') return;
  const native = plan.mockResponse === undefined && !isTranslatedResponses(rt.family.endpoints.responses);
  deps.store.save({
    id: response.id,
    keyHash: request.auth.keyHash,
    modelGroup: plan.modelGroup,
    deploymentId: rt.config.id,
    native,
    createdAt: Date.now(),
    response: native ? null : response,
    inputItems: native ? null : normalizeInputItems(plan.body.input),
  });
}

/** Keeps the terminal event of the stream written to the client. */
function terminalTap(): { tap: (piece: string | Uint8Array) => void; response: () => Json | null } {
  const parser = createSseParser();
  let last: Json | null = null;
  return {
    tap(piece) {
      if (typeof piece !== 'string' || !piece.includes('response.')) return;
      for (const ev of parser.push(piece)) {
        if (ev.event !== 'response.completed' && ev.event !== 'response.incomplete') continue;
        const data = tryParse(ev.data);
        if (isRecord(data) && isRecord(data.response)) last = data.response;
      }
    },
    response: () => last,
  };
}

async function create(deps: ResponsesRouteDeps, request: FastifyRequest, reply: FastifyReply) {
  const requestId = randomUUID();
  reply.header('x-tollgate-request-id', requestId).header('x-litellm-call-id', requestId);
  const body = await withHistory(deps, request, asObject(request.body));
  const plan = await deps.engine.prepare({ callType: 'responses', body, auth: request.auth, requestId });
  reply.header('x-tollgate-model-group', plan.modelGroup).header('x-litellm-model-group', plan.modelGroup);
  if (!plan.stream) {
    const r = await deps.engine.complete(plan);
    reply
      .headers(costHeaders(r.costText, r.runtime, r.cost.source))
      .type('application/json')
      .send(r.body);
    const parsed = tryParse(r.body);
    if (isRecord(parsed)) record(deps, request, plan, r.runtime, parsed);
    return reply;
  }
  const t = terminalTap();
  const summary = await streamToClient(deps.engine, plan, reply, deps.logger, t.tap);
  const response = t.response();
  if (summary && !summary.error && response) record(deps, request, plan, summary.runtime, response);
}

/** A stored-response call on a native deployment: sent upstream as is, not metered. */
async function upstream(
  deps: ResponsesRouteDeps,
  stored: StoredResponse,
  callType: CallType,
  body: Json,
): Promise<string> {
  const rt = findRuntime(deps.engine, stored.deploymentId);
  if (!rt?.family.endpoints[callType])
    throw new GatewayError(
      'TG_ERR_NOT_FOUND',
      `Response '${stored.id}' was created by a deployment that is no longer configured.`,
      { param: 'response_id' },
    );
  const timeoutMs = (rt.config.timeout ?? deps.timeoutSeconds) * 1000;
  const call = await openUpstream(
    { callType, body, stream: false, mockResponse: undefined },
    rt,
    timeoutMs,
    undefined,
  );
  const { json, raw } = await readJsonBody(call, rt, timeoutMs);
  const parsed = call.handler.parse(json, raw, call.input);
  return parsed.text ?? JSON.stringify(parsed.body);
}

async function owned(deps: ResponsesRouteDeps, request: FastifyRequest): Promise<StoredResponse> {
  const id = responseId(request);
  const stored = await deps.store.get(id);
  if (!stored || !mayRead(request.auth, stored)) throw notFound(id);
  return stored;
}

function listQuery(request: FastifyRequest): {
  limit: number;
  order: 'asc' | 'desc';
  after?: string;
  before?: string;
} {
  const q = request.query as Record<string, string | undefined>;
  const limit = q.limit === undefined ? 20 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100)
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Query "limit" must be an integer from 1 to 100.', {
      param: 'limit',
    });
  const order = q.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc')
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Query "order" must be "asc" or "desc".', {
      param: 'order',
    });
  for (const k of ['after', 'before'] as const)
    if (q[k] !== undefined && !ID_RE.test(q[k] as string))
      throw new GatewayError('TG_ERR_BAD_REQUEST', `Query "${k}" must be an item id.`, { param: k });
  return { limit, order, after: q.after, before: q.before };
}

export function registerResponsesRoutes(app: FastifyInstance, deps: ResponsesRouteDeps): void {
  const llm = { config: { kind: 'llm' as const } };
  for (const p of PREFIXES) {
    app.post(`${p}/responses`, llm, (request, reply) => create(deps, request, reply));
    app.get(`${p}/responses/:id`, llm, async (request, reply) => {
      const stored = await owned(deps, request);
      if (!stored.native) return reply.type('application/json').send(stored.response);
      const text = await upstream(deps, stored, 'responses_get', { response_id: stored.id });
      return reply.type('application/json').send(text);
    });
    app.delete(`${p}/responses/:id`, llm, async (request, reply) => {
      const stored = await owned(deps, request);
      if (stored.native) await upstream(deps, stored, 'responses_delete', { response_id: stored.id });
      await deps.store.delete(stored.id);
      return reply.type('application/json').send({ id: stored.id, object: 'response', deleted: true });
    });
    app.get(`${p}/responses/:id/input_items`, llm, async (request, reply) => {
      const stored = await owned(deps, request);
      const q = listQuery(request);
      if (!stored.native) return reply.type('application/json').send(listPage(stored.inputItems ?? [], q));
      const text = await upstream(deps, stored, 'responses_input_items', { response_id: stored.id, ...q });
      return reply.type('application/json').send(text);
    });
  }
}
