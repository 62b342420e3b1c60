/**
 * @module models/health-checks
 * Deployment health checks (LiteLLM's GET /health): one minimal real call per deployment — a
 * one-token chat/completion, or a one-word embedding; image deployments are skipped — sent straight
 * to the deployment (no retries, no fallback). A check is recorded like any call, with its real cost,
 * but attributed to no key, user, team or customer (tag `health_check`): it is never billed to a
 * user's budget. Results set `litellm_deployment_state` (0 healthy, 2 unreachable). Background checks
 * run only with `general_settings.background_health_checks: true` (every health_check_interval s).
 */

import { randomUUID } from 'node:crypto';
import type { AuthContext } from '../access/types.js';
import { isGatewayError } from '../errors.js';
import type { DeploymentRuntime } from '../gateway/deployment-runtime.js';
import { buildSpendEvent } from '../gateway/spend-event-builder.js';
import { openUpstream, readJsonBody } from '../gateway/upstream-call.js';
import { estimateUsage, responseText } from '../gateway/usage-estimate.js';
import type { SpendSink } from '../ledger/spend-event.js';
import { setDeploymentState } from '../metrics-litellm.js';
import { priceUsage } from '../pricing/index.js';
import type { CallType } from '../providers/types.js';

const NOBODY: AuthContext = Object.freeze({
  isMaster: true,
  openMode: false,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
});

export interface HealthResult {
  model: string;
  model_name: string;
  model_id: string;
  api_base: string | null;
  call_type?: CallType;
  cost?: string;
  error?: string;
  skipped?: string;
}

function checkCallType(rt: DeploymentRuntime): CallType | null {
  const mode = rt.pricing.mode ?? rt.config.mode;
  if (mode === 'embedding' && rt.callTypes.has('embedding')) return 'embedding';
  if (mode === 'image_generation') return null;
  if (rt.callTypes.has('chat')) return 'chat';
  if (rt.callTypes.has('completion')) return 'completion';
  if (rt.callTypes.has('embedding')) return 'embedding';
  return null;
}

export async function checkDeployment(
  rt: DeploymentRuntime,
  sink: SpendSink | null,
  timeoutMs = 30_000,
): Promise<HealthResult> {
  const base: HealthResult = {
    model: rt.config.model,
    model_name: rt.modelName,
    model_id: rt.config.id,
    api_base: rt.apiBase,
  };
  const callType = checkCallType(rt);
  if (!callType)
    return {
      ...base,
      skipped: 'image generation deployments are not health-checked (each check would buy an image)',
    };
  const m = rt.config.upstreamModel;
  const body: Record<string, unknown> =
    callType === 'embedding'
      ? { model: m, input: 'ping' }
      : callType === 'chat'
        ? { model: m, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 }
        : { model: m, prompt: 'ping', max_tokens: 1 };
  const requestId = `health-${randomUUID()}`;
  const start = Date.now();
  const plan = { requestId, callType, body, stream: false, mockResponse: undefined };
  const d = {
    model: rt.config.upstreamModel, // litellm_model_name as the spend events label it
    deploymentId: rt.config.id,
    apiBase: rt.apiBase,
    provider: rt.config.provider,
  };
  try {
    const call = await openUpstream(plan, rt, timeoutMs, AbortSignal.timeout(timeoutMs));
    const { json, raw } = await readJsonBody(call, rt, timeoutMs);
    const parsed = call.handler.parse(json, raw, call.input);
    const usage = parsed.usage ?? estimateUsage(body, m, responseText(parsed.body), null);
    usage.durationMs = Date.now() - start;
    const cost = priceUsage(rt.pricing, usage);
    const event = buildSpendEvent({
      requestId,
      callType,
      modelGroup: rt.modelName,
      auth: NOBODY,
      tracking: { endUser: null, tags: ['health_check'], metadata: { health_check: true } },
      runtime: rt,
      stream: false,
      startTime: start,
      endTime: Date.now(),
      usage,
      rawUsage: parsed.rawUsage,
      cost,
      error: null,
    });
    sink?.record(event);
    setDeploymentState(d, 0);
    return { ...base, call_type: callType, cost: event.spend };
  } catch (err) {
    setDeploymentState(d, 2);
    const message = isGatewayError(err) ? err.message : 'health check failed';
    return { ...base, call_type: callType, error: message };
  }
}

export async function runHealthChecks(
  runtimes: DeploymentRuntime[],
  sink: SpendSink | null,
): Promise<{
  healthy_endpoints: HealthResult[];
  unhealthy_endpoints: HealthResult[];
  skipped_endpoints: HealthResult[];
  healthy_count: number;
  unhealthy_count: number;
}> {
  const results = await Promise.all(runtimes.map((rt) => checkDeployment(rt, sink)));
  const healthy = results.filter((r) => !r.error && !r.skipped);
  const unhealthy = results.filter((r) => r.error);
  return {
    healthy_endpoints: healthy,
    unhealthy_endpoints: unhealthy,
    skipped_endpoints: results.filter((r) => r.skipped),
    healthy_count: healthy.length,
    unhealthy_count: unhealthy.length,
  };
}
