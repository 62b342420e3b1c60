/**
 * @module access/routes/users
 * Internal users: /user/new (auto-creates a key, as LiteLLM), /user/info, /user/update,
 * /user/delete (also deletes the user's keys), /user/list.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessCore } from '../core.js';
import { keyFromRow, userFromRow } from '../records.js';
import { insertRow, isUniqueViolation, loadUser, updateRow, userTeams } from '../repo.js';
import { generateVirtualKey, hashKey, keyDisplayName } from '../secrets.js';
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
import { deleteOwnersWithKeys, syncBudget } from './keys.js';
import { actor, type RouteDef, type RouteDeps } from './route-def.js';
import { keyView, userView } from './views.js';

export const USER_ROLES = [
  'proxy_admin',
  'proxy_admin_viewer',
  'internal_user',
  'internal_user_viewer',
  'team',
  'customer',
] as const;

const userFields = {
  user_email: optString,
  user_alias: optString,
  user_role: z.enum(USER_ROLES).nullish(),
  teams: stringList,
  team_id: optString,
  models: stringList,
  metadata: record,
  ...budgetSchema,
};
const NewUserSchema = z.object({
  ...userFields,
  user_id: optString,
  auto_create_key: z.boolean().nullish(),
  key_alias: optString,
  duration: optString,
});
const UpdateUserSchema = z.object({ ...userFields, user_id: z.string().min(1) });
const DeleteUsersSchema = z.object({ user_ids: z.array(z.string()).min(1) });

async function addToTeams(core: AccessCore, userId: string, teams: string[]): Promise<void> {
  for (const teamId of teams) {
    const t = await core.db.query('SELECT 1 FROM tg_teams WHERE team_id = $1', [teamId]);
    if (t.rows.length === 0)
      throw badRequest(`Team "${teamId}" does not exist: create it with /team/new first.`, 'teams');
    await core.db.query(
      `INSERT INTO tg_team_members (team_id, user_id, role) VALUES ($1, $2, 'user') ON CONFLICT DO NOTHING`,
      [teamId, userId],
    );
  }
}

async function newUser(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(NewUserSchema, request.body);
  const now = core.now();
  checkModels(input.models, deps.modelNames());
  const userId = input.user_id ?? randomUUID();
  if (input.user_email) {
    const dup = await core.db.query('SELECT 1 FROM tg_users WHERE user_email = $1', [input.user_email]);
    if (dup.rows.length > 0)
      throw badRequest(`A user with email ${input.user_email} already exists.`, 'user_email');
  }
  const teams = [...new Set([...(input.teams ?? []), ...(input.team_id ? [input.team_id] : [])])];
  const expires = input.duration ? durationEnd(input.duration, now, 'duration') : null;
  const key = input.auto_create_key === false ? null : generateVirtualKey();
  const metadata = {
    ...(input.metadata ?? {}),
    ...(input.user_alias ? { user_alias: input.user_alias } : {}),
  };
  let userRow: Record<string, unknown>;
  let keyRow: Record<string, unknown> | null = null;
  try {
    const out = await core.db.transaction(async (tx) => {
      const u = await insertRow(tx, 'tg_users', {
        user_id: userId,
        user_email: input.user_email ?? null,
        user_role: input.user_role ?? 'internal_user',
        models: input.models ?? [],
        metadata,
        created_at: new Date(now),
        updated_at: new Date(now),
        ...budgetColumns(input, now),
      });
      let k: Record<string, unknown> | null = null;
      if (key) {
        k = await insertRow(tx, 'tg_keys', {
          token_hash: hashKey(key),
          key_name: keyDisplayName(key),
          key_alias: input.key_alias ?? null,
          user_id: userId,
          models: input.models ?? [],
          expires_at: expires,
          created_by: actor(request),
          created_at: new Date(now),
          updated_at: new Date(now),
        });
      }
      return { u, k };
    });
    userRow = out.u;
    keyRow = out.k;
  } catch (err) {
    if (isUniqueViolation(err)) {
      const alias = String((err as Error).message).includes('alias');
      throw alias
        ? badRequest(`A key with key_alias "${input.key_alias}" already exists.`, 'key_alias')
        : badRequest(`User "${userId}" already exists.`, 'user_id');
    }
    throw err;
  }
  await addToTeams(core, userId, teams);
  core.invalidate({ t: 'user', id: userId });
  const view = await userView(core, userFromRow(userRow), await userTeams(core.db, userId));
  return {
    ...view,
    key,
    key_alias: keyRow ? (keyRow.key_alias ?? null) : null,
    key_name: keyRow ? keyRow.key_name : null,
    token_id: keyRow ? keyRow.token_hash : null,
    expires: expires ? expires.toISOString() : null,
    team_id: input.team_id ?? null,
  };
}

async function userInfo(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, string | undefined>;
  if (!q.user_id) throw badRequest('Pass the user: GET /user/info?user_id=<id>.', 'user_id');
  const user = await loadUser(core.db, q.user_id);
  if (!user) throw notFound(`User "${q.user_id}" not found.`);
  const teamIds = await userTeams(core.db, user.userId);
  const keys = (
    await core.db.query<Record<string, unknown>>(
      'SELECT * FROM tg_keys WHERE user_id = $1 ORDER BY created_at',
      [user.userId],
    )
  ).rows;
  const teams = teamIds.length
    ? (
        await core.db.query<Record<string, unknown>>(
          `SELECT team_id, team_alias FROM tg_teams WHERE team_id IN (${teamIds.map((_, i) => `$${i + 1}`).join(', ')})`,
          teamIds,
        )
      ).rows
    : [];
  const aliasOf = new Map(teams.map((t) => [String(t.team_id), (t.team_alias as string | null) ?? null]));
  return {
    user_id: user.userId,
    user_info: await userView(core, user, teamIds),
    keys: await Promise.all(
      keys.map(async (r) => {
        const rec = keyFromRow(r);
        return {
          ...(await keyView(core, rec)),
          team_alias: rec.teamId ? (aliasOf.get(rec.teamId) ?? null) : null,
        };
      }),
    ),
    teams: teams.map((t) => ({ team_id: t.team_id, team_alias: t.team_alias })),
  };
}

async function userUpdate(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(UpdateUserSchema, request.body);
  const now = core.now();
  checkModels(input.models, deps.modelNames());
  const existing = await loadUser(core.db, input.user_id);
  if (!existing) throw notFound(`User "${input.user_id}" not found.`);
  const cols: Record<string, unknown> = budgetColumns(input, now);
  if (input.user_email) cols.user_email = input.user_email;
  if (input.user_role) cols.user_role = input.user_role;
  if (input.models) cols.models = input.models;
  if (input.metadata || input.user_alias) {
    cols.metadata = {
      ...(input.metadata ?? existing.metadata),
      ...(input.user_alias ? { user_alias: input.user_alias } : {}),
    };
  }
  const row = Object.keys(cols).length
    ? await updateRow(core.db, 'tg_users', 'user_id', input.user_id, cols, new Date(now))
    : existing.raw;
  if (!row) throw notFound(`User "${input.user_id}" not found.`);
  if (input.teams) await addToTeams(core, input.user_id, input.teams);
  core.invalidate({ t: 'user', id: input.user_id });
  await syncBudget(core, 'user', input.user_id, cols);
  return {
    user_id: input.user_id,
    data: await userView(core, userFromRow(row), await userTeams(core.db, input.user_id)),
  };
}

async function userDelete(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(DeleteUsersSchema, request.body);
  const keys = await deleteOwnersWithKeys(
    core,
    { table: 'tg_users', idColumn: 'user_id', label: 'User' },
    input.user_ids,
    ['tg_team_members'],
  );
  for (const id of input.user_ids) core.invalidate({ t: 'user', id });
  return { deleted_users: input.user_ids, deleted_keys: keys };
}

async function userList(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, string | undefined>;
  const page = Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1);
  const pageSize = Math.min(100, Math.max(1, Number.parseInt(q.page_size ?? '25', 10) || 25));
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.role) {
    params.push(q.role);
    where.push(`user_role = $${params.length}`);
  }
  if (q.user_ids) {
    const ids = q.user_ids
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    where.push(
      `user_id IN (${ids
        .map((id) => {
          params.push(id);
          return `$${params.length}`;
        })
        .join(', ')})`,
    );
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number(
    (await core.db.query<{ n: string }>(`SELECT count(*) AS n FROM tg_users ${w}`, params)).rows[0].n,
  );
  const rows = (
    await core.db.query<Record<string, unknown>>(
      `SELECT * FROM tg_users ${w} ORDER BY created_at DESC, user_id LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`,
      params,
    )
  ).rows;
  const users = await Promise.all(
    rows.map(async (r) => userView(core, userFromRow(r), await userTeams(core.db, String(r.user_id)))),
  );
  return { users, total, page, page_size: pageSize, total_pages: Math.ceil(total / pageSize) };
}

export const USER_ROUTES: RouteDef[] = [
  { method: 'POST', url: '/user/new', kind: 'admin', handler: newUser },
  { method: 'GET', url: '/user/info', kind: 'admin', handler: userInfo },
  { method: 'POST', url: '/user/update', kind: 'admin', handler: userUpdate },
  { method: 'POST', url: '/user/delete', kind: 'admin', handler: userDelete },
  { method: 'GET', url: '/user/list', kind: 'admin', handler: userList },
];
