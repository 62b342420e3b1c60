/**
 * @module models/model-routes
 * LiteLLM's model management: POST /model/new, POST /model/update (and PATCH /model/:id/update),
 * POST /model/delete, GET /model_group/info, GET /v2/model/info. New and updated models are read
 * and validated exactly like config.yaml entries (config/deployment.ts, then the gateway's runtime
 * build: provider, prices, credentials), stored with secrets encrypted, audited, and applied here at
 * once and on every other replica by the version poller. Models from config.yaml cannot be changed
 * through the API (edit the file).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DeploymentConfig } from '../config/types.js';
import type { LMap } from '../config/yaml-tree.js';
import { GatewayError } from '../errors.js';
import type { DeploymentRuntime } from '../gateway/deployment-runtime.js';
import { describeDeployment } from '../gateway/routes/info-routes.js';
import { exact, stringifyExact } from '../pricing/exact-json.js';
import { formatMoney } from '../pricing/money.js';
import { mergeMaps, nodeToJson, parseJsonTree, parseModelEntry } from './model-parse.js';
import type { ModelSecrets } from './model-secrets.js';
import { type ModelStore, sealNode, storedView } from './model-store.js';

export interface ModelRouteDeps {
  /** null when general_settings.store_model_in_db is not true. */
  store: ModelStore | null;
  secrets: ModelSecrets;
  env: NodeJS.ProcessEnv;
  /** Deployment ids defined in config.yaml. */
  configIds: () => ReadonlySet<string>;
  /** Ids of the models currently stored (as loaded). */
  dbIds: () => ReadonlySet<string>;
  /** The runtime check config models get at load: errors refuse the model, warnings are returned. */
  validate: (d: DeploymentConfig) => { errors: string[]; warnings: string[] };
  /** Applies the stored models on this replica now. */
  reload: () => Promise<void>;
  runtimes: () => DeploymentRuntime[];
  /** Index of the first stored model after the config's models. */
  firstIndex: () => number;
  bodyLimit: number;
}

function bad(message: string, param?: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST', message, param ? { param } : {});
}

function actor(request: FastifyRequest): string {
  const a = request.auth;
  if (!a || a.openMode) return 'open_mode';
  if (a.isMaster) return 'master_key';
  return a.userId ?? `key:${a.keyHash.slice(0, 12)}`;
}

function mapOf(tree: LMap, key: string): LMap | undefined {
  const v = tree.entries.find((e) => e.key === key)?.value;
  return v?.kind === 'map' ? v : undefined;
}

function scalarOf(map: LMap | undefined, key: string): string | undefined {
  const v = map?.entries.find((e) => e.key === key)?.value;
  return v?.kind === 'scalar' && v.value !== null && v.value !== undefined ? String(v.value) : undefined;
}

function withId(info: LMap | undefined, id: string): LMap {
  return mergeMaps(info, {
    kind: 'map',
    line: undefined,
    entries: [
      { key: 'id', keyLine: undefined, value: { kind: 'scalar', value: id, source: id, line: undefined } },
    ],
  });
}

export function registerModelRoutes(app: FastifyInstance, deps: ModelRouteDeps): void {
  const requireStore = (): ModelStore => {
    if (!deps.store)
      throw bad(
        'Storing models needs general_settings.store_model_in_db: true (and a database shared by every replica).',
      );
    return deps.store;
  };

  /** Validates a full entry (name + params + info JSON text) exactly like a config entry. */
  const check = (name: string, params: LMap, info: LMap) => {
    const text = `{"model_name":${JSON.stringify(name)},"litellm_params":${nodeToJson(params)},"model_info":${nodeToJson(info)}}`;
    const parsed = parseModelEntry(text, deps.firstIndex(), deps.env, deps.secrets);
    if (!parsed.deployment) throw bad(`Invalid model: ${parsed.errors.join('; ')}`);
    const v = deps.validate(parsed.deployment);
    if (v.errors.length) throw bad(`Invalid model: ${v.errors.join('; ')}`);
    return { deployment: parsed.deployment, warnings: [...parsed.warnings, ...v.warnings] };
  };

  const seal = (params: LMap) => {
    try {
      return sealNode(params, deps.secrets);
    } catch (err) {
      throw bad((err as Error).message, 'litellm_params');
    }
  };

  const raw = (request: FastifyRequest): LMap => {
    const body = request.body as { raw?: string } | undefined;
    const tree = typeof body?.raw === 'string' ? parseJsonTree(body.raw) : null;
    if (!tree) throw new GatewayError('TG_ERR_BAD_JSON', 'Request body must be a JSON object.');
    return tree;
  };

  app.register(async (child) => {
    // Keep the body text: prices are read from their written digits, like config.yaml. (The parent's JSON
    // parser is replaced in this scope only.)
    child.removeContentTypeParser('application/json');
    child.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: deps.bodyLimit },
      (_req, body, done) => done(null, { raw: String(body) }),
    );
    const admin = { config: { kind: 'admin' as const } };

    child.post('/model/new', admin, async (request, reply) => {
      const store = requireStore();
      const tree = raw(request);
      const name = scalarOf(tree, 'model_name');
      if (!name) throw bad('model_name is required.', 'model_name');
      const params = mapOf(tree, 'litellm_params');
      if (!params) throw bad('litellm_params is required (at least "model").', 'litellm_params');
      const given = scalarOf(mapOf(tree, 'model_info'), 'id');
      const id = given ?? randomUUID();
      if (deps.configIds().has(id) || deps.dbIds().has(id) || (await store.get(id)))
        throw bad(`A model with id "${id}" already exists.`, 'model_info.id');
      const info = withId(mapOf(tree, 'model_info'), id);
      const sealed = seal(params);
      const { warnings } = check(name, sealed, info);
      const row = await store.create(
        { id, name, paramsJson: nodeToJson(sealed), infoJson: nodeToJson(info) },
        actor(request),
      );
      await deps.reload();
      return reply.type('application/json').send(stringifyExact({ ...storedView(row), warnings }));
    });

    const update = async (request: FastifyRequest, idFromPath?: string) => {
      const store = requireStore();
      const tree = raw(request);
      const infoIn = mapOf(tree, 'model_info');
      const id = idFromPath ?? scalarOf(infoIn, 'id') ?? scalarOf(tree, 'model_id') ?? scalarOf(tree, 'id');
      if (!id) throw bad('Pass the model id in model_info.id.', 'model_info.id');
      if (deps.configIds().has(id))
        throw bad(
          `Model "${id}" is defined in config.yaml: change it there (only models stored in the database can be updated).`,
        );
      const cur = await store.getText(id);
      if (!cur) throw new GatewayError('TG_ERR_NOT_FOUND', `Model "${id}" not found.`);
      const curTree = parseJsonTree(`{"p":${cur.params},"i":${cur.info}}`) as LMap;
      const name = scalarOf(tree, 'model_name') ?? cur.name;
      const params = seal(mergeMaps(mapOf(curTree, 'p'), mapOf(tree, 'litellm_params')));
      const info = withId(mergeMaps(mapOf(curTree, 'i'), infoIn), id);
      const { warnings } = check(name, params, info);
      const row = await store.update(
        id,
        { name, paramsJson: nodeToJson(params), infoJson: nodeToJson(info) },
        actor(request),
      );
      if (!row) throw new GatewayError('TG_ERR_NOT_FOUND', `Model "${id}" not found.`);
      await deps.reload();
      return stringifyExact({ ...storedView(row), warnings });
    };
    child.post('/model/update', admin, async (request, reply) =>
      reply.type('application/json').send(await update(request)),
    );
    child.patch('/model/:model_id/update', admin, async (request, reply) =>
      reply
        .type('application/json')
        .send(await update(request, (request.params as { model_id: string }).model_id)),
    );

    child.post('/model/delete', admin, async (request) => {
      const store = requireStore();
      const tree = raw(request);
      const id = scalarOf(tree, 'id') ?? scalarOf(tree, 'model_id');
      if (!id) throw bad('Pass {"id": "<model id>"}.', 'id');
      if (deps.configIds().has(id))
        throw bad(
          `Model "${id}" is defined in config.yaml: remove it there (only models stored in the database can be deleted).`,
        );
      if (!(await store.delete(id, actor(request))))
        throw new GatewayError('TG_ERR_NOT_FOUND', `Model "${id}" not found.`);
      await deps.reload();
      return { message: `Model: ${id} deleted successfully` };
    });
  });

  app.get('/model/audit', { config: { kind: 'admin' } }, async (request) => {
    const store = requireStore();
    const q = (request.query ?? {}) as { model_id?: string };
    return { data: await store.audit(q.model_id) };
  });

  app.get('/v2/model/info', { config: { kind: 'info' } }, async (request, reply) => {
    const q = (request.query ?? {}) as { model?: string; model_id?: string };
    const allowed = request.auth.allowedModels;
    const db = deps.dbIds();
    const data = deps
      .runtimes()
      .filter((rt) => allowed.length === 0 || allowed.includes(rt.modelName))
      .filter((rt) => !q.model || rt.modelName === q.model)
      .filter((rt) => !q.model_id || rt.config.id === q.model_id)
      .map((rt) => {
        const d = describeDeployment(rt);
        (d.model_info as Record<string, unknown>).db_model = db.has(rt.config.id);
        return d;
      });
    return reply.type('application/json').send(stringifyExact({ data }));
  });

  app.get('/model_group/info', { config: { kind: 'info' } }, async (request, reply) => {
    const q = (request.query ?? {}) as { model_group?: string };
    const allowed = request.auth.allowedModels;
    const groups = new Map<string, DeploymentRuntime[]>();
    for (const rt of deps.runtimes()) {
      if (allowed.length && !allowed.includes(rt.modelName)) continue;
      if (q.model_group && rt.modelName !== q.model_group) continue;
      groups.set(rt.modelName, [...(groups.get(rt.modelName) ?? []), rt]);
    }
    if (q.model_group && groups.size === 0)
      throw new GatewayError('TG_ERR_UNKNOWN_MODEL', `Model group "${q.model_group}" is not configured.`, {
        param: 'model_group',
      });
    const price = (rt: DeploymentRuntime, k: string) => {
      const v = rt.pricing.prices[k as keyof typeof rt.pricing.prices];
      return v === undefined ? null : exact(formatMoney(v));
    };
    const data = [...groups.entries()].map(([name, members]) => {
      const first = members[0];
      const sum = (f: (rt: DeploymentRuntime) => number | undefined) => {
        const xs = members.map(f);
        return xs.every((x) => x !== undefined) ? xs.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) : null;
      };
      return {
        model_group: name,
        providers: [...new Set(members.map((m) => m.config.provider))],
        max_input_tokens: first.pricing.maxInputTokens,
        max_output_tokens: first.pricing.maxOutputTokens,
        input_cost_per_token: price(first, 'input_cost_per_token'),
        output_cost_per_token: price(first, 'output_cost_per_token'),
        mode: first.pricing.mode ?? first.config.mode ?? null,
        tpm: sum((m) => m.tpm),
        rpm: sum((m) => m.rpm),
        supported_call_types: [...new Set(members.flatMap((m) => [...m.callTypes]))],
        deployments: members.map((m) => ({
          model_id: m.config.id,
          model: m.config.model,
          db_model: deps.dbIds().has(m.config.id),
        })),
        is_public_model_group: true,
      };
    });
    return reply.type('application/json').send(stringifyExact({ data }));
  });
}
