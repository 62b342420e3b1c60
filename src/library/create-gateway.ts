/**
 * @module library/create-gateway
 * `createGateway()`: the gateway's routing and pricing, in-process, without HTTP or a database.
 * Per-call price overrides (`inputCostPerToken`, …) win over everything; success/failure
 * callbacks receive the spend event with its exact `responseCost` (LiteLLM's
 * kwargs["response_cost"]).
 */
import { randomUUID } from 'node:crypto';
import type { AuthContext } from '../access/types.js';
import { parseConfig } from '../config/load.js';
import type { GatewayConfig } from '../config/types.js';
import { buildRuntimes } from '../gateway/deployment-runtime.js';
import { type CallEvent, createEngine, type Engine, type StreamOutput } from '../gateway/engine.js';
import { StartupError } from '../gateway/server.js';
import type { SpendSink } from '../ledger/spend-event.js';
import { logger as defaultLogger, type Logger } from '../logger.js';
import { builtinCatalog, type Catalog, type Cost, type PriceOverrides } from '../pricing/index.js';
import { createSseParser } from '../providers/shared/sse.js';
import type { CallType } from '../providers/types.js';

export interface CreateGatewayOptions {
  /** A parsed config, or config.yaml text. */
  config: GatewayConfig | string;
  env?: NodeJS.ProcessEnv;
  catalog?: Catalog;
  logger?: Logger;
  /** Receives every spend event (e.g. your own ledger). */
  sink?: SpendSink;
  onSuccess?: (e: CallEvent) => void;
  onFailure?: (e: CallEvent) => void;
}

export interface CallOptions {
  overrides?: PriceOverrides;
}

export interface CallResult {
  response: Record<string, unknown>;
  requestId: string;
  /** Exact decimal text. */
  responseCost: string;
  cost: Cost;
  deploymentId: string;
}

export interface StreamCall {
  /** OpenAI chunk objects as they arrive; the last one carries `usage.cost`. */
  chunks: AsyncIterable<Record<string, unknown>>;
  requestId: string;
}

const OPEN_AUTH: AuthContext = {
  isMaster: true,
  openMode: true,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
};

export interface InProcessGateway {
  engine: Engine;
  modelNames(): string[];
  chatCompletions(body: Record<string, unknown>, o?: CallOptions): Promise<CallResult>;
  completions(body: Record<string, unknown>, o?: CallOptions): Promise<CallResult>;
  embeddings(body: Record<string, unknown>, o?: CallOptions): Promise<CallResult>;
  imageGenerations(body: Record<string, unknown>, o?: CallOptions): Promise<CallResult>;
  streamChatCompletions(body: Record<string, unknown>, o?: CallOptions): Promise<StreamCall>;
}

export function createGateway(opts: CreateGatewayOptions): InProcessGateway {
  const config = typeof opts.config === 'string' ? parseConfig(opts.config, { env: opts.env }) : opts.config;
  const catalog = opts.catalog ?? builtinCatalog();
  const built = buildRuntimes(config, catalog);
  if (built.errors.length) throw new StartupError(built.errors);
  const engine = createEngine({
    runtimes: built.runtimes,
    wildcards: built.wildcards,
    disabled: built.disabled,
    routerPolicy: config.routerSettings.policy,
    requirePricing: config.generalSettings.requirePricing,
    catalog: () => catalog,
    logger: opts.logger ?? defaultLogger,
    sink: opts.sink ?? null,
    access: null,
    numRetries: config.routerSettings.numRetries,
    timeoutSeconds: config.routerSettings.timeout,
    onSuccess: opts.onSuccess,
    onFailure: opts.onFailure,
  });

  const call =
    (callType: CallType) =>
    async (body: Record<string, unknown>, o: CallOptions = {}) => {
      const requestId = randomUUID();
      const plan = await engine.prepare({
        callType,
        body: { ...body, stream: false },
        auth: OPEN_AUTH,
        requestId,
        overrides: o.overrides,
      });
      const r = await engine.complete(plan);
      return {
        response: JSON.parse(r.body) as Record<string, unknown>,
        requestId,
        responseCost: r.costText,
        cost: r.cost,
        deploymentId: r.runtime.config.id,
      };
    };

  return {
    engine,
    modelNames: () => engine.modelNames(),
    chatCompletions: call('chat'),
    completions: call('completion'),
    embeddings: call('embedding'),
    imageGenerations: call('image_generation'),
    async streamChatCompletions(body, o = {}) {
      const requestId = randomUUID();
      // The final chunk carries usage.cost: ask for it unless the caller chose stream_options itself.
      const streamOptions = body.stream_options ?? { include_usage: true };
      const plan = await engine.prepare({
        callType: 'chat',
        body: { ...body, stream: true, stream_options: streamOptions },
        auth: OPEN_AUTH,
        requestId,
        overrides: o.overrides,
      });
      return { requestId, chunks: iterateStream(engine, plan) };
    },
  };
}

async function* iterateStream(
  engine: Engine,
  plan: Awaited<ReturnType<Engine['prepare']>>,
): AsyncGenerator<Record<string, unknown>> {
  const queue: string[] = [];
  let wake: (() => void) | null = null;
  let done = false;
  let failure: unknown = null;
  const abort = new AbortController();
  const out: StreamOutput = {
    signal: abort.signal,
    start() {},
    write(text) {
      // Chat streams are SSE text; binary outputs (speech) are not served by this iterator.
      queue.push(typeof text === 'string' ? text : new TextDecoder().decode(text));
      wake?.();
    },
    end() {},
  };
  const settle = (err: unknown) => {
    failure = err;
    done = true;
    wake?.();
  };
  engine.stream(plan, out).then(
    // Failed after the stream started: the error frame was the last chunk; raise it like a client SDK.
    (summary) => settle(summary.error),
    settle,
  );
  const sse = createSseParser();
  try {
    while (true) {
      while (queue.length) {
        for (const ev of sse.push(queue.shift()!)) {
          if (!ev.data || ev.data === '[DONE]') continue;
          const chunk = JSON.parse(ev.data) as Record<string, unknown>;
          if (chunk.error === undefined) yield chunk;
        }
      }
      if (done && queue.length === 0) {
        if (failure) throw failure;
        return;
      }
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = null;
    }
  } finally {
    // Consumer stopped early: behave like a disconnected client (upstream aborted, usage estimated).
    if (!done) abort.abort();
  }
}
