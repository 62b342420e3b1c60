/**
 * @module gateway/server
 * Wires one gateway process: cost map → deployments → database → ledger → access → HTTP routes, then
 * starts keeping the cost map current in the background (a new catalog reprices every deployment at once).
 * A deployment that cannot be served is disabled (warned with its reasons; its model answers 400 naming them)
 * and the rest start; in strict mode (`--strict`, general_settings.strict_config) it refuses the start. An
 * unreachable database refuses the start with one clear line, unless allow_requests_on_db_unavailable.
 * SIGTERM drains the ledger before exit.
 */
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import '../access/fastify-types.js';
import { parseDuration } from '../access/duration.js';
import { installInputGuard } from '../access/input-guard.js';
import { type AccessService, createAccessService } from '../access/service.js';
import type { RouteKind } from '../access/types.js';
import { registerCacheRoutes } from '../cache/cache-routes.js';
import { readCacheSettings } from '../cache/cache-settings.js';
import { createResponseCache, type ResponseCache } from '../cache/response-cache.js';
import type { DeploymentConfig, GatewayConfig } from '../config/types.js';
import {
  type CostMapManager,
  type CostMapManagerOptions,
  catalogChangeJSON,
  catalogStatusJSON,
  createCostMapManager,
  type DeploymentPriceChange,
  diffResolvedPrices,
} from '../cost-map/index.js';
import { registerDeadLetterRoutes } from '../ledger/dead-letter-routes.js';
import { createLedger, type Ledger } from '../ledger/ledger.js';
import { startSpendLogMaintenance } from '../ledger/spend-log-partitions.js';
import type { Logger } from '../logger.js';
import { runHealthChecks } from '../models/health-checks.js';
import { registerModelRoutes } from '../models/model-routes.js';
import { ModelSecrets } from '../models/model-secrets.js';
import { ModelStore } from '../models/model-store.js';
import { type Catalog, PriceVersionRegistry, registerBuiltinVersions } from '../pricing/index.js';
import { registerReportRoutes } from '../reports/routes.js';
import { registerRepriceRoutes } from '../reprice/reprice-routes.js';
import type { Db } from '../store/db.js';
import { registerUiRoutes } from '../ui/routes.js';
import { VERSION } from '../version.js';
import { installAuth } from './auth-hook.js';
import { type DatabaseUrlSource, openDatabase } from './database-startup.js';
import { buildRuntimes, type DeploymentRuntime, type RuntimeBuild } from './deployment-runtime.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { installErrorHandling } from './error-handler.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { setupObservability, startObservability } from './observability.js';
import { createResponsesStore } from './responses-store.js';
import { registerInfoRoutes } from './routes/info-routes.js';
import { registerLlmRoutes } from './routes/llm-routes.js';
import { registerMediaRoutes } from './routes/media-routes.js';
import { registerResponsesRoutes } from './routes/responses-routes.js';
import { createRoutingStats } from './routing-setup.js';
import { calculateSpend, spendCalculationJSON } from './spend-calculator.js';

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
  ledger?: { batchSize?: number; flushIntervalMs?: number; closeTimeoutMs?: number };
  onSuccess?: EngineOptions['onSuccess'];
  onFailure?: EngineOptions['onFailure'];
  /** Cost map overrides (tests: fetch, timeout, clock, refresh interval). */
  costMap?: Partial<Omit<CostMapManagerOptions, 'adopt' | 'location' | 'env'>>;
  /** Refuse any deployment problem (`--strict`); default: the config's strict_config. */
  strict?: boolean;
}

export interface Gateway {
  app: FastifyInstance;
  engine: Engine;
  db: Db;
  ledger: Ledger;
  access: AccessService;
  warnings: string[];
  /** Deployments that are not served and why. */
  disabled: RuntimeBuild['disabled'];
  /** Every registered route with its authorization kind (for docs and the auth matrix test). */
  routes: ReadonlyArray<{ method: string; url: string; kind: RouteKind }>;
  /** Check the cost map source now (POST /pricing/reload, SIGHUP). */
  reloadPricing(): Promise<Record<string, unknown>>;
  /** The price catalog in use and how it is kept current. */
  costMaps: CostMapManager;
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
  const strict = opts.strict ?? config.strict === true;
  const policy = config.routerSettings.policy;

  // Prices: the built-in catalog, a configured file or the cached copy of the public map now; the latest
  // public map is fetched in the background once everything is wired (costMaps.start() below). Every
  // catalog that comes into use is also a dated price version (built-in snapshots first), so a request is
  // priced by the version in effect when it started and its spend row names that version.
  const versions = new PriceVersionRegistry();
  registerBuiltinVersions(versions);
  let eng: Engine | null = null;
  /** Models stored in the database (store_model_in_db), as last loaded. */
  let dbDeployments: DeploymentConfig[] = [];
  /** Stored models build one by one: a stored model that no longer builds is skipped, never fatal. */
  const buildDbRuntimes = (catalog: Catalog): DeploymentRuntime[] => {
    const out: DeploymentRuntime[] = [];
    for (const d of dbDeployments) {
      const r = buildRuntimes({ ...config, deployments: [d] }, catalog, { strict: true, versions });
      if (r.errors.length)
        logger.warn(`stored model ${d.id} (${d.modelName}) skipped: ${r.errors.join('; ')}`);
      out.push(...r.runtimes);
    }
    return out;
  };
  const priceChanges = new Map<string, DeploymentPriceChange[]>();
  /** Swaps in deployments repriced by a new catalog, keeping what moved for /pricing/explain. */
  const swapRuntimes = (e: Engine, runtimes: DeploymentRuntime[]) => {
    const before = new Map([...e.groups.values()].flatMap((g) => g.members).map((rt) => [rt.config.id, rt]));
    priceChanges.clear();
    for (const rt of runtimes) {
      const old = before.get(rt.config.id);
      const changes = old ? diffResolvedPrices(old.pricing, rt.pricing) : [];
      if (changes.length === 0) continue;
      priceChanges.set(rt.config.id, changes);
      logger.info(
        `${rt.label}: prices changed with the new catalog: ${changes.map((c) => `${c.key} ${c.before ?? '(none)'} → ${c.after ?? '(none)'}`).join(', ')}`,
      );
    }
    e.setRuntimes(runtimes, more);
  };
  let more: Pick<RuntimeBuild, 'wildcards' | 'disabled'> = { wildcards: [], disabled: [] };
  const costMaps = await createCostMapManager({
    source: gs.costMap,
    env,
    logger,
    cacheDir: join(opts.dataDir, 'cost-map'),
    refreshIntervalMs:
      gs.costMapRefreshIntervalSeconds === undefined ? undefined : gs.costMapRefreshIntervalSeconds * 1000,
    ...opts.costMap,
    // A new catalog is used only if no deployment that resolves now would stop resolving with it.
    adopt: (next) => {
      const rebuilt = buildRuntimes(config, next, { strict });
      if (rebuilt.errors.length) return rebuilt.errors;
      const lost = rebuilt.disabled.filter((d) => !more.disabled.some((x) => x.where === d.where));
      return lost.flatMap((d) => d.reasons);
    },
    // In use from now on: a new dated version; every deployment repriced at once.
    committed: (next, map, at) => {
      versions.registerVersion({
        kind: 'costmap',
        source: map.source,
        fetchedAt: map.fetchedAt,
        effectiveFrom: at,
        entries: next,
        mode: 'replace',
        tag: map.sha256.slice(0, 8),
      });
      const rebuilt = buildRuntimes(config, next, { strict, versions });
      more = { wildcards: rebuilt.wildcards, disabled: rebuilt.disabled };
      if (eng) swapRuntimes(eng, [...rebuilt.runtimes, ...buildDbRuntimes(next)]);
    },
  });
  const built = buildRuntimes(config, costMaps.current(), { strict, versions });
  if (built.errors.length) {
    costMaps.stop();
    throw new StartupError(built.errors);
  }
  more = { wildcards: built.wildcards, disabled: built.disabled };
  const warnings = [...built.warnings];

  const redisUrlEarly = opts.redisUrl ?? gs.redisUrl ?? env.REDIS_URL;
  const cacheSettings = readCacheSettings(config.litellmSettings, redisUrlEarly, env);
  if (cacheSettings.errors.length) {
    costMaps.stop();
    throw new StartupError(cacheSettings.errors);
  }
  warnings.push(...cacheSettings.warnings);
  const durationMs = (key: string): { ms: number | null; error?: string } => {
    const v = gs.raw[key];
    if (v === undefined || v === null) return { ms: null };
    try {
      const d = parseDuration(String(v));
      return { ms: d.months ? d.months * 30 * 86_400_000 : d.ms };
    } catch (err) {
      return { ms: null, error: `general_settings.${key}: ${(err as Error).message}` };
    }
  };
  const retention = durationMs('maximum_spend_logs_retention_period');
  const retentionEvery = durationMs('maximum_spend_logs_retention_interval');
  for (const e of [retention.error, retentionEvery.error]) if (e) cacheSettings.errors.push(e);
  if (cacheSettings.errors.length) {
    costMaps.stop();
    throw new StartupError(cacheSettings.errors);
  }
  const obsSetup = await setupObservability(config, env, logger, VERSION);
  if (obsSetup.errors.length) {
    costMaps.stop();
    throw new StartupError(obsSetup.errors);
  }
  warnings.push(...obsSetup.warnings);
  for (const w of warnings) logger.warn(w);

  const source: DatabaseUrlSource | undefined = opts.databaseUrl
    ? '--database-url'
    : gs.databaseUrl
      ? 'general_settings.database_url'
      : env.DATABASE_URL
        ? 'DATABASE_URL'
        : undefined;
  const databaseUrl = opts.databaseUrl ?? gs.databaseUrl ?? env.DATABASE_URL;
  const redisUrl = opts.redisUrl ?? gs.redisUrl ?? env.REDIS_URL;
  let opened: Awaited<ReturnType<typeof openDatabase>>;
  try {
    opened = await openDatabase({
      databaseUrl,
      source,
      dataDir: join(opts.dataDir, 'db'),
      allowUnavailable: gs.allowRequestsOnDbUnavailable === true,
      logger,
    });
  } catch (err) {
    costMaps.stop();
    throw err;
  }
  const db = opened.db;

  const ledger = createLedger({
    db,
    spoolDir: join(opts.dataDir, 'spool'),
    logger,
    storePrompts: gs.storePromptsInSpendLogs,
    ...opts.ledger,
  });
  await ledger.start();
  const stopSpendLogUpkeep = startSpendLogMaintenance({
    db,
    logger,
    retentionMs: retention.ms,
    retentionIntervalMs: retentionEvery.ms ?? undefined,
  });

  const access = await createAccessService({
    db,
    masterKey: gs.masterKey,
    redisUrl,
    // Key namespace in Redis, so several gateways (or test runs) can share one server.
    redisPrefix: env.TOLLGATE_REDIS_PREFIX,
    budgetEnforcement: gs.budgetEnforcement,
    alertWebhookUrl: gs.alertWebhookUrl,
    alerter: obsSetup.alerter,
    logger,
    modelNames: () => eng?.modelNames() ?? [],
  });
  await access.start();

  const redisPrefix = env.TOLLGATE_REDIS_PREFIX ?? 'tg:';
  let cache: ResponseCache | null = null;
  if (cacheSettings.settings) {
    cache = createResponseCache({ settings: cacheSettings.settings, logger, redisPrefix });
    await cache.start();
    logger.info(
      `response cache on: ${cacheSettings.settings.backend}, ttl ${cacheSettings.settings.ttlSeconds} s, call types ${[...cacheSettings.settings.callTypes].join(', ')}`,
    );
  }

  const obs = startObservability(obsSetup, {
    db,
    ledger: gs.disableSpendLogs ? null : ledger,
    ledgerForStats: ledger,
    access,
    logger,
  });

  const storeModels = gs.raw.store_model_in_db === true;
  const modelSecrets = new ModelSecrets(env.LITELLM_SALT_KEY ?? env.TOLLGATE_SALT_KEY ?? gs.masterKey);
  const modelStore = storeModels ? new ModelStore(db, modelSecrets, env, logger) : null;
  let modelVersion = 0;
  if (modelStore) {
    const loaded = await modelStore.load(config.deployments.length);
    dbDeployments = loaded.deployments;
    modelVersion = loaded.version;
    for (const p of loaded.problems) logger.warn(p);
  }

  const routingStats = policy ? createRoutingStats(policy, redisUrl, redisPrefix, logger) : undefined;
  const engine = createEngine({
    runtimes: [...built.runtimes, ...buildDbRuntimes(costMaps.current())],
    wildcards: built.wildcards,
    disabled: built.disabled,
    routerPolicy: policy,
    routingStats,
    requirePricing: gs.requirePricing,
    catalog: () => versions.current().catalog,
    logger,
    sink: obs.sink,
    onRetry: obs.onRetry,
    access,
    storePrompts: gs.storePromptsInSpendLogs,
    numRetries: config.routerSettings.numRetries,
    timeoutSeconds: config.routerSettings.timeout,
    onSuccess: opts.onSuccess,
    onFailure: opts.onFailure,
    cache,
  });
  eng = engine;

  /** Checks the cost map source now; a new map reprices every deployment (through `adopt`) or is refused. */
  const reloadPricing = async (): Promise<Record<string, unknown>> => {
    const r = await costMaps.reload();
    return { ...r, catalog: catalogStatusJSON(costMaps) };
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
  acceptEmptyJsonBodies(app);
  installAuth(app, access, { keyHeaderName: gs.keyHeaderName, allowedIps: gs.allowedIps });
  installInputGuard(app);
  obs.installHttpHooks(app);
  registerLlmRoutes(app, engine, logger);
  const responsesStore = createResponsesStore(db, logger);
  registerResponsesRoutes(app, {
    engine,
    store: responsesStore,
    logger,
    timeoutSeconds: config.routerSettings.timeout,
  });
  registerMediaRoutes(app, { engine, logger, maxUploadBytes: gs.maxRequestBodyBytes });
  registerInfoRoutes(app, {
    engine,
    version: VERSION,
    env,
    readiness: async () => {
      let dbState = 'connected';
      try {
        await db.query('SELECT 1');
      } catch {
        dbState = 'disconnected';
      }
      const s = ledger.stats();
      const out: Record<string, unknown> = {
        db: dbState,
        db_kind: db.kind,
        spool_pending: s.pending,
        spend_writer_healthy: s.dbHealthy,
        spend_writer_stalled: s.health.stalled,
        spend_oldest_pending_seconds: Math.round(s.health.oldestPendingAgeMs / 1000),
        spend_writer_consecutive_failures: s.health.consecutiveFailures,
        spend_dead_lettered: s.deadLettered,
        disabled_deployments: engine.directory.disabled.length,
      };
      if (gs.allowRequestsOnDbUnavailable) {
        out.allow_requests_on_db_unavailable = true;
        if (dbState === 'disconnected' || opened.unavailable) {
          out.db_unavailable_mode =
            'serving without the database: spend events are spooled and written when it answers; only the master key and keys already cached authenticate';
        }
      }
      return out;
    },
    reloadPricing,
    catalogStatus: () => catalogStatusJSON(costMaps),
    catalogChange: () => {
      const c = costMaps.lastChange();
      return c ? catalogChangeJSON(c) : null;
    },
    deploymentPriceChanges: (id) => priceChanges.get(id),
  });
  access.registerRoutes(app);
  registerReportRoutes(app, {
    db,
    logger,
    resetAllSpend: (by) => access.resetAllSpend(by),
    calculate: (body) => spendCalculationJSON(calculateSpend(engine, body)),
  });
  const allRuntimes = () => [...engine.groups.values()].flatMap((g) => g.members);
  app.get('/health', { config: { kind: 'admin' } }, async (request) => {
    const q = (request.query ?? {}) as { model?: string; model_id?: string };
    const list = allRuntimes().filter(
      (rt) => (!q.model || rt.modelName === q.model) && (!q.model_id || rt.config.id === q.model_id),
    );
    return runHealthChecks(list, obs.sink);
  });
  app.get('/routes', { config: { kind: 'public' } }, async () => ({
    routes: routes.map((r) => ({ path: r.url, methods: [r.method], kind: r.kind })),
  }));
  let healthTimer: NodeJS.Timeout | null = null;
  if (gs.raw.background_health_checks === true) {
    const every = Number(gs.raw.health_check_interval ?? 300);
    healthTimer = setInterval(
      () => void runHealthChecks(allRuntimes(), obs.sink).catch(() => undefined),
      (Number.isFinite(every) && every >= 5 ? every : 300) * 1000,
    );
    healthTimer.unref();
  }
  registerCacheRoutes(app, cache);
  const configIds = new Set(config.deployments.map((d) => d.id));
  /** Re-reads the stored models and swaps them in (after a change here, or one another replica made). */
  const reloadModels = async () => {
    if (!modelStore) return;
    const loaded = await modelStore.load(config.deployments.length);
    dbDeployments = loaded.deployments;
    const catalog = costMaps.current();
    const base = buildRuntimes(config, catalog, { strict, versions });
    swapRuntimes(engine, [...base.runtimes, ...buildDbRuntimes(catalog)]);
  };
  const stopModelWatch = modelStore ? modelStore.watch(modelVersion, reloadModels) : () => {};
  registerModelRoutes(app, {
    store: modelStore,
    secrets: modelSecrets,
    env,
    configIds: () => configIds,
    dbIds: () => new Set(dbDeployments.map((d) => d.id)),
    validate: (d) => {
      const r = buildRuntimes({ ...config, deployments: [d] }, costMaps.current(), { strict: true });
      return { errors: r.errors, warnings: r.warnings };
    },
    reload: reloadModels,
    runtimes: () => [...engine.groups.values()].flatMap((g) => g.members),
    firstIndex: () => config.deployments.length + dbDeployments.length,
    bodyLimit: gs.maxRequestBodyBytes,
  });
  registerDeadLetterRoutes(app, { db });
  registerRepriceRoutes(app, { db, versions: () => versions.copy(), deployments: config.deployments });
  registerUiRoutes(app, {
    pricing: {
      deployments: () => [...engine.groups.values()].flatMap((g) => g.members),
      catalog: () => costMaps.current(),
    },
  });

  // In the background: never delays readiness, never fails the start (failures are logged by the manager).
  void costMaps.start();

  let closed = false;
  return {
    app,
    engine,
    db,
    ledger,
    access,
    warnings,
    disabled: built.disabled,
    routes,
    reloadPricing,
    costMaps,
    async listen(port, host) {
      return app.listen({ port, host });
    },
    async close() {
      if (closed) return;
      closed = true;
      costMaps.stop();
      stopModelWatch();
      stopSpendLogUpkeep();
      if (healthTimer) clearInterval(healthTimer);
      opened.stop();
      await app.close();
      await obs.close();
      await responsesStore.flush();
      await ledger.close();
      await access.close();
      await routingStats?.close?.();
      await cache?.close();
      await db.close();
    },
  };
}
