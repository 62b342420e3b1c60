/**
 * @module access/routes/keys
 * /key/generate, /key/info, /key/update, /key/delete, /key/list, /key/regenerate,
 * /key/block, /key/unblock — LiteLLM's request and response shapes. The raw key is returned only
 * by generate and regenerate; everywhere else a key is identified by its sha256 hash.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../../errors.js';
import { parseMoney } from '../../pricing/money.js';
import type { AccessCore } from '../core.js';
import { periodEndOf } from '../core.js';
import { entityRef, type KeyRecord, keyFromRow } from '../records.js';
import { insertRow, isUniqueViolation, loadKey, loadSeed, updateRow } from '../repo.js';
import { generateVirtualKey, hashKey, keyDisplayName, toKeyHash } from '../secrets.js';
import { modelLimitMap, modelMaxBudget, withBudgetObject } from './budgets.js';
import {
  badRequest,
  budgetColumns,
  budgetSchema,
  checkModels,
  durationEnd,
  notFound,
  optString,
  parseBody,
  record,
  stringList,
} from './common.js';
import { actor, type RouteDef, type RouteDeps } from './route-def.js';
import { keyView } from './views.js';

const keyFields = {
  key_alias: optString,
  duration: optString,
  models: stringList,
  user_id: optString,
  team_id: optString,
  metadata: record,
  tags: stringList,
  permissions: record,
  blocked: z.boolean().nullish(),
  ...budgetSchema,
  // issue 17: budget objects and per-model budgets/limits (LiteLLM names)
  budget_id: optString,
  model_max_budget: record,
  model_rpm_limit: record,
  model_tpm_limit: record,
};

const GenerateSchema = z.object({ ...keyFields, key: optString });
const UpdateSchema = z.object({ ...keyFields, key: z.string().min(1) });
const RegenerateSchema = z.object({ ...keyFields, key: optString, new_key: optString });
const DeleteSchema = z.object({ keys: stringList, key_aliases: stringList });
const BlockSchema = z.object({ key: z.string().min(1) });

type KeyInput = z.infer<typeof GenerateSchema>;

function permissionsOf(p: Record<string, unknown> | null | undefined): Record<string, boolean> | undefined {
  if (!p) return undefined;
  const out: Record<string, boolean> = {};
  for (const [k, v] of Object.entries(p)) out[k] = v === true || v === 'true';
  return out;
}

/** Columns for the fields present in a generate/update body. */
function keyColumns(deps: RouteDeps, input: KeyInput, now: number): Record<string, unknown> {
  checkModels(input.models, deps.modelNames());
  const cols: Record<string, unknown> = budgetColumns(input, now);
  if (input.key_alias !== undefined && input.key_alias !== null) cols.key_alias = input.key_alias;
  if (input.duration) cols.expires_at = durationEnd(input.duration, now, 'duration');
  if (input.models) cols.models = input.models;
  if (input.user_id) cols.user_id = input.user_id;
  if (input.team_id) cols.team_id = input.team_id;
  if (input.metadata) cols.metadata = input.metadata;
  if (input.tags) cols.tags = input.tags;
  const perms = permissionsOf(input.permissions);
  if (perms) cols.permissions = perms;
  if (input.blocked !== undefined && input.blocked !== null) cols.blocked = input.blocked;
  if (input.budget_id) cols.budget_id = input.budget_id;
  const mmb = modelMaxBudget(input.model_max_budget, deps.modelNames());
  if (mmb) cols.model_max_budget = mmb;
  const rpm = modelLimitMap(input.model_rpm_limit, deps.modelNames(), 'model_rpm_limit');
  if (rpm) cols.model_rpm_limit = rpm;
  const tpm = modelLimitMap(input.model_tpm_limit, deps.modelNames(), 'model_tpm_limit');
  if (tpm) cols.model_tpm_limit = tpm;
  return cols;
}

function aliasTaken(alias: unknown): GatewayError {
  return badRequest(
    `A key with key_alias "${String(alias)}" already exists: key aliases are unique.`,
    'key_alias',
  );
}

async function findKey(core: AccessCore, keyOrHash: string): Promise<KeyRecord> {
  const rec = await loadKey(core.db, toKeyHash(keyOrHash));
  if (!rec) throw notFound('Key not found: no virtual key matches the given key or hash.');
  return rec;
}

/** After a budget change: move the period grid and bring the counter up to the recorded spend. */
export async function syncBudget(
  core: AccessCore,
  type: 'key' | 'user' | 'team' | 'end_user',
  id: string,
  cols: Record<string, unknown>,
): Promise<void> {
  const ref = entityRef(type, id);
  if (cols.budget_reset_at instanceof Date) {
    const end = cols.budget_reset_at.getTime();
    await core.counters.all((b) => b.rebase(ref, end));
  }
  if (cols.max_budget !== undefined || cols.soft_budget !== undefined || cols.budget_reset_at !== undefined) {
    const backend = core.counters.active();
    if (await backend.read(ref)) {
      const s = await loadSeed(core.db, type, id);
      const marker = s.resetAt?.getTime() ?? 0;
      await backend.seed(ref, parseMoney(s.spend), marker, 'max');
    }
  }
}

async function generate(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = await withBudgetObject(core, parseBody(GenerateSchema, request.body));
  const now = core.now();
  const key = input.key ?? generateVirtualKey();
  if (!key.startsWith('sk-') || key.length < 8) {
    throw badRequest(
      'Invalid key: a custom key must start with "sk-" and be at least 8 characters long.',
      'key',
    );
  }
  const hash = hashKey(key);
  const cols = keyColumns(deps, input, now);
  let row: Record<string, unknown>;
  try {
    row = await insertRow(core.db, 'tg_keys', {
      token_hash: hash,
      key_name: keyDisplayName(key),
      created_by: actor(request),
      created_at: new Date(now),
      updated_at: new Date(now),
      ...cols,
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      if (String((err as { constraint?: string }).constraint ?? (err as Error).message).includes('alias')) {
        throw aliasTaken(input.key_alias);
      }
      throw badRequest('This key already exists: choose another custom key.', 'key');
    }
    throw err;
  }
  core.invalidate({ t: 'key', id: hash }); // drop a negative cache entry for this hash
  const rec = keyFromRow(row);
  return {
    ...(await keyView(core, rec, 0n)),
    key,
    token: hash,
    token_id: hash,
    duration: input.duration ?? null,
  };
}

async function info(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, unknown>;
  const auth = request.auth;
  const param = typeof q.key === 'string' && q.key !== '' ? q.key : null;
  let hash: string;
  if (param) hash = toKeyHash(param);
  else if (auth && auth.keyHash !== '' && !auth.isMaster) hash = auth.keyHash;
  else throw badRequest('Pass the key to look up: GET /key/info?key=<key or its hash>.', 'key');
  if (auth && !auth.isMaster && !auth.openMode && hash !== auth.keyHash) {
    throw new GatewayError('TG_ERR_FORBIDDEN', 'A virtual key may only read its own /key/info.');
  }
  const rec = await findKey(core, hash);
  const view = await keyView(core, rec);
  delete view.token;
  return { key: rec.tokenHash, info: view };
}

async function update(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = await withBudgetObject(core, parseBody(UpdateSchema, request.body));
  const now = core.now();
  const existing = await findKey(core, input.key);
  const cols = keyColumns(deps, { ...input, key: undefined }, now);
  let row: Record<string, unknown> | null;
  try {
    row = await updateRow(core.db, 'tg_keys', 'token_hash', existing.tokenHash, cols, new Date(now));
  } catch (err) {
    if (isUniqueViolation(err)) throw aliasTaken(input.key_alias);
    throw err;
  }
  if (!row) throw notFound('Key not found.');
  core.invalidate({ t: 'key', id: existing.tokenHash });
  await syncBudget(core, 'key', existing.tokenHash, cols);
  const rec = keyFromRow(row);
  return { ...(await keyView(core, rec)), key: rec.tokenHash };
}

async function remove(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(DeleteSchema, request.body);
  let rows: Array<{ token_hash: string }>;
  if (input.keys && input.keys.length > 0) {
    const hashes = input.keys.map(toKeyHash);
    const ph = hashes.map((_, i) => `$${i + 1}`).join(', ');
    rows = (
      await core.db.query<{ token_hash: string }>(
        `DELETE FROM tg_keys WHERE token_hash IN (${ph}) RETURNING token_hash`,
        hashes,
      )
    ).rows;
  } else if (input.key_aliases && input.key_aliases.length > 0) {
    const ph = input.key_aliases.map((_, i) => `$${i + 1}`).join(', ');
    rows = (
      await core.db.query<{ token_hash: string }>(
        `DELETE FROM tg_keys WHERE key_alias IN (${ph}) RETURNING token_hash`,
        input.key_aliases,
      )
    ).rows;
  } else {
    throw badRequest(
      'Pass the keys to delete: {"keys": ["sk-…" or hash, …]} or {"key_aliases": […]}.',
      'keys',
    );
  }
  if (rows.length === 0) throw notFound('None of the given keys exist.');
  await dropKeys(
    core,
    rows.map((r) => r.token_hash),
  );
  return { deleted_keys: rows.map((r) => r.token_hash) };
}

/** Forgets deleted keys everywhere (cache in every process, counters). */
/**
 * Deletes users or teams together with the keys they own (as LiteLLM does), in one transaction,
 * then forgets the keys' cached auth and counters. Fails with 404 naming any id that is missing.
 * `owner` names are internal constants, never request input.
 */
export async function deleteOwnersWithKeys(
  core: AccessCore,
  owner: { table: 'tg_users' | 'tg_teams'; idColumn: 'user_id' | 'team_id'; label: string },
  ids: string[],
  alsoDelete: readonly string[] = [],
): Promise<string[]> {
  const ph = ids.map((_, i) => `$${i + 1}`).join(', ');
  const found = await core.db.query<Record<string, string>>(
    `SELECT ${owner.idColumn} AS id FROM ${owner.table} WHERE ${owner.idColumn} IN (${ph})`,
    ids,
  );
  const missing = ids.filter((id) => !found.rows.some((r) => r.id === id));
  if (missing.length) throw notFound(`${owner.label}(s) not found: ${missing.join(', ')}.`);
  const keys = await core.db.transaction(async (tx) => {
    const k = await tx.query<{ token_hash: string }>(
      `DELETE FROM tg_keys WHERE ${owner.idColumn} IN (${ph}) RETURNING token_hash`,
      ids,
    );
    for (const table of alsoDelete)
      await tx.query(`DELETE FROM ${table} WHERE ${owner.idColumn} IN (${ph})`, ids);
    await tx.query(`DELETE FROM ${owner.table} WHERE ${owner.idColumn} IN (${ph})`, ids);
    return k.rows.map((r) => r.token_hash);
  });
  await dropKeys(core, keys);
  return keys;
}

export async function dropKeys(core: AccessCore, hashes: string[]): Promise<void> {
  for (const h of hashes) {
    core.invalidate({ t: 'key', id: h });
    await core.counters.all((b) => b.drop(entityRef('key', h)));
  }
}

async function list(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, string | undefined>;
  const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
  const size = Math.min(100, Math.max(1, Number.parseInt(q.size ?? '10', 10) || 10));
  const where: string[] = [];
  const params: unknown[] = [];
  for (const col of ['user_id', 'team_id', 'key_alias'] as const) {
    if (q[col]) {
      params.push(q[col]);
      where.push(`${col} = $${params.length}`);
    }
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number(
    (await core.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM tg_keys ${w}`, params)).rows[0].n,
  );
  const rows = (
    await core.db.query<Record<string, unknown>>(
      `SELECT * FROM tg_keys ${w} ORDER BY created_at DESC, token_hash DESC LIMIT ${size} OFFSET ${(page - 1) * size}`,
      params,
    )
  ).rows;
  const full = q.return_full_object === 'true';
  const keys = full
    ? await Promise.all(rows.map((r) => keyView(core, keyFromRow(r))))
    : rows.map((r) => String(r.token_hash));
  return { keys, total_count: total, current_page: page, total_pages: Math.ceil(total / size) };
}

async function regenerate(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const body = parseBody(RegenerateSchema, request.body ?? {});
  const pathKey = (request.params as Record<string, string> | undefined)?.key;
  const target = pathKey ?? body.key;
  if (!target) throw badRequest('Pass the key to regenerate: {"key": "sk-…" or its hash}.', 'key');
  const now = core.now();
  const old = await findKey(core, target);
  const newKey = body.new_key ?? generateVirtualKey();
  if (!newKey.startsWith('sk-') || newKey.length < 8)
    throw badRequest('new_key must start with "sk-".', 'new_key');
  const newHash = hashKey(newKey);
  const cols = keyColumns(deps, { ...body, key: undefined }, now);
  const oldRef = entityRef('key', old.tokenHash);
  const snap = await core.counters
    .active()
    .read(oldRef)
    .catch(() => null);
  let row: Record<string, unknown> | null;
  try {
    row = await core.db.transaction(async (tx) => {
      const r = await updateRow(
        tx,
        'tg_keys',
        'token_hash',
        old.tokenHash,
        { ...cols, token_hash: newHash, key_name: keyDisplayName(newKey) },
        new Date(now),
      );
      // The running spend follows the key; logs keep the old hash.
      await tx.query(
        `UPDATE tg_spend_totals SET entity_id = $1 WHERE entity_type = 'key' AND entity_id = $2
           AND NOT EXISTS (SELECT 1 FROM tg_spend_totals WHERE entity_type = 'key' AND entity_id = $1)`,
        [newHash, old.tokenHash],
      );
      return r;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw badRequest('new_key is already in use.', 'new_key');
    throw err;
  }
  if (!row) throw notFound('Key not found.');
  const rec = keyFromRow(row);
  await dropKeys(core, [old.tokenHash]);
  core.invalidate({ t: 'key', id: newHash });
  if (snap) {
    const s = await loadSeed(core.db, 'key', newHash);
    let spend = parseMoney(s.spend);
    if (snap.spend > spend) spend = snap.spend; // bigint: no Math.max
    const marker = rec.budgetDuration ? (s.resetAt?.getTime() ?? periodEndOf(rec, now)) : 0;
    await core.counters.active().seed(entityRef('key', newHash), spend, marker, 'missing');
  }
  return { ...(await keyView(core, rec)), key: newKey, token: newHash, token_id: newHash };
}

async function setBlocked(deps: RouteDeps, request: FastifyRequest, blocked: boolean): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(BlockSchema, request.body);
  const rec = await findKey(core, input.key);
  const row = await updateRow(
    core.db,
    'tg_keys',
    'token_hash',
    rec.tokenHash,
    { blocked },
    new Date(core.now()),
  );
  if (!row) throw notFound('Key not found.');
  core.invalidate({ t: 'key', id: rec.tokenHash });
  return keyView(core, keyFromRow(row));
}

export const KEY_ROUTES: RouteDef[] = [
  { method: 'POST', url: '/key/generate', kind: 'admin', handler: generate },
  { method: 'GET', url: '/key/info', kind: 'key_info', handler: info },
  { method: 'POST', url: '/key/update', kind: 'admin', handler: update },
  { method: 'POST', url: '/key/delete', kind: 'admin', handler: remove },
  { method: 'GET', url: '/key/list', kind: 'admin', handler: list },
  { method: 'POST', url: '/key/regenerate', kind: 'admin', handler: regenerate },
  { method: 'POST', url: '/key/:key/regenerate', kind: 'admin', handler: regenerate },
  { method: 'POST', url: '/key/block', kind: 'admin', handler: (d, r) => setBlocked(d, r, true) },
  { method: 'POST', url: '/key/unblock', kind: 'admin', handler: (d, r) => setBlocked(d, r, false) },
];
