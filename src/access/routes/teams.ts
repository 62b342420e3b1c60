/**
 * @module access/routes/teams
 * Teams: /team/new, /team/info, /team/update, /team/delete (also deletes the team's keys, as
 * LiteLLM), /team/member_add, /team/member_delete, /team/list, /team/block, /team/unblock.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Db } from '../../store/db.js';
import type { AccessCore } from '../core.js';
import { keyFromRow, type TeamRecord, teamFromRow, userFromRow } from '../records.js';
import { insertRow, isUniqueViolation, loadTeam, teamMembers, updateRow } from '../repo.js';
import {
  badRequest,
  budgetColumns,
  budgetSchema,
  checkModels,
  notFound,
  optString,
  parseBody,
  record,
  stringList,
} from './common.js';
import { deleteOwnersWithKeys, syncBudget } from './keys.js';
import type { RouteDef, RouteDeps } from './route-def.js';
import { keyView, teamView, userView } from './views.js';

const Member = z.object({
  role: z.string().nullish(),
  user_id: optString,
  user_email: optString,
});
type MemberInput = z.infer<typeof Member>;

const teamFields = {
  team_alias: optString,
  models: stringList,
  metadata: record,
  blocked: z.boolean().nullish(),
  ...budgetSchema,
};
const NewTeamSchema = z.object({
  ...teamFields,
  team_id: optString,
  members_with_roles: z.array(Member).nullish(),
  admins: stringList,
  members: z.array(z.union([z.string(), Member])).nullish(),
});
const UpdateTeamSchema = z.object({ ...teamFields, team_id: z.string().min(1) });
const DeleteTeamsSchema = z.object({ team_ids: z.array(z.string()).min(1) });
const MemberAddSchema = z.object({
  team_id: z.string().min(1),
  member: z.union([Member, z.array(Member)]),
  max_budget_in_team: z.unknown().optional(),
});
const MemberDeleteSchema = z.object({
  team_id: z.string().min(1),
  user_id: optString,
  user_email: optString,
});
const TeamIdSchema = z.object({ team_id: z.string().min(1) });

async function requireTeam(core: AccessCore, teamId: string): Promise<TeamRecord> {
  const t = await loadTeam(core.db, teamId);
  if (!t) throw notFound(`Team "${teamId}" not found.`);
  return t;
}

/** Resolves a member to a user id, creating the internal user when it does not exist (as LiteLLM). */
async function ensureUser(
  db: Db,
  m: MemberInput,
  now: number,
): Promise<{ userId: string; created: boolean }> {
  if (m.user_id) {
    const r = await db.query(
      `INSERT INTO tg_users (user_id, user_email, created_at, updated_at) VALUES ($1, $2, $3, $3) ON CONFLICT (user_id) DO NOTHING RETURNING 1`,
      [m.user_id, m.user_email ?? null, new Date(now)],
    );
    return { userId: m.user_id, created: r.rowCount > 0 };
  }
  if (!m.user_email) throw badRequest('A team member needs a user_id or a user_email.', 'member');
  const found = await db.query<{ user_id: string }>(
    'SELECT user_id FROM tg_users WHERE user_email = $1 LIMIT 1',
    [m.user_email],
  );
  if (found.rows[0]) return { userId: found.rows[0].user_id, created: false };
  const id = randomUUID();
  await db.query(
    'INSERT INTO tg_users (user_id, user_email, created_at, updated_at) VALUES ($1, $2, $3, $3)',
    [id, m.user_email, new Date(now)],
  );
  return { userId: id, created: true };
}

async function view(core: AccessCore, t: TeamRecord): Promise<Record<string, unknown>> {
  return teamView(core, t, await teamMembers(core.db, t.teamId));
}

async function newTeam(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(NewTeamSchema, request.body);
  const now = core.now();
  checkModels(input.models, deps.modelNames());
  const teamId = input.team_id ?? randomUUID();
  const members: MemberInput[] = [...(input.members_with_roles ?? [])];
  for (const a of input.admins ?? []) members.push({ role: 'admin', user_id: a });
  for (const m of input.members ?? []) members.push(typeof m === 'string' ? { role: 'user', user_id: m } : m);
  let row: Record<string, unknown>;
  try {
    row = await core.db.transaction(async (tx) => {
      const r = await insertRow(tx, 'tg_teams', {
        team_id: teamId,
        team_alias: input.team_alias ?? null,
        models: input.models ?? [],
        metadata: input.metadata ?? {},
        blocked: input.blocked ?? false,
        created_at: new Date(now),
        updated_at: new Date(now),
        ...budgetColumns(input, now),
      });
      for (const m of members) {
        const { userId } = await ensureUser(tx, m, now);
        await tx.query(
          `INSERT INTO tg_team_members (team_id, user_id, role) VALUES ($1, $2, $3)
           ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
          [teamId, userId, m.role ?? 'user'],
        );
      }
      return r;
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw badRequest(`Team id "${teamId}" already exists: use a different team_id.`, 'team_id');
    throw err;
  }
  core.invalidate({ t: 'team', id: teamId });
  return view(core, teamFromRow(row));
}

async function teamInfo(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, string | undefined>;
  if (!q.team_id) throw badRequest('Pass the team: GET /team/info?team_id=<id>.', 'team_id');
  const team = await requireTeam(core, q.team_id);
  const keys = (
    await core.db.query<Record<string, unknown>>(
      'SELECT * FROM tg_keys WHERE team_id = $1 ORDER BY created_at',
      [team.teamId],
    )
  ).rows;
  const members = await teamMembers(core.db, team.teamId);
  return {
    team_id: team.teamId,
    team_info: await teamView(core, team, members),
    keys: await Promise.all(keys.map((r) => keyView(core, keyFromRow(r)))),
    team_memberships: members.map((m) => ({
      team_id: team.teamId,
      user_id: m.user_id,
      budget_id: null,
      spend: 0,
    })),
  };
}

async function teamUpdate(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(UpdateTeamSchema, request.body);
  const now = core.now();
  checkModels(input.models, deps.modelNames());
  const existing = await requireTeam(core, input.team_id);
  const cols: Record<string, unknown> = budgetColumns(input, now);
  if (input.team_alias) cols.team_alias = input.team_alias;
  if (input.models) cols.models = input.models;
  if (input.metadata) cols.metadata = input.metadata;
  if (input.blocked !== undefined && input.blocked !== null) cols.blocked = input.blocked;
  const row = Object.keys(cols).length
    ? await updateRow(core.db, 'tg_teams', 'team_id', input.team_id, cols, new Date(now))
    : existing.raw;
  if (!row) throw notFound(`Team "${input.team_id}" not found.`);
  core.invalidate({ t: 'team', id: input.team_id });
  await syncBudget(core, 'team', input.team_id, cols);
  return { team_id: input.team_id, data: await view(core, teamFromRow(row)) };
}

async function teamDelete(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(DeleteTeamsSchema, request.body);
  const keys = await deleteOwnersWithKeys(
    core,
    { table: 'tg_teams', idColumn: 'team_id', label: 'Team' },
    input.team_ids,
  );
  for (const id of input.team_ids) core.invalidate({ t: 'team', id });
  return { deleted_teams: input.team_ids, deleted_keys: keys };
}

async function memberAdd(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(MemberAddSchema, request.body);
  const now = core.now();
  const team = await requireTeam(core, input.team_id);
  const list = Array.isArray(input.member) ? input.member : [input.member];
  const existing = await teamMembers(core.db, team.teamId);
  const added: string[] = [];
  await core.db.transaction(async (tx) => {
    for (const m of list) {
      const { userId } = await ensureUser(tx, m, now);
      if (existing.some((e) => e.user_id === userId) || added.includes(userId)) {
        throw badRequest(`User "${userId}" is already a member of team "${team.teamId}".`, 'member');
      }
      await tx.query('INSERT INTO tg_team_members (team_id, user_id, role) VALUES ($1, $2, $3)', [
        team.teamId,
        userId,
        m.role ?? 'user',
      ]);
      added.push(userId);
    }
  });
  const users = await Promise.all(
    added.map(async (id) => {
      const u = await core.db.query<Record<string, unknown>>('SELECT * FROM tg_users WHERE user_id = $1', [
        id,
      ]);
      const teams = (
        await core.db.query<{ team_id: string }>('SELECT team_id FROM tg_team_members WHERE user_id = $1', [
          id,
        ])
      ).rows.map((r) => r.team_id);
      return userView(core, userFromRow(u.rows[0]), teams);
    }),
  );
  return {
    ...(await view(core, team)),
    updated_users: users,
    updated_team_memberships: added.map((id) => ({
      team_id: team.teamId,
      user_id: id,
      budget_id: null,
      spend: 0,
    })),
  };
}

async function memberDelete(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(MemberDeleteSchema, request.body);
  const team = await requireTeam(core, input.team_id);
  if (!input.user_id && !input.user_email)
    throw badRequest('Pass the member: user_id or user_email.', 'user_id');
  let userId = input.user_id ?? null;
  if (!userId && input.user_email) {
    const r = await core.db.query<{ user_id: string }>('SELECT user_id FROM tg_users WHERE user_email = $1', [
      input.user_email,
    ]);
    userId = r.rows[0]?.user_id ?? null;
  }
  const del = userId
    ? await core.db.query('DELETE FROM tg_team_members WHERE team_id = $1 AND user_id = $2', [
        team.teamId,
        userId,
      ])
    : { rowCount: 0 };
  if (del.rowCount === 0) throw badRequest('User not found in team.', 'user_id');
  return view(core, team);
}

async function teamList(deps: RouteDeps): Promise<unknown> {
  const { core } = deps;
  const rows = (
    await core.db.query<Record<string, unknown>>('SELECT * FROM tg_teams ORDER BY created_at, team_id')
  ).rows;
  return Promise.all(rows.map((r) => view(core, teamFromRow(r))));
}

async function setBlocked(deps: RouteDeps, request: FastifyRequest, blocked: boolean): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(TeamIdSchema, request.body);
  const row = await updateRow(
    core.db,
    'tg_teams',
    'team_id',
    input.team_id,
    { blocked },
    new Date(core.now()),
  );
  if (!row) throw notFound(`Team "${input.team_id}" not found.`);
  core.invalidate({ t: 'team', id: input.team_id });
  return view(core, teamFromRow(row));
}

export const TEAM_ROUTES: RouteDef[] = [
  { method: 'POST', url: '/team/new', kind: 'admin', handler: newTeam },
  { method: 'GET', url: '/team/info', kind: 'admin', handler: teamInfo },
  { method: 'POST', url: '/team/update', kind: 'admin', handler: teamUpdate },
  { method: 'POST', url: '/team/delete', kind: 'admin', handler: teamDelete },
  { method: 'POST', url: '/team/member_add', kind: 'admin', handler: memberAdd },
  { method: 'POST', url: '/team/member_delete', kind: 'admin', handler: memberDelete },
  { method: 'GET', url: '/team/list', kind: 'admin', handler: teamList },
  { method: 'POST', url: '/team/block', kind: 'admin', handler: (d, r) => setBlocked(d, r, true) },
  { method: 'POST', url: '/team/unblock', kind: 'admin', handler: (d, r) => setBlocked(d, r, false) },
];
