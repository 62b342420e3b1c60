/**
 * @module telemetry/alert-monitors
 * What raises alerts besides budgets: slow and failing LLM calls (from spend events), a ledger that
 * stalls (its spool stops draining or the database keeps failing), and the daily spend report (once
 * per UTC day across every replica). Everything runs off the request path; timers are unref'd.
 */
import { hostname } from 'node:os';
import type { Alerter } from '../access/alerts.js';
import type { LedgerStats } from '../ledger/ledger.js';
import type { SpendEvent } from '../ledger/spend-event.js';
import type { SpendObserver } from '../metrics-sink.js';
import { formatMoney, parseMoney } from '../pricing/money.js';
import type { Db } from '../store/db.js';

/** llm_too_slow (over alerting_threshold) and llm_exceptions, at most one per deployment per hour. */
export function callAlertsObserver(alerter: Alerter, thresholdSeconds: number): SpendObserver {
  return (e: SpendEvent) => {
    const hour = Math.floor(e.endTime / 3_600_000);
    const who = e.deploymentId ?? e.modelGroup;
    if (e.durationMs > thresholdSeconds * 1000 && alerter.enabled('llm_too_slow')) {
      alerter.send({
        type: 'llm_too_slow',
        dedupeKey: `slow:${who}:${hour}`,
        event: 'llm_too_slow',
        message: `Slow LLM call: ${e.modelGroup} (${e.model}) took ${(e.durationMs / 1000).toFixed(1)} s, over alerting_threshold ${thresholdSeconds} s (request ${e.requestId}).`,
        fields: {
          model_group: e.modelGroup,
          model: e.model,
          deployment_id: e.deploymentId,
          duration_ms: e.durationMs,
        },
      });
    }
    if (e.status === 'failure' && e.httpStatus >= 500 && alerter.enabled('llm_exceptions')) {
      alerter.send({
        type: 'llm_exceptions',
        dedupeKey: `exception:${who}:${hour}`,
        event: 'llm_exception',
        message: `LLM call failed: ${e.modelGroup} (${e.model}) answered ${e.httpStatus} ${e.errorType ?? ''}: ${(e.errorMessage ?? '').slice(0, 300)}`,
        fields: {
          model_group: e.modelGroup,
          model: e.model,
          deployment_id: e.deploymentId,
          status: e.httpStatus,
        },
      });
    }
  };
}

export interface LedgerStallOptions {
  stats: () => LedgerStats;
  intervalMs?: number;
}

/**
 * db_exceptions when this replica's spend ledger stalls, and once more when it recovers. "Stalled" is the
 * ledger's own verdict (events pending and no commit for longer than its stall threshold: the same one
 * readiness and the tollgate_spend_writer_stalled metric report), so the three never disagree.
 */
export function startLedgerStallMonitor(alerter: Alerter, o: LedgerStallOptions): () => void {
  const instance = `${hostname()}:${process.pid}`;
  let incident: number | null = null;
  const check = () => {
    const s = o.stats();
    if (!s.health.stalled) {
      if (incident !== null) {
        alerter.send({
          type: 'db_exceptions',
          dedupeKey: `ledger_recovered:${instance}:${incident}`,
          event: 'ledger_recovered',
          message: `Spend ledger on ${instance} is writing again (${s.pending} events pending).`,
          fields: { instance, pending: s.pending },
        });
      }
      incident = null;
      return;
    }
    if (incident !== null) return;
    incident = Date.now() - s.health.stalledForMs;
    alerter.send({
      type: 'db_exceptions',
      dedupeKey: `ledger_stall:${instance}:${incident}`,
      event: 'ledger_stalled',
      message: `Spend ledger on ${instance} has not written for ${Math.round(s.health.stalledForMs / 1000)} s: ${s.pending} events wait in the spool (database ${s.dbHealthy ? 'reachable' : 'failing'}, ${s.health.consecutiveFailures} failures in a row). Requests are still served and recorded in the spool.`,
      fields: { instance, pending: s.pending, db_healthy: s.dbHealthy, failed_batches: s.failedBatches },
    });
  };
  const timer = setInterval(check, o.intervalMs ?? 5_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** The daily spend report for `day` (YYYY-MM-DD, UTC) from the daily rollup. */
export async function dailySpendReport(
  db: Db,
  day: string,
): Promise<{ message: string; fields: Record<string, unknown> }> {
  const total = await db.query<{ spend: string; requests: string }>(
    `SELECT coalesce(sum(spend), 0)::text AS spend, coalesce(sum(requests), 0)::text AS requests
       FROM tg_spend_daily WHERE day = $1::date`,
    [day],
  );
  const top = async (col: string) =>
    (
      await db.query<{ id: string; spend: string }>(
        `SELECT ${col} AS id, sum(spend)::text AS spend FROM tg_spend_daily WHERE day = $1::date AND ${col} <> ''
          GROUP BY 1 ORDER BY sum(spend) DESC, 1 LIMIT 5`,
        [day],
      )
    ).rows.map((r) => ({ id: r.id, spend: formatMoney(parseMoney(r.spend)) }));
  const [teams, keys, models] = [await top('team_id'), await top('api_key'), await top('model_group')];
  const spend = formatMoney(parseMoney(total.rows[0]?.spend ?? '0'));
  const line = (l: Array<{ id: string; spend: string }>, short = false) =>
    l.length ? l.map((x) => `${short ? x.id.slice(0, 12) : x.id} ${x.spend}`).join(', ') : '—';
  return {
    message: `Spend report ${day} (UTC): ${spend} USD over ${total.rows[0]?.requests ?? 0} requests. Top teams: ${line(teams)}. Top keys: ${line(keys, true)}. Top models: ${line(models)}.`,
    fields: { day, total_spend: spend, top_teams: teams, top_keys: keys, top_models: models },
  };
}

async function hadRequests(db: Db, day: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM tg_spend_daily WHERE day = $1::date LIMIT 1', [day]);
  return r.rowCount > 0;
}

/** Sends yesterday's spend report once per UTC day (checked hourly; the first replica wins). */
export function startSpendReports(
  alerter: Alerter,
  db: Db,
  intervalMs = 3_600_000,
  now = Date.now,
): () => void {
  const run = async () => {
    if (!alerter.enabled('spend_reports') && !alerter.enabled('daily_reports')) return;
    const day = new Date(now() - 86_400_000).toISOString().slice(0, 10);
    const r = await dailySpendReport(db, day);
    if (r.fields.total_spend === '0' && !(await hadRequests(db, day))) return; // nothing to report
    const type = alerter.enabled('spend_reports') ? 'spend_reports' : 'daily_reports';
    alerter.send({ type, dedupeKey: `spend_report:${day}`, event: 'spend_report', ...r });
  };
  const timer = setInterval(() => void run().catch(() => undefined), intervalMs);
  timer.unref();
  void run().catch(() => undefined);
  return () => clearInterval(timer);
}
