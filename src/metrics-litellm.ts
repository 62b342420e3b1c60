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
import { Counter, Gauge, Histogram } from 'prom-client';
import type { SpendEvent } from './ledger/spend-event.js';
import { registry } from './metrics.js';
import { LABEL_LIMITS, LabelLimiter } from './metrics-labels.js';
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

// ---- exact spend ----
const spendSums = new Map<string, { labels: Record<string, string>; sum: Money }>();
const spendMetric = new Counter({
  name: 'litellm_spend_metric_total',
  help: 'Total spend on LLM requests (USD), per key, user, team, end user and model',
  labelNames: [...USER_LABELS, 'model'],
  registers: [registry],
  collect() {
    this.reset();
    for (const { labels, sum } of spendSums.values()) this.inc(labels, Number(formatMoney(sum)));
  },
});
void spendMetric;

const tokenLabels = [...USER_LABELS, 'model', 'requested_model'] as const;
const totalTokens = new Counter({
  name: 'litellm_total_tokens_metric_total',
  help: 'Input + output tokens from LLM requests',
  labelNames: tokenLabels,
  registers: [registry],
});
const inputTokens = new Counter({
  name: 'litellm_input_tokens_metric_total',
  help: 'Input tokens from LLM requests',
  labelNames: tokenLabels,
  registers: [registry],
});
const outputTokens = new Counter({
  name: 'litellm_output_tokens_metric_total',
  help: 'Output tokens from LLM requests',
  labelNames: tokenLabels,
  registers: [registry],
});
const requests = new Counter({
  name: 'litellm_requests_metric_total',
  help: 'LLM requests, per key, user, team, end user and model',
  labelNames: [...USER_LABELS, 'model', 'user_email'],
  registers: [registry],
});
const proxyTotal = new Counter({
  name: 'litellm_proxy_total_requests_metric_total',
  help: 'Requests made to the gateway by clients (success and failure)',
  labelNames: [...USER_LABELS, 'requested_model', 'status_code', 'user_email', 'route'],
  registers: [registry],
});
const proxyFailed = new Counter({
  name: 'litellm_proxy_failed_requests_metric_total',
  help: 'Requests for which the client did not get a success response from the gateway',
  labelNames: [...USER_LABELS, 'requested_model', 'exception_status', 'exception_class', 'route'],
  registers: [registry],
});
const deploymentLabels = [
  'requested_model',
  ...DEPLOYMENT_LABELS,
  'hashed_api_key',
  'api_key_alias',
  'team',
  'team_alias',
] as const;
const deploymentSuccess = new Counter({
  name: 'litellm_deployment_success_responses_total',
  help: 'Successful LLM API calls per deployment',
  labelNames: deploymentLabels,
  registers: [registry],
});
const deploymentFailure = new Counter({
  name: 'litellm_deployment_failure_responses_total',
  help: 'Failed LLM API calls per deployment (including attempts that were retried elsewhere)',
  labelNames: [...deploymentLabels, 'exception_status', 'exception_class'],
  registers: [registry],
});
const deploymentTotal = new Counter({
  name: 'litellm_deployment_total_requests_total',
  help: 'LLM API calls per deployment (success + failure)',
  labelNames: deploymentLabels,
  registers: [registry],
});
const deploymentState = new Gauge({
  name: 'litellm_deployment_state',
  help: 'Deployment state: 0 = healthy, 1 = partial outage, 2 = complete outage',
  labelNames: DEPLOYMENT_LABELS,
  registers: [registry],
});
const fallbackLabels = [
  'requested_model',
  'fallback_model',
  'hashed_api_key',
  'api_key_alias',
  'team',
  'team_alias',
  'exception_status',
  'exception_class',
] as const;
const fallbackOk = new Counter({
  name: 'litellm_deployment_successful_fallbacks_total',
  help: 'Requests that failed on one deployment and succeeded on another',
  labelNames: fallbackLabels,
  registers: [registry],
});
const fallbackFailed = new Counter({
  name: 'litellm_deployment_failed_fallbacks_total',
  help: 'Requests that failed on one deployment and on the ones tried after it',
  labelNames: fallbackLabels,
  registers: [registry],
});
const latencyLabels = [...USER_LABELS, 'requested_model', 'model'] as const;
const totalLatency = new Histogram({
  name: 'litellm_request_total_latency_metric',
  help: 'Total latency (seconds) of a request through the gateway, admission to response',
  labelNames: latencyLabels,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const llmLatency = new Histogram({
  name: 'litellm_llm_api_latency_metric',
  help: 'Latency (seconds) of the LLM API call alone',
  labelNames: latencyLabels,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const perOutputToken = new Histogram({
  name: 'litellm_deployment_latency_per_output_token',
  help: 'LLM API latency per output token (seconds)',
  labelNames: [...DEPLOYMENT_LABELS, 'hashed_api_key', 'api_key_alias', 'team', 'team_alias'],
  registers: [registry],
});
const overheadLitellm = new Histogram({
  name: 'litellm_overhead_latency_metric',
  help: 'Latency (seconds) the gateway adds to a non-streamed request: total minus the LLM API call',
  labelNames: [
    'model_group',
    'api_provider',
    'api_base',
    'litellm_model_name',
    'hashed_api_key',
    'api_key_alias',
  ],
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});
const overhead = new Histogram({
  name: 'tollgate_gateway_overhead_seconds',
  help: 'Time the gateway adds to a non-streamed LLM request (HTTP request in to response out, minus the upstream call)',
  labelNames: ['model_group'],
  buckets: OVERHEAD_BUCKETS,
  registers: [registry],
});
const cacheRequests = new Counter({
  name: 'tollgate_response_cache_requests_total',
  help: 'LLM requests that used the response cache, by result (hit | miss)',
  labelNames: ['model_group', 'result'],
  registers: [registry],
});
const cacheSavedSums = new Map<string, { labels: Record<string, string>; sum: Money }>();
const cacheSaved = new Counter({
  name: 'tollgate_response_cache_saved_usd_total',
  help: 'What the answers served from the response cache cost when they were produced (USD)',
  labelNames: ['model_group'],
  registers: [registry],
  collect() {
    this.reset();
    for (const { labels, sum } of cacheSavedSums.values()) this.inc(labels, Number(formatMoney(sum)));
  },
});
void cacheSaved;

/** Team alias and user e-mail for labels (from the access caches, never a database wait). */
export interface LabelLookup {
  teamAlias(teamId: string): string | null;
  userEmail(userId: string): string | null;
}

let lookup: LabelLookup = { teamAlias: () => null, userEmail: () => null };
export function setLabelLookup(l: LabelLookup): void {
  lookup = l;
}

interface UserLabels {
  end_user: string;
  hashed_api_key: string;
  api_key_alias: string;
  team: string;
  team_alias: string;
  user: string;
}

function userLabels(e: Pick<SpendEvent, 'apiKey' | 'keyAlias' | 'teamId' | 'user' | 'endUser'>): UserLabels {
  const team = limits.team.value(e.teamId);
  return {
    end_user: options.endUser ? limits.endUser.value(e.endUser) : '',
    hashed_api_key: limits.key.value(e.apiKey),
    api_key_alias: e.apiKey && limits.key.value(e.apiKey) !== e.apiKey ? '' : (e.keyAlias ?? ''),
    team,
    team_alias: team && e.teamId ? (lookup.teamAlias(e.teamId) ?? '') : '',
    user: limits.user.value(e.user),
  };
}

function deploymentOf(e: Pick<SpendEvent, 'model' | 'deploymentId' | 'apiBase' | 'provider'>) {
  const id = limits.deployment.value(e.deploymentId);
  return {
    litellm_model_name: limits.model.value(e.model),
    model_id: id,
    api_base: id === e.deploymentId ? (e.apiBase ?? '') : '',
    api_provider: e.provider,
  };
}

function addExact(
  map: Map<string, { labels: Record<string, string>; sum: Money }>,
  labels: Record<string, string>,
  v: Money,
) {
  const k = JSON.stringify(labels);
  const cur = map.get(k);
  if (cur) cur.sum += v;
  else map.set(k, { labels, sum: v });
}

/** Recent final outcomes per deployment (true = success), for litellm_deployment_state. */
const outcomes = new Map<string, { labels: ReturnType<typeof deploymentOf>; recent: boolean[] }>();
function noteOutcome(labels: ReturnType<typeof deploymentOf>, ok: boolean): void {
  const k = `${labels.model_id}\0${labels.litellm_model_name}`;
  let o = outcomes.get(k);
  if (!o) {
    o = { labels, recent: [] };
    outcomes.set(k, o);
  }
  o.recent.push(ok);
  if (o.recent.length > 10) o.recent.shift();
  const last3 = o.recent.slice(-3);
  const state = last3.length === 3 && last3.every((x) => !x) ? 2 : o.recent.some((x) => !x) ? 1 : 0;
  deploymentState.set(labels, state);
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
  const labels = {
    requested_model: limits.model.value(e.modelGroup),
    ...deploymentOf(d),
    hashed_api_key: u.hashed_api_key,
    api_key_alias: u.api_key_alias,
    team: u.team,
    team_alias: u.team_alias,
  };
  deploymentFailure.inc({ ...labels, exception_status: String(status), exception_class: errorClass });
  deploymentTotal.inc(labels);
  noteOutcome(deploymentOf(d), false);
  if (retried.size >= 10_000) {
    const oldest = retried.keys().next().value;
    if (oldest !== undefined) retried.delete(oldest);
  }
  if (!retried.has(e.requestId)) retried.set(e.requestId, { status: String(status), errorClass });
}

/** Upstream time of recent non-streamed requests, for the overhead histogram (bounded). */
const upstreamMs = new Map<string, { ms: number; group: string; labels: Record<string, string> }>();

export function observeSpendEvent(e: SpendEvent): void {
  const u = userLabels(e);
  const model = limits.model.value(e.model);
  const requested = limits.model.value(e.modelGroup);
  const tl = { ...u, model, requested_model: requested };
  const ok = e.status === 'success';
  let spend: Money = 0n;
  try {
    spend = parseMoney(e.spend);
  } catch {
    spend = 0n;
  }
  addExact(spendSums, { ...u, model }, spend);
  if (e.totalTokens) totalTokens.inc(tl, e.totalTokens);
  if (e.promptTokens) inputTokens.inc(tl, e.promptTokens);
  if (e.completionTokens) outputTokens.inc(tl, e.completionTokens);
  const email = e.user ? (lookup.userEmail(e.user) ?? '') : '';
  requests.inc({ ...u, model, user_email: u.user ? email : '' });
  const route = routeOf(e.callType);
  proxyTotal.inc({
    ...u,
    requested_model: requested,
    status_code: String(e.httpStatus),
    user_email: u.user ? email : '',
    route,
  });
  if (!ok)
    proxyFailed.inc({
      ...u,
      requested_model: requested,
      exception_status: String(e.httpStatus),
      exception_class: e.errorType ?? 'error',
      route,
    });
  if (e.deploymentId) {
    const dep = deploymentOf(e);
    const dl = {
      requested_model: requested,
      ...dep,
      hashed_api_key: u.hashed_api_key,
      api_key_alias: u.api_key_alias,
      team: u.team,
      team_alias: u.team_alias,
    };
    if (!e.cacheHit) {
      deploymentTotal.inc(dl);
      if (ok) deploymentSuccess.inc(dl);
      else
        deploymentFailure.inc({
          ...dl,
          exception_status: String(e.httpStatus),
          exception_class: e.errorType ?? 'error',
        });
      noteOutcome(dep, ok);
      if (ok && e.completionTokens > 0 && e.durationMs > 0)
        perOutputToken.observe(
          {
            ...dep,
            hashed_api_key: u.hashed_api_key,
            api_key_alias: u.api_key_alias,
            team: u.team,
            team_alias: u.team_alias,
          },
          e.durationMs / 1000 / e.completionTokens,
        );
    }
    const fb = retried.get(e.requestId);
    if (fb) {
      retried.delete(e.requestId);
      const labels = {
        requested_model: requested,
        fallback_model: dep.litellm_model_name,
        hashed_api_key: u.hashed_api_key,
        api_key_alias: u.api_key_alias,
        team: u.team,
        team_alias: u.team_alias,
        exception_status: fb.status,
        exception_class: fb.errorClass,
      };
      (ok ? fallbackOk : fallbackFailed).inc(labels);
    }
  }
  const totalS = Math.max(0, e.endTime - e.startTime) / 1000;
  totalLatency.observe(tl, totalS);
  if (!e.cacheHit) llmLatency.observe(tl, e.durationMs / 1000);
  if (e.cacheKey) {
    const group = { model_group: requested };
    cacheRequests.inc({ ...group, result: e.cacheHit ? 'hit' : 'miss' });
    if (e.cacheHit && e.savedSpend) {
      try {
        addExact(cacheSavedSums, group, parseMoney(e.savedSpend));
      } catch {
        // not a decimal: nothing to add
      }
    }
  }
  if (!e.stream && e.deploymentId) {
    if (upstreamMs.size >= 10_000) {
      const oldest = upstreamMs.keys().next().value;
      if (oldest !== undefined) upstreamMs.delete(oldest);
    }
    upstreamMs.set(e.requestId, {
      ms: e.cacheHit ? 0 : e.durationMs,
      group: requested,
      labels: {
        model_group: requested,
        api_provider: e.provider,
        api_base: deploymentOf(e).api_base,
        litellm_model_name: model,
        hashed_api_key: u.hashed_api_key,
        api_key_alias: u.api_key_alias,
      },
    });
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
    overhead.observe({ model_group: up.group }, s);
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
  const email = who?.userId ? (lookup.userEmail(who.userId) ?? '') : '';
  proxyTotal.inc({
    ...u,
    requested_model: requested,
    status_code: String(status),
    user_email: email,
    route: '',
  });
  proxyFailed.inc({
    ...u,
    requested_model: requested,
    exception_status: String(status),
    exception_class: errorClass ?? 'error',
    route: '',
  });
}

const ROUTES: Record<string, string> = {
  chat: '/chat/completions',
  completion: '/completions',
  embedding: '/embeddings',
  image_generation: '/images/generations',
  anthropic_messages: '/v1/messages',
};
function routeOf(callType: string): string {
  return ROUTES[callType] ?? callType;
}

// ---- budget gauges (set in the background after requests of budgeted keys and teams) ----
const keyRemaining = new Gauge({
  name: 'litellm_remaining_api_key_budget_metric',
  help: 'Remaining budget of a virtual key (USD)',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const keyMax = new Gauge({
  name: 'litellm_api_key_max_budget_metric',
  help: 'Max budget of a virtual key (USD)',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const keyHours = new Gauge({
  name: 'litellm_api_key_budget_remaining_hours_metric',
  help: 'Hours until the virtual key budget resets',
  labelNames: ['hashed_api_key', 'api_key_alias'],
  registers: [registry],
});
const teamRemaining = new Gauge({
  name: 'litellm_remaining_team_budget_metric',
  help: 'Remaining budget of a team (USD)',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});
const teamMax = new Gauge({
  name: 'litellm_team_max_budget_metric',
  help: 'Max budget of a team (USD)',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});
const teamHours = new Gauge({
  name: 'litellm_team_budget_remaining_hours_metric',
  help: 'Hours until the team budget resets',
  labelNames: ['team', 'team_alias'],
  registers: [registry],
});

export interface BudgetSnapshot {
  alias: string | null;
  maxBudget: Money | null;
  spend: Money;
  /** Epoch ms of the next reset, or null. */
  resetAt: number | null;
}

export function setBudgetGauges(kind: 'key' | 'team', id: string, b: BudgetSnapshot, now: number): void {
  if (b.maxBudget === null) return;
  const labelId = kind === 'key' ? limits.key.value(id) : limits.team.value(id);
  if (labelId !== id) return; // over the label limit: not exported
  const remaining = b.maxBudget - b.spend;
  const hours = b.resetAt === null ? null : Math.max(0, b.resetAt - now) / 3_600_000;
  if (kind === 'key') {
    const l = { hashed_api_key: id, api_key_alias: b.alias ?? '' };
    keyRemaining.set(l, Number(formatMoney(remaining)));
    keyMax.set(l, Number(formatMoney(b.maxBudget)));
    if (hours !== null) keyHours.set(l, hours);
  } else {
    const l = { team: id, team_alias: b.alias ?? '' };
    teamRemaining.set(l, Number(formatMoney(remaining)));
    teamMax.set(l, Number(formatMoney(b.maxBudget)));
    if (hours !== null) teamHours.set(l, hours);
  }
}
