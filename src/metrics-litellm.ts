/**
 * @module metrics-litellm
 * Prometheus metrics with LiteLLM's names and labels, so existing LiteLLM dashboards keep working,
 * plus Tollgate's own. Driven by spend events (observeSpendEvent, called by the metrics sink), by
 * retries (observeRetry), by the HTTP layer for requests that ended before any spend event
 * (observeRefusedRequest) and by health checks (setDeploymentState).
 *
 * Names: LiteLLM's Python client appends `_total` to counters (`litellm_spend_metric` is scraped
 * as `litellm_spend_metric_total`); prom-client does not, so the counters here carry the suffix
 * themselves and dashboards see the same series names.
 *
 * Money: spend is summed exactly (bigint of 10^-24 USD per label set) and converted to a float64
 * once, at scrape time: the exposed value is the nearest double to the exact sum (relative error
 * below 1.2e-16), never an accumulation of rounded increments.
 */
import type { SpendEvent } from './ledger/spend-event.js';
import { registry } from './metrics.js';
import { LABEL_LIMITS, LabelLimiter } from './metrics-labels.js';
import { MoneyCounter, SeriesCounter, SeriesGauge, SeriesHistogram } from './metrics-series.js';
import { formatMoney, type Money, parseMoney } from './pricing/money.js';

/** LiteLLM's latency buckets (seconds). */
const LATENCY_BUCKETS = [
  0.005, 0.00625, 0.0125, 0.025, 0.05, 0.1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8,
  8.5, 9, 9.5, 10, 15, 20, 25, 30, 60, 120, 180, 240, 300,
];
/** Tollgate's overhead histogram: the gateway's own time, finer at the low end. */
const OVERHEAD_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

const limits = {
  key: new LabelLimiter(LABEL_LIMITS.key),
  user: new LabelLimiter(LABEL_LIMITS.user),
  team: new LabelLimiter(LABEL_LIMITS.team),
  endUser: new LabelLimiter(LABEL_LIMITS.endUser),
  model: new LabelLimiter(LABEL_LIMITS.model),
  deployment: new LabelLimiter(LABEL_LIMITS.deployment),
};

/** Settings read once at startup (litellm_settings.enable_end_user_cost_tracking_prometheus_only). */
const options = { endUser: false };
export function configureLitellmMetrics(o: { trackEndUser: boolean }): void {
  options.endUser = o.trackEndUser;
}

const USER_LABELS = ['end_user', 'hashed_api_key', 'api_key_alias', 'team', 'team_alias', 'user'] as const;
const DEPLOYMENT_LABELS = ['litellm_model_name', 'model_id', 'api_base', 'api_provider'] as const;
const DEP_WHO = ['hashed_api_key', 'api_key_alias', 'team', 'team_alias'] as const;
const R = registry;

const spendMetric = new MoneyCounter(
  'litellm_spend_metric_total',
  'Total spend on LLM requests (USD), per key, user, team, end user and model',
  [...USER_LABELS, 'model'],
  R,
);
const tokenLabels = [...USER_LABELS, 'model', 'requested_model'];
const totalTokens = new SeriesCounter(
  'litellm_total_tokens_metric_total',
  'Input + output tokens from LLM requests',
  tokenLabels,
  R,
);
const inputTokens = new SeriesCounter(
  'litellm_input_tokens_metric_total',
  'Input tokens from LLM requests',
  tokenLabels,
  R,
);
const outputTokens = new SeriesCounter(
  'litellm_output_tokens_metric_total',
  'Output tokens from LLM requests',
  tokenLabels,
  R,
);
const requests = new SeriesCounter(
  'litellm_requests_metric_total',
  'LLM requests, per key, user, team, end user and model',
  [...USER_LABELS, 'model', 'user_email'],
  R,
);
const proxyTotal = new SeriesCounter(
  'litellm_proxy_total_requests_metric_total',
  'Requests made to the gateway by clients (success and failure)',
  [...USER_LABELS, 'requested_model', 'status_code', 'user_email', 'route'],
  R,
);
const proxyFailed = new SeriesCounter(
  'litellm_proxy_failed_requests_metric_total',
  'Requests for which the client did not get a success response from the gateway',
  [...USER_LABELS, 'requested_model', 'exception_status', 'exception_class', 'route'],
  R,
);
const deploymentLabels = ['requested_model', ...DEPLOYMENT_LABELS, ...DEP_WHO];
const deploymentSuccess = new SeriesCounter(
  'litellm_deployment_success_responses_total',
  'Successful LLM API calls per deployment',
  deploymentLabels,
  R,
);
const deploymentFailure = new SeriesCounter(
  'litellm_deployment_failure_responses_total',
  'Failed LLM API calls per deployment (including attempts that were retried elsewhere)',
  [...deploymentLabels, 'exception_status', 'exception_class'],
  R,
);
const deploymentTotal = new SeriesCounter(
  'litellm_deployment_total_requests_total',
  'LLM API calls per deployment (success + failure)',
  deploymentLabels,
  R,
);
const deploymentState = new SeriesGauge(
  'litellm_deployment_state',
  'Deployment state: 0 = healthy, 1 = partial outage, 2 = complete outage',
  DEPLOYMENT_LABELS,
  R,
);
const fallbackLabels = [
  'requested_model',
  'fallback_model',
  ...DEP_WHO,
  'exception_status',
  'exception_class',
];
const fallbackOk = new SeriesCounter(
  'litellm_deployment_successful_fallbacks_total',
  'Requests that failed on one deployment and succeeded on another',
  fallbackLabels,
  R,
);
const fallbackFailed = new SeriesCounter(
  'litellm_deployment_failed_fallbacks_total',
  'Requests that failed on one deployment and on the ones tried after it',
  fallbackLabels,
  R,
);
const latencyLabels = [...USER_LABELS, 'requested_model', 'model'];
const totalLatency = new SeriesHistogram(
  'litellm_request_total_latency_metric',
  'Total latency (seconds) of a request through the gateway, admission to response',
  latencyLabels,
  LATENCY_BUCKETS,
  R,
);
const llmLatency = new SeriesHistogram(
  'litellm_llm_api_latency_metric',
  'Latency (seconds) of the LLM API call alone',
  latencyLabels,
  LATENCY_BUCKETS,
  R,
);
const perOutputToken = new SeriesHistogram(
  'litellm_deployment_latency_per_output_token',
  'LLM API latency per output token (seconds)',
  [...DEPLOYMENT_LABELS, ...DEP_WHO],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  R,
);
const overheadLitellm = new SeriesHistogram(
  'litellm_overhead_latency_metric',
  'Latency (seconds) the gateway adds to a non-streamed request: total minus the LLM API call',
  ['model_group', 'api_provider', 'api_base', 'litellm_model_name', 'hashed_api_key', 'api_key_alias'],
  LATENCY_BUCKETS,
  R,
);
const overhead = new SeriesHistogram(
  'tollgate_gateway_overhead_seconds',
  'Time the gateway adds to a non-streamed LLM request (HTTP request in to response out, minus the upstream call)',
  ['model_group'],
  OVERHEAD_BUCKETS,
  R,
);
const cacheRequests = new SeriesCounter(
  'tollgate_response_cache_requests_total',
  'LLM requests that used the response cache, by result (hit | miss)',
  ['model_group', 'result'],
  R,
);
const cacheSaved = new MoneyCounter(
  'tollgate_response_cache_saved_usd_total',
  'What the answers served from the response cache cost when they were produced (USD)',
  ['model_group'],
  R,
);

/** Team alias and user e-mail for labels (from the access caches, never a database wait). */
export interface LabelLookup {
  teamAlias(teamId: string): string | null;
  userEmail(userId: string): string | null;
}

let lookup: LabelLookup = { teamAlias: () => null, userEmail: () => null };
export function setLabelLookup(l: LabelLookup): void {
  lookup = l;
}

/** [end_user, hashed_api_key, api_key_alias, team, team_alias, user] */
function userLabels(e: Pick<SpendEvent, 'apiKey' | 'keyAlias' | 'teamId' | 'user' | 'endUser'>): string[] {
  const key = limits.key.value(e.apiKey);
  const team = limits.team.value(e.teamId);
  return [
    options.endUser ? limits.endUser.value(e.endUser) : '',
    key,
    key === e.apiKey ? (e.keyAlias ?? '') : '',
    team,
    team && team === e.teamId ? (lookup.teamAlias(team) ?? '') : '',
    limits.user.value(e.user),
  ];
}

/** [litellm_model_name, model_id, api_base, api_provider] */
function deploymentOf(e: {
  model: string;
  deploymentId: string | null;
  apiBase: string | null;
  provider: string;
}): string[] {
  const id = limits.deployment.value(e.deploymentId);
  return [limits.model.value(e.model), id, id === e.deploymentId ? (e.apiBase ?? '') : '', e.provider];
}

/** Recent final outcomes per deployment (true = success), for litellm_deployment_state. */
const outcomes = new Map<string, boolean[]>();
function noteOutcome(dep: string[], ok: boolean): void {
  const k = dep.join('\u0001');
  let recent = outcomes.get(k);
  if (!recent) {
    if (outcomes.size >= 5_000) outcomes.clear();
    recent = [];
    outcomes.set(k, recent);
  }
  recent.push(ok);
  if (recent.length > 10) recent.shift();
  const n = recent.length;
  const down = n >= 3 && !recent[n - 1] && !recent[n - 2] && !recent[n - 3];
  deploymentState.set(dep, down ? 2 : recent.includes(false) ? 1 : 0);
}

/** Health checks set the state directly: 0 healthy, 2 unreachable. */
export function setDeploymentState(
  d: { model: string; deploymentId: string; apiBase: string | null; provider: string },
  state: 0 | 1 | 2,
): void {
  deploymentState.set(deploymentOf(d), state);
}

/** Requests retried onto another deployment, until their final event (bounded). */
const retried = new Map<string, { status: string; errorClass: string }>();

/** A failed attempt that the engine retries elsewhere. */
export function observeRetry(
  e: Pick<SpendEvent, 'requestId' | 'modelGroup' | 'apiKey' | 'keyAlias' | 'teamId' | 'user' | 'endUser'>,
  d: { model: string; deploymentId: string; apiBase: string | null; provider: string },
  status: number,
  errorClass: string,
): void {
  const u = userLabels(e);
  const dep = deploymentOf(d);
  const dl = [limits.model.value(e.modelGroup), ...dep, u[1], u[2], u[3], u[4]];
  deploymentFailure.inc([...dl, String(status), errorClass]);
  deploymentTotal.inc(dl);
  noteOutcome(dep, false);
  if (retried.size >= 10_000) {
    const oldest = retried.keys().next().value;
    if (oldest !== undefined) retried.delete(oldest);
  }
  if (!retried.has(e.requestId)) retried.set(e.requestId, { status: String(status), errorClass });
}

/** Upstream time of recent non-streamed requests, for the overhead histogram (bounded). */
const upstreamMs = new Map<string, { ms: number; group: string; labels: string[] }>();

function parseSpend(text: string): Money {
  try {
    return parseMoney(text);
  } catch {
    return 0n;
  }
}

export function observeSpendEvent(e: SpendEvent): void {
  const u = userLabels(e);
  const model = limits.model.value(e.model);
  const requested = limits.model.value(e.modelGroup);
  const ok = e.status === 'success';
  spendMetric.add([u[0], u[1], u[2], u[3], u[4], u[5], model], parseSpend(e.spend));
  const tl = [u[0], u[1], u[2], u[3], u[4], u[5], model, requested];
  if (e.totalTokens) totalTokens.inc(tl, e.totalTokens);
  if (e.promptTokens) inputTokens.inc(tl, e.promptTokens);
  if (e.completionTokens) outputTokens.inc(tl, e.completionTokens);
  const email = u[5] && e.user ? (lookup.userEmail(e.user) ?? '') : '';
  requests.inc([u[0], u[1], u[2], u[3], u[4], u[5], model, email]);
  const route = ROUTES[e.callType] ?? e.callType;
  const status = String(e.httpStatus);
  proxyTotal.inc([u[0], u[1], u[2], u[3], u[4], u[5], requested, status, email, route]);
  if (!ok)
    proxyFailed.inc([u[0], u[1], u[2], u[3], u[4], u[5], requested, status, e.errorType ?? 'error', route]);
  if (e.deploymentId) {
    const dep = deploymentOf(e);
    const dl = [requested, dep[0], dep[1], dep[2], dep[3], u[1], u[2], u[3], u[4]];
    if (!e.cacheHit) {
      deploymentTotal.inc(dl);
      if (ok) deploymentSuccess.inc(dl);
      else deploymentFailure.inc([...dl, status, e.errorType ?? 'error']);
      noteOutcome(dep, ok);
      if (ok && e.completionTokens > 0 && e.durationMs > 0)
        perOutputToken.observe(
          [dep[0], dep[1], dep[2], dep[3], u[1], u[2], u[3], u[4]],
          e.durationMs / 1000 / e.completionTokens,
        );
    }
    if (retried.size > 0) {
      const fb = retried.get(e.requestId);
      if (fb) {
        retried.delete(e.requestId);
        const labels = [requested, dep[0], u[1], u[2], u[3], u[4], fb.status, fb.errorClass];
        (ok ? fallbackOk : fallbackFailed).inc(labels);
      }
    }
    if (!e.stream) {
      if (upstreamMs.size >= 10_000) {
        const oldest = upstreamMs.keys().next().value;
        if (oldest !== undefined) upstreamMs.delete(oldest);
      }
      upstreamMs.set(e.requestId, {
        ms: e.cacheHit ? 0 : e.durationMs,
        group: requested,
        labels: [requested, e.provider, dep[2], model, u[1], u[2]],
      });
    }
  }
  const ll = [u[0], u[1], u[2], u[3], u[4], u[5], requested, model];
  totalLatency.observe(ll, Math.max(0, e.endTime - e.startTime) / 1000);
  if (!e.cacheHit) llmLatency.observe(ll, e.durationMs / 1000);
  if (e.cacheKey) {
    cacheRequests.inc([requested, e.cacheHit ? 'hit' : 'miss']);
    if (e.cacheHit && e.savedSpend) cacheSaved.add([requested], parseSpend(e.savedSpend));
  }
}

/**
 * Called by the HTTP layer when a non-streamed LLM response was sent. `elapsedMs` is the whole
 * request as Fastify measured it. Requests that ended before any spend event (auth, unknown model,
 * budget or rate-limit refusals) are counted as proxy requests and failures here.
 */
export function observeResponse(
  requestId: string | undefined,
  elapsedMs: number,
  status: number,
  who: { keyHash: string; keyAlias: string | null; teamId: string | null; userId: string | null } | null,
  requestedModel: string | undefined,
  errorClass: string | undefined,
): void {
  const up = requestId ? upstreamMs.get(requestId) : undefined;
  if (up) {
    upstreamMs.delete(requestId as string);
    const s = Math.max(0, elapsedMs - up.ms) / 1000;
    overhead.observe([up.group], s);
    overheadLitellm.observe(up.labels, s);
    return;
  }
  if (status < 400) return;
  const u = userLabels({
    apiKey: who?.keyHash ?? '',
    keyAlias: who?.keyAlias ?? null,
    teamId: who?.teamId ?? null,
    user: who?.userId ?? null,
    endUser: null,
  });
  const requested = limits.model.value(requestedModel);
  const email = u[5] && who?.userId ? (lookup.userEmail(who.userId) ?? '') : '';
  proxyTotal.inc([u[0], u[1], u[2], u[3], u[4], u[5], requested, String(status), email, '']);
  proxyFailed.inc([u[0], u[1], u[2], u[3], u[4], u[5], requested, String(status), errorClass ?? 'error', '']);
}

const ROUTES: Record<string, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
  image_generation: '/images/generations',
  anthropic_messages: '/v1/messages',
};

/** Whether a key or team id is reported under its own label value (not over the limit). */
export function labelFits(kind: 'key' | 'team', id: string): boolean {
  return (kind === 'key' ? limits.key.value(id) : limits.team.value(id)) === id;
}
