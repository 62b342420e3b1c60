/**
 * @module gateway/routes/info-routes
 * Model listing (OpenAI /models), LiteLLM's /model/info with effective prices, the pricing
 * explanation (with the catalog in use and what its last swap changed), health probes (readiness names the
 * catalog) and Prometheus metrics.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { GatewayError } from '../../errors.js';
import { registry } from '../../metrics.js';
import { exact, stringifyExact } from '../../pricing/exact-json.js';
import { formatMoney, type ResolvedPricing } from '../../pricing/index.js';
import type { DeploymentRuntime } from '../deployment-runtime.js';
import type { Engine } from '../engine.js';

export interface InfoDeps {
  engine: Engine;
  version: string;
  /** For what /v1/models lists for a bare `*` wildcard (the providers whose API key variable is set). */
  env?: NodeJS.ProcessEnv;
  /** Readiness details (database, spool); undefined when running without a database. */
  readiness?: () => Promise<Record<string, unknown>>;
  /** Swap in a freshly loaded cost map; returns what changed. */
  reloadPricing?: () => Promise<Record<string, unknown>>;
  /** The price catalog in use (source, snapshot, origin, refresh state), for readiness and explain. */
  catalogStatus?: () => Record<string, unknown>;
  /** The last catalog swap with its before → after lists, or null. */
  catalogChange?: () => Record<string, unknown> | null;
  /** How one deployment's prices moved in the last catalog swap. */
  deploymentPriceChanges?: (deploymentId: string) => readonly object[] | undefined;
}

const SECRET_PARAMS = new Set(['api_key', 'apiKey']);

export function registerInfoRoutes(app: FastifyInstance, deps: InfoDeps): void {
  const created = Math.floor(Date.now() / 1000);
  // LiteLLM lists exact names, aliases and, for wildcard entries, the provider's models from the cost map
  // (`?return_wildcard_routes=true` adds the patterns themselves).
  const listModels = async (request: { query: unknown; auth: { allowedModels: readonly string[] } }) => {
    const allowed = request.auth.allowedModels;
    const q = request.query as { return_wildcard_routes?: string } | undefined;
    const names = deps.engine.directory
      .listModels(deps.env ?? process.env, q?.return_wildcard_routes === 'true')
      .filter((n) => allowed.length === 0 || modelAllowedFor(allowed, n));
    return {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created, owned_by: 'tollgate' })),
    };
  };
  app.get('/models', { config: { kind: 'info' } }, listModels);
  app.get('/v1/models', { config: { kind: 'info' } }, listModels);

  const modelInfo = async (
    request: { query: unknown; auth: { allowedModels: readonly string[] } },
    reply: FastifyReply,
  ) => {
    const q = request.query as { litellm_model_id?: string; model?: string };
    const allowed = request.auth.allowedModels;
    const data = allRuntimes(deps.engine)
      .filter((rt) => allowed.length === 0 || allowed.includes(rt.modelName))
      .filter((rt) => !q.litellm_model_id || rt.config.id === q.litellm_model_id)
      .filter((rt) => !q.model || rt.modelName === q.model)
      .map(describeDeployment);
    // Prices are exact JSON numbers (never a float round trip: 0.00000015, not 1.5e-7 or 1.4999…e-7).
    return reply.type('application/json').send(stringifyExact({ data }));
  };
  app.get('/model/info', { config: { kind: 'info' } }, modelInfo);
  app.get('/v1/model/info', { config: { kind: 'info' } }, modelInfo);

  app.get('/pricing/explain', { config: { kind: 'info' } }, async (request) => {
    const q = request.query as { model?: string };
    const runtimes = allRuntimes(deps.engine).filter((rt) => !q.model || rt.modelName === q.model);
    const anyDisabled = deps.engine.directory.disabled.some((d) => d.modelName === q.model);
    if (q.model && runtimes.length === 0 && !anyDisabled) {
      throw new GatewayError(
        'TG_ERR_UNKNOWN_MODEL',
        `Model "${q.model}" is not configured. Available models: ${deps.engine.modelNames().join(', ')}.`,
        { param: 'model' },
      );
    }
    const catalog = deps.catalogStatus?.();
    const lastChange = deps.catalogChange?.();
    const disabled = deps.engine.directory.disabled
      .filter((d) => !q.model || d.modelName === q.model)
      .map((d) => ({
        model_name: d.modelName ?? null,
        model: d.model ?? null,
        where: d.where,
        reasons: d.why,
      }));
    return {
      ...(catalog ? { catalog: lastChange ? { ...catalog, last_change: lastChange } : catalog } : {}),
      ...(disabled.length ? { disabled } : {}),
      data: runtimes.map((rt) => {
        const changes = deps.deploymentPriceChanges?.(rt.config.id);
        return {
          model_name: rt.modelName,
          deployment_id: rt.config.id,
          model: rt.config.model,
          provider: rt.config.provider,
          ...capabilities(rt),
          ...explainPricing(rt.pricing),
          ...(changes ? { price_changes: changes } : {}),
        };
      }),
    };
  });

  app.post('/pricing/reload', { config: { kind: 'admin' } }, async () => {
    if (!deps.reloadPricing) throw new GatewayError('TG_ERR_UNSUPPORTED', 'Pricing reload is not available.');
    return deps.reloadPricing();
  });

  app.get('/health/liveliness', { config: { kind: 'public' } }, async () => "I'm alive!");
  app.get('/health/liveness', { config: { kind: 'public' } }, async () => "I'm alive!");
  app.get('/health/readiness', { config: { kind: 'public' } }, async (_req, reply) => {
    const details = deps.readiness ? await deps.readiness() : { db: 'not configured' };
    // A ledger that stopped writing (database down, or a batch it cannot store) is not ready: requests would
    // be answered but their spend would pile up unwritten. With allow_requests_on_db_unavailable the gateway
    // serves without its database: ready, but degraded.
    const degraded = details.db === 'disconnected' && details.db_unavailable_mode !== undefined;
    const healthy = (details.db !== 'disconnected' || degraded) && details.spend_writer_stalled !== true;
    // Which prices are in use; a built-in fallback is still healthy (requests are priced), so no effect on status.
    const catalog = deps.catalogStatus?.();
    return reply.code(healthy ? 200 : 503).send({
      status: degraded ? 'degraded' : healthy ? 'healthy' : 'unhealthy',
      version: deps.version,
      ...details,
      ...(catalog ? { price_catalog: catalog } : {}),
    });
  });

  app.get('/metrics', { config: { kind: 'public' } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}

function allRuntimes(engine: Engine): DeploymentRuntime[] {
  return [...engine.groups.values()].flatMap((g) => g.members).concat(engine.directory.wildcards());
}

/** A key's `models` list as access applies it (`*`, `all-proxy-models`, `prefix*`). */
function modelAllowedFor(models: readonly string[], model: string): boolean {
  for (const m of models) {
    if (m === model || m === '*' || m === 'all-proxy-models' || m === 'all-team-models') return true;
    if (m.endsWith('*') && model.startsWith(m.slice(0, -1))) return true;
  }
  return false;
}

/** LiteLLM's /model/info entry: params without secrets, model_info with the effective prices. */
export function describeDeployment(rt: DeploymentRuntime): Record<string, unknown> {
  const d = rt.config;
  const params: Record<string, unknown> = { model: d.model };
  if (d.apiBase) params.api_base = rt.apiBase;
  if (d.apiVersion) params.api_version = d.apiVersion;
  if (d.timeout !== undefined) params.timeout = d.timeout;
  if (d.maxRetries !== undefined) params.max_retries = d.maxRetries;
  if (d.rpm !== undefined) params.rpm = d.rpm;
  if (d.tpm !== undefined) params.tpm = d.tpm;
  if (d.mockResponse !== undefined) params.mock_response = d.mockResponse;
  for (const [k, v] of Object.entries(d.extraParams)) if (!SECRET_PARAMS.has(k)) params[k] = v;
  const info: Record<string, unknown> = { ...d.modelInfo };
  delete info.api_key;
  const p = rt.pricing;
  for (const [k, v] of Object.entries(p.prices)) info[k] = exact(formatMoney(v));
  info.id = d.id;
  info.mode = p.mode ?? d.mode ?? null;
  info.base_model = d.baseModel ?? null;
  info.max_input_tokens = p.maxInputTokens;
  info.max_output_tokens = p.maxOutputTokens;
  info.pricing_source = p.source;
  info.pricing_origins = p.origins;
  info.unpriced = p.unpriced;
  Object.assign(info, capabilities(rt));
  return { model_name: d.modelName, litellm_params: params, model_info: info };
}

/** What a deployment can do, from its family's endpoint table, and what stops it (checked at load). */
export function capabilities(rt: DeploymentRuntime): Record<string, unknown> {
  return {
    provider_family: rt.family.name,
    supported_call_types: [...rt.callTypes],
    config_problems: rt.configProblems,
  };
}

export function explainPricing(p: ResolvedPricing): Record<string, unknown> {
  const prices: Record<string, { usd: string; from: string }> = {};
  for (const [k, v] of Object.entries(p.prices))
    prices[k] = { usd: formatMoney(v), from: p.origins[k] ?? p.source };
  return { source: p.source, catalog_entry: p.entryKey, unpriced: p.unpriced, prices, warnings: p.warnings };
}
