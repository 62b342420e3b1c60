/**
 * @module access/service
 * The access service the gateway wires in: authentication and route authorization (auth hook),
 * admission with budgets and rate limits (request path), the management routes (/key, /user,
 * /team, /customer), the global spend reset, and background budget resets.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type pino from 'pino';
import type { Db } from '../store/db.js';
import { admit, type SettleableAdmission } from './admission.js';
import type { Alerter } from './alerts.js';
import { Authenticator } from './auth.js';
import { type BudgetStatus, budgetStatus, teamAliasOf, userEmailOf } from './budget-status.js';
import { AccessCore } from './core.js';
import { sendJson } from './json.js';
import { reconcileCounters, resetAllSpend, runBudgetResets } from './maintenance.js';
import { ACCESS_ROUTE_DEFS } from './routes/route-table.js';
import type { AccessControl, AdmissionRequest, AuthContext, RouteAuthorizer, RouteKind } from './types.js';

export { ACCESS_ROUTES } from './routes/route-table.js';

export interface AccessOptions {
  db: Db;
  /** undefined → open mode (everything allowed; the gateway prints the warning). */
  masterKey?: string;
  /** Optional; shared counters/reservations and key-cache invalidation pub/sub. */
  redisUrl?: string;
  /** Default strict. */
  budgetEnforcement?: 'strict' | 'soft';
  /** soft_budget alerts (POST JSON), plus a log line. */
  alertWebhookUrl?: string;
  /** Budget alerts through a configured alerter (webhook, Slack, de-duplication across replicas). */
  alerter?: Alerter;
  logger: pino.Logger;
  /** Configured model groups (for key `models` validation / errors). */
  modelNames: () => string[];
  // ---- additive, mostly for tests ----
  /** Prefix of every Redis key and channel (default 'tg:'). */
  redisPrefix?: string;
  /** Clock in epoch ms (default Date.now). */
  now?: () => number;
  /** Cached keys/users/teams/customers are refreshed in the background after this (default 60 s). */
  cacheTtlMs?: number;
  /** Unknown keys are remembered this long (default 5 s). */
  negativeCacheTtlMs?: number;
  /** Unsettled reservations and parallel slots expire after this (default 15 min). */
  reservationTtlMs?: number;
  /** Budget-reset check interval (default 1 s); 0 disables the timer (call runMaintenance()). */
  maintenanceIntervalMs?: number;
  /** Counter reconciliation with tg_spend_totals (default 30 s); 0 disables. */
  reconcileIntervalMs?: number;
}

export interface AccessService extends AccessControl, RouteAuthorizer {
  authenticate(token: string | undefined): AuthContext | Promise<AuthContext>;
  admit(auth: AuthContext, req: AdmissionRequest): Promise<SettleableAdmission>;
  /** /key/*, /user/*, /team/*, /customer/* (+ /end_user/* aliases). */
  registerRoutes(app: FastifyInstance): void;
  /** POST /global/spend/reset: key and team spend → 0 in tg_spend_totals and counters; recorded in tg_spend_resets. */
  resetAllSpend(by: string): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
  /** Runs the budget-period resets now; returns how many entities were reset (tests, CLI). */
  runMaintenance(): Promise<number>;
  /** Raises counters to the spend recorded in tg_spend_totals where it is higher. */
  reconcile(): Promise<void>;
  /** Waits for soft-budget webhooks being delivered. */
  flushAlerts(): Promise<void>;
  /** Which counters admission uses right now. */
  readonly counterBackend: 'memory' | 'redis';
  /** A key's or team's budget, live spend and next reset (metrics, alerts); null without max_budget. */
  budgetStatus(kind: 'key' | 'team', id: string): Promise<BudgetStatus | null>;
  /** From the caches only (never waits): labels for metrics. */
  teamAlias(teamId: string): string | null;
  userEmail(userId: string): string | null;
}

export function createAccessService(opts: AccessOptions): AccessService {
  const core = new AccessCore({
    db: opts.db,
    logger: opts.logger,
    masterKey: opts.masterKey,
    redisUrl: opts.redisUrl,
    redisPrefix: opts.redisPrefix ?? 'tg:',
    strict: (opts.budgetEnforcement ?? 'strict') === 'strict',
    alertWebhookUrl: opts.alertWebhookUrl,
    alerter: opts.alerter,
    modelNames: opts.modelNames,
    now: opts.now ?? Date.now,
    cacheTtlMs: opts.cacheTtlMs ?? 60_000,
    negativeCacheTtlMs: opts.negativeCacheTtlMs ?? 5_000,
    reservationTtlMs: opts.reservationTtlMs ?? 15 * 60_000,
  });
  const auth = new Authenticator(core, opts.masterKey);
  const timers: NodeJS.Timeout[] = [];
  let maintaining: Promise<number> | null = null;
  let reconciling: Promise<void> | null = null;

  const runMaintenance = (): Promise<number> => {
    if (!maintaining) {
      maintaining = runBudgetResets(core).finally(() => {
        maintaining = null;
      });
    }
    return maintaining;
  };
  const reconcile = (): Promise<void> => {
    if (!reconciling) {
      reconciling = reconcileCounters(core).finally(() => {
        reconciling = null;
      });
    }
    return reconciling;
  };
  core.onRedisRecovered = () => {
    // Fallback counters go stale while Redis is the authority again: a later outage re-seeds them.
    core.counters.memory.clearBudgets();
    // Release what settles could not release in Redis, then raise counters from the database.
    core.counters
      .releaseOrphans()
      .catch((err) => opts.logger.warn({ err }, 'releasing orphaned reservations failed'))
      .then(() => reconcile())
      .catch((err) => opts.logger.warn({ err }, 'counter reconciliation failed'));
  };

  const service: AccessService = {
    authenticate: (token) => auth.authenticate(token),
    authorizeRoute: (a: AuthContext, kind: RouteKind, request: FastifyRequest) =>
      auth.authorizeRoute(a, kind, request),
    admit: (a, req) => admit(core, a, req),
    registerRoutes(app: FastifyInstance): void {
      const deps = { core, modelNames: opts.modelNames };
      for (const def of ACCESS_ROUTE_DEFS) {
        app.route({
          method: def.method,
          url: def.url,
          config: { kind: def.kind },
          handler: async (request, reply) => sendJson(reply, await def.handler(deps, request)),
        });
      }
    },
    resetAllSpend: (by) => resetAllSpend(core, by),
    async start(): Promise<void> {
      await core.link?.start();
      // Without the database (allow_requests_on_db_unavailable) every customer lookup goes through the cache;
      // the id list is loaded again by the periodic refresh below.
      await core
        .loadCustomerIds()
        .catch((err) => opts.logger.warn({ err: String(err) }, 'customer ids not loaded'));
      await core.extra.start();
      const mi = opts.maintenanceIntervalMs ?? 1_000;
      if (mi > 0) {
        const t = setInterval(() => {
          runMaintenance().catch((err) => opts.logger.warn({ err }, 'budget reset check failed'));
        }, mi);
        t.unref();
        timers.push(t);
      }
      const ri = opts.reconcileIntervalMs ?? 30_000;
      if (ri > 0) {
        const t = setInterval(() => {
          reconcile().catch((err) => opts.logger.warn({ err }, 'counter reconciliation failed'));
          core.loadCustomerIds().catch((err) => opts.logger.warn({ err }, 'customer id refresh failed'));
        }, ri);
        t.unref();
        timers.push(t);
      }
    },
    async close(): Promise<void> {
      for (const t of timers) clearInterval(t);
      core.extra.stop();
      timers.length = 0;
      await Promise.allSettled([maintaining, reconciling, core.alerter.flush()]);
      core.counters.untrack();
      await core.link?.close();
    },
    runMaintenance,
    reconcile,
    flushAlerts: () => core.alerter.flush(),
    get counterBackend() {
      return core.counters.active().name;
    },
    budgetStatus: (kind, id) => budgetStatus(core, kind, id),
    teamAlias: (id) => teamAliasOf(core, id),
    userEmail: (id) => userEmailOf(core, id),
  };
  return service;
}
