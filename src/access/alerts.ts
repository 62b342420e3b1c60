/**
 * @module access/alerts
 * Alerts to a generic webhook and to Slack, LiteLLM style: `general_settings.alerting` (["slack",
 * "webhook"]), `alert_types`, `alert_to_webhook_url` (alert type → Slack webhook URL(s)),
 * SLACK_WEBHOOK_URL, `alert_webhook_url` / WEBHOOK_URL. Every alert has a de-duplication key: it is
 * sent once per process (in memory) and, with a database, once across every replica (the first
 * INSERT into tg_alerts_sent wins). Delivery is fire-and-forget with a 5 s timeout: an alert never
 * blocks or fails a request.
 *
 * Soft-budget alerts keep their own "once per period" decision inside the counters (atomic across
 * processes), so they skip the database de-duplication.
 */
import type { Logger } from '../logger.js';
import { formatMoney, type Money } from '../pricing/money.js';
import type { Db } from '../store/db.js';
import { money, stringifyExact } from './json.js';

/** LiteLLM's alert types that Tollgate raises. */
export const ALERT_TYPES = [
  'budget_alerts',
  'spend_reports',
  'daily_reports',
  'db_exceptions',
  'llm_too_slow',
  'llm_exceptions',
  'outage_alerts',
  'new_model_added',
] as const;
export type AlertType = (typeof ALERT_TYPES)[number];

export interface AlertSettings {
  /** Generic JSON webhooks (alert_webhook_url; WEBHOOK_URL with alerting: ["webhook"]). */
  webhookUrls: string[];
  /** Slack incoming webhooks for every type (SLACK_WEBHOOK_URL with alerting: ["slack"]). */
  slackUrls: string[];
  /** alert_to_webhook_url: Slack webhooks per alert type (they replace slackUrls for that type). */
  slackByType: Partial<Record<AlertType, string[]>>;
  /** alert_types; null = all. */
  types: ReadonlySet<AlertType> | null;
  /** alerting_threshold (seconds): calls slower than this raise llm_too_slow. Default 300. */
  thresholdSeconds: number;
}

export const NO_ALERTS: AlertSettings = {
  webhookUrls: [],
  slackUrls: [],
  slackByType: {},
  types: null,
  thresholdSeconds: 300,
};

export interface SoftBudgetAlert {
  entity_type: 'key' | 'user' | 'team' | 'end_user' | 'tag' | string;
  entity_id: string;
  /** Human label, e.g. `key "prod" (sk-...AbCd)`. */
  entity: string;
  spend: Money;
  soft_budget: Money;
  max_budget: Money | null;
  /** End of the budget period (ISO), null when the budget does not reset. */
  period_end: string | null;
}

export interface Alert {
  type: AlertType;
  /** What makes it unique, e.g. `budget:key:<hash>:<period end>`. */
  dedupeKey: string;
  /** Short event name for webhooks, e.g. `budget_crossed`. */
  event: string;
  /** One line for Slack and logs (never a secret). */
  message: string;
  /** Extra JSON fields for the webhook body (money as json.money()). */
  fields?: Record<string, unknown>;
}

const MEMORY_KEYS = 10_000;

export class Alerter {
  /** Alerts still being delivered (tests and shutdown wait for them). */
  private readonly inflight = new Set<Promise<void>>();
  private readonly sent = new Set<string>();
  private db: Db | null = null;
  readonly settings: AlertSettings;

  constructor(
    private readonly logger: Logger,
    webhookUrlOrSettings: string | undefined | AlertSettings,
  ) {
    this.settings =
      typeof webhookUrlOrSettings === 'object'
        ? webhookUrlOrSettings
        : { ...NO_ALERTS, webhookUrls: webhookUrlOrSettings ? [webhookUrlOrSettings] : [] };
  }

  /** Enables de-duplication across replicas (tg_alerts_sent, migration 008). */
  useDatabase(db: Db): void {
    this.db = db;
  }

  enabled(type: AlertType): boolean {
    if (this.settings.types && !this.settings.types.has(type)) return false;
    return this.settings.webhookUrls.length > 0 || this.destinations(type).length > 0;
  }

  private destinations(type: AlertType): string[] {
    return this.settings.slackByType[type] ?? this.settings.slackUrls;
  }

  softBudget(a: SoftBudgetAlert): void {
    this.logger.warn(
      { alert: 'soft_budget_crossed', entity_type: a.entity_type, entity_id: a.entity_id },
      `Soft budget crossed for ${a.entity}: spend ${formatMoney(a.spend)} >= soft_budget ${formatMoney(a.soft_budget)}`,
    );
    if (this.settings.types && !this.settings.types.has('budget_alerts')) return;
    const body = stringifyExact({
      event: 'soft_budget_crossed',
      entity_type: a.entity_type,
      entity_id: a.entity_id,
      entity: a.entity,
      spend: money(a.spend),
      soft_budget: money(a.soft_budget),
      max_budget: money(a.max_budget),
      period_end: a.period_end,
    });
    for (const url of this.settings.webhookUrls) this.post(url, body, 'soft-budget alert webhook');
    const text = `:warning: Soft budget crossed for ${a.entity}: spend ${formatMoney(a.spend)} USD >= soft_budget ${formatMoney(a.soft_budget)} USD`;
    for (const url of this.destinations('budget_alerts'))
      this.post(url, JSON.stringify({ text }), 'Slack alert');
  }

  /** Sends an alert once (per process and, with a database, across replicas). Never throws. */
  send(a: Alert): void {
    if (!this.enabled(a.type)) return;
    if (this.sent.has(a.dedupeKey)) return;
    if (this.sent.size >= MEMORY_KEYS) this.sent.clear();
    this.sent.add(a.dedupeKey);
    const p = this.claim(a)
      .then((won) => {
        if (!won) return;
        this.logger.warn({ alert: a.type, event: a.event }, a.message);
        const body = stringifyExact({
          event: a.event,
          event_group: a.type,
          event_message: a.message,
          ...a.fields,
        });
        for (const url of this.settings.webhookUrls) this.post(url, body, 'alert webhook');
        const text = JSON.stringify({ text: a.message });
        for (const url of this.destinations(a.type)) this.post(url, text, 'Slack alert');
      })
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'alert failed'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** true when this process is the one to send it. */
  private async claim(a: Alert): Promise<boolean> {
    if (!this.db) return true;
    try {
      const r = await this.db.query(
        'INSERT INTO tg_alerts_sent (dedupe_key, alert_type) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1',
        [a.dedupeKey, a.type],
      );
      return r.rowCount > 0;
    } catch {
      // Database down (e.g. a db_exceptions alert): better twice than never.
      return true;
    }
  }

  private post(url: string, body: string, what: string): void {
    const p = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    })
      .then(async (res) => {
        await res.arrayBuffer().catch(() => undefined);
        if (!res.ok) this.logger.warn({ status: res.status }, `${what} answered with an error`);
      })
      .catch((err) => this.logger.warn({ err: (err as Error).message }, `${what} failed`))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  async flush(): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight]);
  }
}
