/**
 * @module gateway/routes/llm-routes
 * The OpenAI-compatible LLM endpoints (with and without /v1, plus Azure-style deployment paths)
 * and the Anthropic-native /v1/messages pass-through. Non-streaming answers carry the cost in
 * headers; streams carry it in the final chunk's `usage.cost`.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallType } from '../../providers/types.js';
import type { DeploymentRuntime } from '../deployment-runtime.js';
import type { CallPlan, Engine, StreamHead, StreamOutput, StreamSummary } from '../engine.js';
import { toGatewayError } from '../error-handler.js';

const ROUTES: ReadonlyArray<{ path: string; callType: CallType }> = [
  { path: '/chat/completions', callType: 'chat' },
  { path: '/completions', callType: 'completion' },
  { path: '/embeddings', callType: 'embedding' },
  { path: '/images/generations', callType: 'image_generation' },
];

export const LLM_ROUTE_URLS: readonly string[] = [
  ...ROUTES.flatMap((r) => [r.path, `/v1${r.path}`, `/openai/deployments/:deployment${r.path}`]),
  '/v1/messages',
];

export function registerLlmRoutes(app: FastifyInstance, engine: Engine, logger: Logger): void {
  for (const { path, callType } of ROUTES) {
    const handler = makeHandler(engine, callType, logger);
    app.post(path, { config: { kind: 'llm' } }, handler);
    app.post(`/v1${path}`, { config: { kind: 'llm' } }, handler);
    // Azure OpenAI clients put the model (deployment) in the path.
    app.post(`/openai/deployments/:deployment${path}`, { config: { kind: 'llm' } }, (req, reply) => {
      const body = asObject(req.body);
      const deployment = (req.params as { deployment: string }).deployment;
      req.body = { ...body, model: body.model ?? deployment };
      return handler(req, reply);
    });
  }
  app.post('/v1/messages', { config: { kind: 'llm' } }, makeHandler(engine, 'anthropic_messages', logger));
}

function makeHandler(engine: Engine, callType: CallType, logger: Logger) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const body = asObject(request.body);
    const requestId = randomUUID();
    reply.header('x-tollgate-request-id', requestId).header('x-litellm-call-id', requestId);
    const plan = await engine.prepare({ callType, body, auth: request.auth, requestId });
    reply.header('x-tollgate-model-group', plan.modelGroup).header('x-litellm-model-group', plan.modelGroup);
    if (plan.cache) reply.header('x-litellm-cache-key', plan.cache.key);
    if (!plan.stream) {
      const r = await engine.complete(plan);
      if (r.cacheHit) reply.header('x-tollgate-cache-hit', 'true');
      return reply
        .headers(costHeaders(r.costText, r.runtime, r.cost.source))
        .type(r.contentType ?? 'application/json')
        .send(r.body);
    }
    await streamToClient(engine, plan, reply, logger);
  };
}

export async function streamToClient(
  engine: Engine,
  plan: CallPlan,
  reply: FastifyReply,
  logger: Logger,
  /** Sees every piece written to the client (the responses route keeps the terminal event). */
  tap?: (piece: string | Uint8Array) => void,
): Promise<StreamSummary | null> {
  const res = reply.raw;
  const abort = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  let started = false;
  let wrote = false;
  const out: StreamOutput = {
    signal: abort.signal,
    start(rt: DeploymentRuntime, head?: StreamHead) {
      started = true;
      reply.hijack();
      const sse = head?.contentType === undefined;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': head?.contentType ?? 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        ...(sse ? { connection: 'keep-alive' } : {}),
        'x-litellm-model-id': rt.config.id,
        'x-tollgate-pricing-source': rt.pricing.source,
        // Known before the first byte (speech: priced by its input's characters).
        ...(head?.cost ? costHeaders(head.cost.text, rt, head.cost.source) : {}),
      });
      // The headers leave with the first bytes (one write, as a pass-through sends them), or on the next turn
      // of the event loop when the upstream's headers came without a first event (a model still thinking).
      setImmediate(() => {
        if (!wrote && !res.destroyed) res.flushHeaders();
      });
    },
    write(text: string | Uint8Array) {
      tap?.(text);
      if (res.destroyed) return;
      wrote = true;
      if (!res.write(text)) {
        return new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    },
    end() {
      if (!res.destroyed && !res.writableEnded) res.end();
    },
  };
  try {
    return await engine.stream(plan, out);
  } catch (err) {
    if (!started) throw err; // headers not sent yet: the normal JSON error path applies
    // Mid-stream failure: tell the client in-band, then close.
    const ge = toGatewayError(err);
    logger.warn({ requestId: plan.requestId, err: ge.message }, 'stream failed after start');
    if (!res.destroyed) {
      res.write(`data: ${JSON.stringify(ge.toJSON())}\n\n`);
      res.end();
    }
    return null;
  }
}

export function costHeaders(costText: string, rt: DeploymentRuntime, source: string): Record<string, string> {
  return {
    'x-tollgate-response-cost': costText,
    'x-litellm-response-cost': costText,
    'x-litellm-model-id': rt.config.id,
    'x-tollgate-pricing-source': source,
  };
}

export function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('TG_ERR_BAD_REQUEST', 'Request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}
