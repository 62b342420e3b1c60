/**
 * @module access/alerts
 * Soft-budget alerts: a log line and, when configured, a JSON POST to the alert webhook. Sent once
 * per budget period per entity (the counters decide "once", atomically, even across processes).
 */
import type { Logger } from '../logger.js';
import { formatMoney, type Money } from '../pricing/money.js';
import { money, stringifyExact } from './json.js';

export interface SoftBudgetAlert {
  entity_type: 'key' | 'user' | 'team' | 'end_user';
  entity_id: string;
  /** Human label, e.g. `key "prod" (sk-...AbCd)`. */
  entity: string;
  spend: Money;
  soft_budget: Money;
  max_budget: Money | null;
  /** End of the budget period (ISO), null when the budget does not reset. */
  period_end: string | null;
}

export class Alerter {
  /** Alerts still being delivered (tests and shutdown wait for them). */
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly webhookUrl: string | undefined,
  ) {}

  softBudget(a: SoftBudgetAlert): void {
    this.logger.warn(
      { alert: 'soft_budget_crossed', entity_type: a.entity_type, entity_id: a.entity_id },
      `Soft budget crossed for ${a.entity}: spend ${formatMoney(a.spend)} >= soft_budget ${formatMoney(a.soft_budget)}`,
    );
    if (!this.webhookUrl) return;
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
    const p = fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5_000),
    })
      .then((res) => {
        if (!res.ok)
          this.logger.warn({ status: res.status }, 'soft-budget alert webhook answered with an error');
      })
      .catch((err) => this.logger.warn({ err: (err as Error).message }, 'soft-budget alert webhook failed'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  async flush(): Promise<void> {
    await Promise.all([...this.inflight]);
  }
}
