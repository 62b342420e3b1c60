/**
 * @module gateway/observability
 * Wires what watches the calls without being on their path: the spend sink that tees every spend
 * event to the ledger and to Prometheus (LiteLLM metric names), OpenTelemetry spans and alerts; the
 * engine's retry observer (fallback metrics); the HTTP hook that measures the gateway's overhead and
 * counts requests refused before any spend event; and the alert monitors (ledger stalls, daily
 * spend report). With telemetry off nothing is created: the engine sees only the ledger.
 */
import type { FastifyInstance } from 'fastify';
import { readAlertSettings } from '../access/alert-settings.js';
import { Alerter } from '../access/alerts.js';
import type { AccessService } from '../access/service.js';
import type { GatewayConfig } from '../config/types.js';
import type { Ledger } from '../ledger/ledger.js';
import type { SpendSink } from '../ledger/spend-event.js';
import type { Logger } from '../logger.js';
import {
  configureLitellmMetrics,
  observeResponse,
  observeRetry,
  setLabelLookup,
} from '../metrics-litellm.js';
import { createObservingSink, prometheusObserver, type SpendObserver } from '../metrics-sink.js';
import type { Db } from '../store/db.js';
import {
  callAlertsObserver,
  startLedgerStallMonitor,
  startSpendReports,
} from '../telemetry/alert-monitors.js';
import { readOtelSettings } from '../telemetry/otel-settings.js';
import { createOtelTracing, type OtelTracing } from '../telemetry/otel-spans.js';
import type { EngineOptions } from './engine.js';

export interface ObservabilitySetup {
  alerter: Alerter;
  /** litellm_settings.callbacks lists "prometheus": per-request metrics with LiteLLM's names. */
  prometheus: boolean;
  errors: string[];
  warnings: string[];
  otel: OtelTracing | null;
}

/** Reads the alerting and telemetry settings (before the access service is created). */
export async function setupObservability(
  config: GatewayConfig,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  version: string,
): Promise<ObservabilitySetup> {
  const gs = config.generalSettings;
  const a = readAlertSettings(gs.raw, gs.alertWebhookUrl, env);
  const otelSettings = readOtelSettings(config.litellmSettings, env);
  const otel = otelSettings ? await createOtelTracing(otelSettings, version) : null;
  if (otelSettings)
    logger.info(
      `OpenTelemetry traces on: OTLP/HTTP ${otelSettings.url} (service ${otelSettings.serviceName})`,
    );
  configureLitellmMetrics({
    trackEndUser: config.litellmSettings.enable_end_user_cost_tracking_prometheus_only === true,
  });
  const ls = config.litellmSettings;
  const listed = (v: unknown) => Array.isArray(v) && v.some((x) => x === 'prometheus');
  const prometheus = listed(ls.callbacks) || listed(ls.success_callback) || listed(ls.failure_callback);
  const known = new Set(['prometheus', 'otel', 'opentelemetry', 'open_telemetry']);
  for (const key of ['callbacks', 'success_callback', 'failure_callback']) {
    const v = ls[key];
    if (v === undefined || v === null) continue;
    if (!Array.isArray(v)) {
      a.errors.push(`litellm_settings.${key} must be a list such as ["prometheus", "otel"]`);
      continue;
    }
    for (const c of v)
      if (typeof c !== 'string' || !known.has(c.toLowerCase()))
        a.warnings.push(
          `litellm_settings.${key}: "${String(c)}" is not supported by Tollgate (prometheus and otel are); ignored`,
        );
  }
  return {
    alerter: new Alerter(logger, a.settings),
    prometheus,
    errors: a.errors,
    warnings: a.warnings,
    otel,
  };
}

const NULL_SINK: SpendSink = { record: () => {} };

export interface Observability {
  sink: SpendSink;
  onRetry: EngineOptions['onRetry'];
  installHttpHooks(app: FastifyInstance): void;
  close(): Promise<void>;
}

export function startObservability(
  setup: ObservabilitySetup,
  deps: { db: Db; ledger: Ledger | null; ledgerForStats: Ledger; access: AccessService; logger: Logger },
): Observability {
  const { alerter, otel } = setup;
  const { access, logger } = deps;
  alerter.useDatabase(deps.db);
  setLabelLookup({ teamAlias: (id) => access.teamAlias(id), userEmail: (id) => access.userEmail(id) });
  const observers: SpendObserver[] = [];
  if (setup.prometheus)
    observers.push(prometheusObserver((kind, id) => access.budgetStatus(kind, id), logger));
  if (otel) observers.push((e) => otel.observe(e));
  if (alerter.enabled('llm_too_slow') || alerter.enabled('llm_exceptions'))
    observers.push(callAlertsObserver(alerter, alerter.settings.thresholdSeconds));
  const stops = [
    startLedgerStallMonitor(alerter, { stats: () => deps.ledgerForStats.stats() }),
    startSpendReports(alerter, deps.db),
  ];
  return {
    // Nothing to observe: the engine writes to the ledger directly (no wrapper, no retry callback).
    sink: observers.length ? createObservingSink(deps.ledger, observers, logger) : (deps.ledger ?? NULL_SINK),
    onRetry: !setup.prometheus
      ? undefined
      : (plan, rt, ge) =>
          observeRetry(
            {
              requestId: plan.requestId,
              modelGroup: plan.modelGroup,
              apiKey: plan.auth.keyHash,
              keyAlias: plan.auth.keyAlias,
              teamId: plan.auth.teamId,
              user: plan.auth.userId,
              endUser: plan.tracking.endUser,
            },
            {
              model: rt.config.upstreamModel, // as the spend event of the same deployment labels it
              deploymentId: rt.config.id,
              apiBase: rt.apiBase,
              provider: rt.config.provider,
            },
            ge.status,
            ge.type,
          ),
    installHttpHooks(app) {
      if (!setup.prometheus) return;
      app.addHook('onResponse', async (request, reply) => {
        if (request.routeOptions.config.kind !== 'llm') return;
        const id = reply.getHeader('x-tollgate-request-id');
        const body = request.body as { model?: unknown } | undefined;
        const a = request.auth;
        observeResponse(
          typeof id === 'string' ? id : undefined,
          reply.elapsedTime,
          reply.statusCode,
          a ? { keyHash: a.keyHash, keyAlias: a.keyAlias, teamId: a.teamId, userId: a.userId } : null,
          typeof body?.model === 'string' ? body.model : undefined,
          reply.statusCode >= 400 ? `http_${reply.statusCode}` : undefined,
        );
      });
    },
    async close() {
      for (const s of stops) s();
      await otel?.close().catch(() => undefined);
      await alerter.flush();
    },
  };
}
