/**
 * @module metrics-sink
 * The SpendSink the engine writes to: the ledger (when spend logs are on) plus observers fed from the
 * same events — Prometheus metrics, OpenTelemetry spans, alerts — so none of them adds a branch to
 * the engine. Observers run after the ledger has the event and can never break it (a throwing
 * observer is logged once a minute). Budget gauges are refreshed in the background, at most every
 * 5 s per key or team.
 */
import type { SpendEvent, SpendSink } from './ledger/spend-event.js';
import type { Logger } from './logger.js';
import { type BudgetSnapshot, setBudgetGauges } from './metrics-budgets.js';
import { observeSpendEvent } from './metrics-litellm.js';

export type SpendObserver = (e: SpendEvent) => void;

export function createObservingSink(
  primary: SpendSink | null,
  observers: SpendObserver[],
  logger: Logger,
): SpendSink {
  let lastError = 0;
  return {
    record(e: SpendEvent): void {
      primary?.record(e);
      for (const o of observers) {
        try {
          o(e);
        } catch (err) {
          const now = Date.now();
          if (now - lastError > 60_000) {
            lastError = now;
            logger.warn(
              { err },
              'spend observer failed (metrics/telemetry/alerts); the spend log is unaffected',
            );
          }
        }
      }
    },
  };
}

export type BudgetSource = (kind: 'key' | 'team', id: string) => Promise<BudgetSnapshot | null>;

/** Prometheus observer: LiteLLM metrics, plus budget gauges refreshed off the request path. */
export function prometheusObserver(
  budgets: BudgetSource | null,
  logger: Logger,
  now = Date.now,
): SpendObserver {
  const due = new Map<string, number>();
  const refresh = (kind: 'key' | 'team', id: string) => {
    if (!budgets) return;
    const k = `${kind}:${id}`;
    const t = now();
    if ((due.get(k) ?? 0) > t) return;
    if (due.size >= 5_000) due.clear();
    due.set(k, t + 5_000);
    budgets(kind, id)
      .then((b) => {
        if (b) setBudgetGauges(kind, id, b, now());
      })
      .catch((err) => logger.debug({ err }, 'budget gauge refresh failed'));
  };
  return (e) => {
    observeSpendEvent(e);
    if (e.apiKey) refresh('key', e.apiKey);
    if (e.teamId) refresh('team', e.teamId);
  };
}
