/**
 * @module access/core
 * The state shared by authentication, admission, maintenance and the management routes: the
 * record caches, the counters (Redis or in-process), cache invalidation across processes and
 * the clock.
 */
import type { Logger } from '../logger.js';
import { type Money, parseMoney } from '../pricing/money.js';
import type { Db } from '../store/db.js';
import { Alerter } from './alerts.js';
import { RecordCache } from './cache.js';
import { FailoverCounters } from './counters/failover.js';
import { MemoryCounters } from './counters/memory.js';
import { RedisCounters } from './counters/redis.js';
import type { CounterBackend, EntityLimits } from './counters/types.js';
import { currentPeriodEnd } from './duration.js';
import { ExtraLimits } from './extra-limits.js';
import type {
  BudgetFields,
  CustomerRecord,
  EntityType,
  KeyRecord,
  TeamRecord,
  UserRecord,
} from './records.js';
import { entityRef, splitRef } from './records.js';
import { type InvalidationMessage, RedisLink } from './redis-link.js';
import { loadCustomer, loadKey, loadSeed, loadSpendTotals, loadTeam, loadUser } from './repo.js';

export interface CoreOptions {
  db: Db;
  logger: Logger;
  masterKey?: string;
  redisUrl?: string;
  redisPrefix: string;
  strict: boolean;
  alertWebhookUrl?: string;
  /** A configured alerter (webhook, Slack, de-duplication); else one from alertWebhookUrl. */
  alerter?: Alerter;
  modelNames: () => string[];
  now: () => number;
  cacheTtlMs: number;
  negativeCacheTtlMs: number;
  reservationTtlMs: number;
}

export class AccessCore {
  readonly db: Db;
  readonly logger: Logger;
  readonly now: () => number;
  readonly keys: RecordCache<KeyRecord>;
  readonly users: RecordCache<UserRecord>;
  readonly teams: RecordCache<TeamRecord>;
  readonly customers: RecordCache<CustomerRecord>;
  readonly link: RedisLink | null;
  readonly counters: FailoverCounters;
  readonly alerter: Alerter;
  /** Per-model key limits, team-member budgets, tag budgets. */
  readonly extra: ExtraLimits;

  constructor(readonly opts: CoreOptions) {
    this.db = opts.db;
    this.logger = opts.logger;
    this.now = opts.now;
    const cacheOpts = {
      ttlMs: opts.cacheTtlMs,
      negativeTtlMs: opts.negativeCacheTtlMs,
      maxEntries: 100_000,
      now: opts.now,
      onError: (err: unknown) => this.logger.warn({ err }, 'access cache refresh failed'),
    };
    const byReference = { ...cacheOpts, staleNegative: true };
    this.keys = new RecordCache((id) => loadKey(this.db, id), cacheOpts);
    this.users = new RecordCache((id) => loadUser(this.db, id), byReference);
    this.teams = new RecordCache((id) => loadTeam(this.db, id), byReference);
    this.customers = new RecordCache((id) => loadCustomer(this.db, id), byReference);
    this.link = opts.redisUrl
      ? new RedisLink(
          opts.redisUrl,
          opts.redisPrefix,
          opts.logger,
          (msg) => this.applyInvalidation(msg),
          () => {
            this.onRedisRecovered?.();
          },
        )
      : null;
    const memory = new MemoryCounters();
    const redis = this.link ? new RedisCounters(this.link.cmd, opts.redisPrefix) : null;
    this.counters = new FailoverCounters(memory, redis, this.link, opts.logger);
    this.alerter = opts.alerter ?? new Alerter(opts.logger, opts.alertWebhookUrl);
    this.extra = new ExtraLimits(this);
  }

  /**
   * Every customer id that may exist (a superset): requests naming any other `user` skip the
   * customer lookup entirely, so unknown end users never cost a database round trip. null until
   * loaded (then every lookup goes through the cache).
   */
  private customerIds: Set<string> | null = null;
  private addedDuringLoad: Set<string> | null = null;

  async loadCustomerIds(): Promise<void> {
    const added = new Set<string>();
    this.addedDuringLoad = added;
    try {
      const r = await this.db.query<{ user_id: string }>('SELECT user_id FROM tg_customers');
      const ids = new Set(r.rows.map((x) => x.user_id));
      for (const id of added) ids.add(id); // created while the query ran
      this.customerIds = ids;
    } finally {
      if (this.addedDuringLoad === added) this.addedDuringLoad = null;
    }
  }

  /** The customer record when it may exist; null without a lookup otherwise. */
  customer(id: string): CustomerRecord | null | Promise<CustomerRecord | null> {
    if (this.customerIds && !this.customerIds.has(id)) return null;
    return this.customers.get(id);
  }

  /** Set by the service: what to do once Redis is back (reconcile counters). */
  onRedisRecovered: (() => void) | undefined;

  /** Drops a record from this process's cache and tells the other processes. */
  invalidate(msg: InvalidationMessage): void {
    this.applyInvalidation(msg);
    this.link?.publish(msg);
  }

  private applyInvalidation(msg: InvalidationMessage): void {
    switch (msg.t) {
      case 'key':
        if (msg.id) this.keys.invalidate(msg.id);
        break;
      case 'user':
        if (msg.id) this.users.invalidate(msg.id);
        break;
      case 'team':
        if (msg.id) this.teams.invalidate(msg.id);
        break;
      case 'customer':
        if (msg.id) {
          this.customers.invalidate(msg.id);
          this.customerIds?.add(msg.id);
          this.addedDuringLoad?.add(msg.id);
        }
        break;
      case 'reset-all':
        // Another process reset key and team spend: reset this process's fallback counters too.
        this.counters.memory.resetSpend(['key', 'team']).catch(() => {});
        break;
    }
  }

  /** Counter limits of an entity for a request at `now`; null when it has no budget and no limit. */
  limitsFor(type: EntityType, id: string, rec: BudgetFields, now: number): EntityLimits | null {
    const track = rec.maxBudget !== null || rec.softBudget !== null;
    if (!track && rec.rpmLimit === null && rec.tpmLimit === null && rec.maxParallelRequests === null)
      return null;
    return {
      ref: entityRef(type, id),
      track,
      maxBudget: rec.maxBudget,
      softBudget: rec.softBudget,
      periodEnd: periodEndOf(rec, now),
      rpm: rec.rpmLimit,
      tpm: rec.tpmLimit,
      parallel: rec.maxParallelRequests,
    };
  }

  /** Seeds a counter from tg_spend_totals (first sight of an entity, or Redis lost its counters). */
  async seedFromDb(
    backend: CounterBackend,
    e: EntityLimits,
    mode: 'missing' | 'max' = 'missing',
  ): Promise<void> {
    if (this.extra.isExtraRef(e.ref)) return this.extra.seed(backend, e);
    const { type, id } = splitRef(e.ref);
    const s = await loadSeed(this.db, type, id);
    const marker = e.periodEnd === 0 ? 0 : (s.resetAt?.getTime() ?? e.periodEnd);
    await backend.seed(e.ref, parseMoney(s.spend), marker, mode);
  }

  /**
   * Spend of an entity for display: the live counter when this process has one for the current
   * period (it includes settled requests the ledger has not written yet), else tg_spend_totals.
   */
  async spendOf(type: EntityType, id: string, rec: BudgetFields | null, dbSpend?: string): Promise<Money> {
    const db = parseMoney(dbSpend ?? (await loadSpendTotals(this.db, type, [id])).get(id) ?? '0');
    let snap = null;
    try {
      snap = await this.counters.active().read(entityRef(type, id));
    } catch {
      snap = null;
    }
    if (!snap) return db;
    const current = rec ? periodEndOf(rec, this.now()) : 0;
    if (current > 0 && snap.periodEnd < current) return 0n; // a new period began; nothing settled in it yet
    return snap.spend;
  }
}

export function periodEndOf(rec: BudgetFields, now: number): number {
  if (!rec.budgetDuration || rec.budgetResetAt === null) return 0;
  return currentPeriodEnd(rec.budgetResetAt, rec.budgetDuration, now);
}
