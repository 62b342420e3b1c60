/**
 * @module gateway/server
 * Wires one gateway process: cost map → deployments → database → ledger → access → HTTP routes.
 * Startup refuses a configuration with any error (a bad config never starts a half-working
 * gateway); SIGTERM drains the ledger before exit.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import './fastify-types.js';
import { installInputGuard } from '../access/input-guard.js';
import { type AccessService, createAccessService } from '../access/service.js';
import type { RouteKind } from '../access/types.js';
import type { GatewayConfig } from '../config/types.js';
import { createCostMapManager } from '../cost-map/index.js';
import { registerDeadLetterRoutes } from '../ledger/dead-letter-routes.js';
import { createLedger, type Ledger } from '../ledger/ledger.js';
import type { Logger } from '../logger.js';
import { registerReportRoutes } from '../reports/routes.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import { registerUiRoutes } from '../ui/routes.js';
import { VERSION } from '../version.js';
import { installAuth } from './auth-hook.js';
import { buildRuntimes } from './deployment-runtime.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { installErrorHandling } from './error-handler.js';
import { registerInfoRoutes } from './routes/info-routes.js';
import { registerLlmRoutes } from './routes/llm-routes.js';

export interface GatewayOptions {
  config: GatewayConfig;
  logger: Logger;
  /** Folder for the embedded database and the spend spool. */
  dataDir: string;
  /** Overrides general_settings.database_url / DATABASE_URL. */
  databaseUrl?: string;
  /** Overrides general_settings.redis_url / REDIS_URL. */
  redisUrl?: string;
  env?: NodeJS.ProcessEnv;
  /** Ledger tuning (tests). */
  ledger?: { batchSize?: number; flushIntervalMs?: number };
  onSuccess?: EngineOptions['onSuccess'];
  onFailure?: EngineOptions['onFailure'];
}

export interface Gateway {
  app: FastifyInstance;
  engine: Engine;
  db: Db;
  ledger: Ledger;
  access: AccessService;
  warnings: string[];
  /** Every registered route with its authorization kind (for docs and the auth matrix test). */
  routes: ReadonlyArray<{ method: string; url: string; kind: RouteKind }>;
  /** Reload the runtime cost map (POST /pricing/reload, SIGHUP). */
  reloadPricing(): Promise<Record<string, unknown>>;
  listen(port: number, host: string): Promise<string>;
  close(): Promise<void>;
}

export class StartupError extends Error {
  constructor(readonly problems: string[]) {
    super(`Tollgate cannot start:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StartupError';
  }
}

export async function createGatewayServer(opts: GatewayOptions): Promise<Gateway> {
  const { config, logger } = opts;
  const env = opts.env ?? process.env;
  const gs = config.generalSettings;

  const costMaps = await createCostMapManager({ source: gs.costMap, env, logger });
  const built = buildRuntimes(config, costMaps.current());
  if (built.errors.length) throw new StartupError(built.errors);
  const warnings = [...built.warnings];
  for (const w of warnings) logger.warn(w);

  const databaseUrl = opts.databaseUrl ?? gs.databaseUrl ?? env.DATABASE_URL;
  const redisUrl = opts.redisUrl ?? gs.redisUrl ?? env.REDIS_URL;
  const db = await openStore({ databaseUrl, dataDir: databaseUrl ? undefined : join(opts.dataDir, 'db') });

  const ledger = createLedger({
    db,
    spoolDir: join(opts.dataDir, 'spool'),
    logger,
    storePrompts: gs.storePromptsInSpendLogs,
    ...opts.ledger,
  });
  await ledger.start();

  let engine: Engine | null = null;
  const access = await createAccessService({
    db,
    masterKey: gs.masterKey,
    redisUrl,
    // Key namespace in Redis, so several gateways (or test runs) can share one server.
    redisPrefix: env.TOLLGATE_REDIS_PREFIX,
    budgetEnforcement: gs.budgetEnforcement,
    alertWebhookUrl: gs.alertWebhookUrl,
    logger,
    modelNames: () => engine?.modelNames() ?? [],
  });
  await access.start();

  engine = createEngine({
    runtimes: built.runtimes,
    catalog: () => costMaps.current(),
    logger,
    sink: gs.disableSpendLogs ? null : ledger,
    access,
    storePrompts: gs.storePromptsInSpendLogs,
    numRetries: config.routerSettings.numRetries,
    timeoutSeconds: config.routerSettings.timeout,
    onSuccess: opts.onSuccess,
    onFailure: opts.onFailure,
  });
  const eng = engine;

  /** Loads the cost map again and reprices every deployment; keeps the old prices on any error. */
  const reloadPricing = async (): Promise<Record<string, unknown>> => {
    const r = await costMaps.reload();
    const rebuilt = buildRuntimes(config, costMaps.current());
    if (rebuilt.errors.length) {
      return { ok: false, errors: rebuilt.errors, note: 'kept the previous prices' };
    }
    eng.setRuntimes(rebuilt.runtimes);
    return { ...r, catalog: { source: costMaps.current().source, snapshot: costMaps.current().snapshot } };
  };

  const app = Fastify({
    logger: false,
    bodyLimit: gs.maxRequestBodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const routes: Array<{ method: string; url: string; kind: RouteKind }> = [];
  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: r.url,
        kind: (r.config as { kind?: RouteKind } | undefined)?.kind ?? 'admin',
      });
    }
  });
  installErrorHandling(app, logger, gs.maxRequestBodyBytes);
  installAuth(app, access);
  installInputGuard(app);
  registerLlmRoutes(app, eng, logger);
  registerInfoRoutes(app, {
    engine: eng,
    version: VERSION,
    readiness: async () => {
      let dbState = 'connected';
      try {
        await db.query('SELECT 1');
      } catch {
        dbState = 'disconnected';
      }
      const s = ledger.stats();
      return {
        db: dbState,
        db_kind: db.kind,
        spool_pending: s.pending,
        spend_writer_healthy: s.dbHealthy,
        spend_writer_stalled: s.health.stalled,
        spend_oldest_pending_seconds: Math.round(s.health.oldestPendingAgeMs / 1000),
        spend_writer_consecutive_failures: s.health.consecutiveFailures,
        spend_dead_lettered: s.deadLettered,
      };
    },
    reloadPricing,
  });
  access.registerRoutes(app);
  registerReportRoutes(app, { db, logger, resetAllSpend: (by) => access.resetAllSpend(by) });
  registerDeadLetterRoutes(app, { db });
  registerUiRoutes(app);

  let closed = false;
  return {
    app,
    engine: eng,
    db,
    ledger,
    access,
    warnings,
    routes,
    reloadPricing,
    async listen(port, host) {
      return app.listen({ port, host });
    },
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      await ledger.close();
      await access.close();
      await db.close();
    },
  };
}
