/**
 * @module access/routes/budgets
 * LiteLLM's other budgets: budget objects (/budget/new, /budget/update, /budget/info, /budget/list,
 * /budget/delete) and team member budgets (/team/member_update with max_budget_in_team); tag budgets
 * are in tags.ts. A budget object's limits are copied
 * into the key or customer that names its `budget_id` (fields the entity sets itself win), and
 * /budget/update re-applies them to every linked key and customer, so enforcement, periods and
 * resets stay the entity's own.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatMoney } from '../../pricing/money.js';
import type { AccessCore } from '../core.js';
import { isValidDuration } from '../duration.js';
import { money } from '../json.js';
import { isUniqueViolation } from '../repo.js';
import {
  badRequest,
  budgetColumns,
  budgetSchema,
  checkModels,
  iso,
  notFound,
  optString,
  parseBody,
  record,
  stringList,
  toMoney,
} from './common.js';
import { actor, type RouteDef, type RouteDeps } from './route-def.js';

const BudgetSchema = z.object({
  budget_id: optString,
  ...budgetSchema,
  model_max_budget: record,
});
const BudgetIdSchema = z.object({ budget_id: z.string().min(1) });
const BudgetInfoSchema = z.object({ budgets: z.array(z.string()).min(1) });
const DeleteBudgetSchema = z.object({ id: z.string().min(1) });

type Row = Record<string, unknown>;

function budgetView(r: Row): Record<string, unknown> {
  return {
    budget_id: r.budget_id,
    max_budget: money(r.max_budget === null ? null : String(r.max_budget)),
    soft_budget: money(r.soft_budget === null ? null : String(r.soft_budget)),
    max_parallel_requests: r.max_parallel_requests ?? null,
    tpm_limit: r.tpm_limit === null || r.tpm_limit === undefined ? null : Number(r.tpm_limit),
    rpm_limit: r.rpm_limit === null || r.rpm_limit === undefined ? null : Number(r.rpm_limit),
    model_max_budget: r.model_max_budget ?? null,
    budget_duration: r.budget_duration ?? null,
    budget_reset_at: iso(r.budget_reset_at),
    created_at: iso(r.created_at),
    created_by: r.created_by ?? null,
    updated_at: iso(r.updated_at),
  };
}

/** Validates `model_max_budget` ({model: {budget_limit, time_period}}) and returns it for storage. */
export function modelMaxBudget(
  v: Record<string, unknown> | null | undefined,
  known: string[],
): Record<string, unknown> | undefined {
  if (!v) return undefined;
  checkModels(Object.keys(v), known, 'model_max_budget');
  const out: Record<string, unknown> = {};
  for (const [model, b] of Object.entries(v)) {
    if (typeof b !== 'object' || b === null || Array.isArray(b))
      throw badRequest(
        `model_max_budget.${model} must be {"budget_limit": <USD>, "time_period": "1d"}.`,
        'model_max_budget',
      );
    const o = b as Record<string, unknown>;
    const limit = toMoney(
      o.budget_limit as number | string | undefined,
      `model_max_budget.${model}.budget_limit`,
    );
    if (limit === undefined)
      throw badRequest(`model_max_budget.${model}.budget_limit is required.`, 'model_max_budget');
    if (
      o.time_period !== undefined &&
      o.time_period !== null &&
      (typeof o.time_period !== 'string' || !isValidDuration(o.time_period))
    )
      throw badRequest(
        `model_max_budget.${model}.time_period must be a duration such as "1d" or "30d".`,
        'model_max_budget',
      );
    out[model] = { budget_limit: formatMoney(limit), time_period: o.time_period ?? null };
  }
  return out;
}

/** Validates {model: n} rpm/tpm maps. */
export function modelLimitMap(
  v: Record<string, unknown> | null | undefined,
  known: string[],
  field: string,
): Record<string, number> | undefined {
  if (!v) return undefined;
  checkModels(Object.keys(v), known, field);
  const out: Record<string, number> = {};
  for (const [m, n] of Object.entries(v)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
      throw badRequest(`${field}.${m} must be a whole number >= 0.`, field);
    out[m] = n;
  }
  return out;
}

/** The budget object's limits under the entity's own (for budget_id on keys and customers). */
export async function withBudgetObject<T extends Record<string, unknown>>(
  core: AccessCore,
  input: T,
): Promise<T> {
  const id = input.budget_id;
  if (typeof id !== 'string' || id === '') return input;
  const r = await core.db.query<Row>('SELECT * FROM tg_budgets WHERE budget_id = $1', [id]);
  const b = r.rows[0];
  if (!b) throw badRequest(`Budget "${id}" not found: create it with /budget/new.`, 'budget_id');
  const out: Record<string, unknown> = { ...input };
  const take = (k: string, v: unknown) => {
    if ((out[k] === undefined || out[k] === null) && v !== null && v !== undefined) out[k] = v;
  };
  take('max_budget', b.max_budget === null ? null : String(b.max_budget));
  take('soft_budget', b.soft_budget === null ? null : String(b.soft_budget));
  take('budget_duration', b.budget_duration);
  take('tpm_limit', b.tpm_limit === null ? null : Number(b.tpm_limit));
  take('rpm_limit', b.rpm_limit === null ? null : Number(b.rpm_limit));
  take('max_parallel_requests', b.max_parallel_requests);
  take('model_max_budget', b.model_max_budget);
  return out as T;
}

async function newBudget(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(BudgetSchema, request.body);
  const now = core.now();
  const id = input.budget_id ?? `budget-${Math.random().toString(36).slice(2, 10)}`;
  const cols = budgetColumns(input, now);
  const mmb = modelMaxBudget(input.model_max_budget, deps.modelNames());
  try {
    const r = await core.db.query<Row>(
      `INSERT INTO tg_budgets (budget_id, max_budget, soft_budget, max_parallel_requests, tpm_limit, rpm_limit,
         model_max_budget, budget_duration, budget_reset_at, created_by, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9, $10, $10) RETURNING *`,
      [
        id,
        cols.max_budget ?? null,
        cols.soft_budget ?? null,
        cols.max_parallel_requests ?? null,
        cols.tpm_limit ?? null,
        cols.rpm_limit ?? null,
        mmb ? JSON.stringify(mmb) : null,
        cols.budget_duration ?? null,
        cols.budget_reset_at ?? null,
        actor(request),
      ],
    );
    return budgetView(r.rows[0]);
  } catch (err) {
    if (isUniqueViolation(err)) throw badRequest(`Budget "${id}" already exists.`, 'budget_id');
    throw err;
  }
}

async function updateBudget(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(BudgetSchema.extend({ budget_id: z.string().min(1) }), request.body);
  const now = core.now();
  const cols = budgetColumns(input, now);
  const mmb = modelMaxBudget(input.model_max_budget, deps.modelNames());
  if (mmb) cols.model_max_budget = JSON.stringify(mmb);
  const keys = Object.keys(cols);
  if (keys.length === 0) throw badRequest('Nothing to update: pass max_budget, budget_duration, limits…');
  const sets = keys.map((k, i) => `${k} = $${i + 2}${k === 'model_max_budget' ? '::jsonb' : ''}`);
  const r = await core.db.query<Row>(
    `UPDATE tg_budgets SET ${sets.join(', ')}, updated_at = now(), updated_by = $${keys.length + 2} WHERE budget_id = $1 RETURNING *`,
    [input.budget_id, ...keys.map((k) => cols[k]), actor(request)],
  );
  if (!r.rows[0]) throw notFound(`Budget "${input.budget_id}" not found.`);
  // Re-apply to every linked key and customer (their own copies of the limits).
  const entityCols = Object.fromEntries(
    Object.entries(cols).filter(([k]) => k !== 'model_max_budget' && k !== 'soft_budget'),
  );
  for (const [table, idCol, kind, extra] of [
    [
      'tg_keys',
      'token_hash',
      'key',
      {
        ...entityCols,
        ...(cols.soft_budget !== undefined ? { soft_budget: cols.soft_budget } : {}),
        ...(mmb ? { model_max_budget: JSON.stringify(mmb) } : {}),
      },
    ],
    [
      'tg_customers',
      'user_id',
      'customer',
      Object.fromEntries(
        Object.entries(entityCols).filter(([k]) =>
          ['max_budget', 'budget_duration', 'budget_reset_at'].includes(k),
        ),
      ),
    ],
  ] as const) {
    const ks = Object.keys(extra);
    if (ks.length === 0) continue;
    const set = ks.map((k, i) => `${k} = $${i + 2}${k === 'model_max_budget' ? '::jsonb' : ''}`);
    const u = await core.db.query<{ id: string }>(
      `UPDATE ${table} SET ${set.join(', ')}, updated_at = now() WHERE budget_id = $1 RETURNING ${idCol} AS id`,
      [input.budget_id, ...ks.map((k) => (extra as Record<string, unknown>)[k])],
    );
    for (const row of u.rows) core.invalidate({ t: kind, id: row.id });
  }
  return budgetView(r.rows[0]);
}

async function budgetInfo(_deps: RouteDeps, request: FastifyRequest, core = _deps.core): Promise<unknown> {
  const input = parseBody(BudgetInfoSchema, request.body);
  const r = await core.db.query<Row>(
    'SELECT * FROM tg_budgets WHERE budget_id = ANY($1::text[]) ORDER BY budget_id',
    [input.budgets],
  );
  return r.rows.map(budgetView);
}

async function budgetList(deps: RouteDeps): Promise<unknown> {
  const r = await deps.core.db.query<Row>('SELECT * FROM tg_budgets ORDER BY created_at, budget_id');
  return r.rows.map(budgetView);
}

async function deleteBudget(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const input = parseBody(DeleteBudgetSchema, request.body);
  const r = await deps.core.db.query<Row>('DELETE FROM tg_budgets WHERE budget_id = $1 RETURNING *', [
    input.id,
  ]);
  if (!r.rows[0]) throw notFound(`Budget "${input.id}" not found.`);
  return budgetView(r.rows[0]);
}

// ---- team member budgets ----
const MemberUpdateSchema = z.object({
  team_id: z.string().min(1),
  user_id: optString,
  user_email: optString,
  role: optString,
  max_budget_in_team: z.union([z.number(), z.string()]).nullish(),
  budget_duration: optString,
  tpm_limit: z.number().int().min(0).nullish(),
  rpm_limit: z.number().int().min(0).nullish(),
});

async function memberUpdate(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(MemberUpdateSchema, request.body);
  let userId = input.user_id ?? null;
  if (!userId && input.user_email) {
    const r = await core.db.query<{ user_id: string }>(
      'SELECT user_id FROM tg_users WHERE user_email = $1 LIMIT 1',
      [input.user_email],
    );
    userId = r.rows[0]?.user_id ?? null;
  }
  if (!userId) throw badRequest('Pass the member: user_id or user_email.', 'user_id');
  if (input.budget_duration && !isValidDuration(input.budget_duration))
    throw badRequest('budget_duration must be a duration such as "1d" or "30d".', 'budget_duration');
  const max = toMoney(input.max_budget_in_team, 'max_budget_in_team');
  const cols: Record<string, unknown> = {};
  if (max !== undefined) cols.max_budget_in_team = formatMoney(max);
  if (input.role) cols.role = input.role;
  if (input.budget_duration) cols.budget_duration = input.budget_duration;
  if (input.tpm_limit !== undefined && input.tpm_limit !== null) cols.tpm_limit = input.tpm_limit;
  if (input.rpm_limit !== undefined && input.rpm_limit !== null) cols.rpm_limit = input.rpm_limit;
  const ks = Object.keys(cols);
  if (ks.length === 0) throw badRequest('Nothing to update: pass max_budget_in_team, role or limits.');
  const r = await core.db.query<Row>(
    `UPDATE tg_team_members SET ${ks.map((k, i) => `${k} = $${i + 3}`).join(', ')} WHERE team_id = $1 AND user_id = $2 RETURNING *`,
    [input.team_id, userId, ...ks.map((k) => cols[k])],
  );
  const row = r.rows[0];
  if (!row)
    throw notFound(
      `User "${userId}" is not a member of team "${input.team_id}" (add them with /team/member_add).`,
    );
  core.extra.touchMember(input.team_id, userId);
  return {
    team_id: input.team_id,
    user_id: userId,
    role: row.role,
    max_budget_in_team: money(row.max_budget_in_team === null ? null : String(row.max_budget_in_team)),
    budget_duration: row.budget_duration ?? null,
    tpm_limit: row.tpm_limit === null ? null : Number(row.tpm_limit),
    rpm_limit: row.rpm_limit === null ? null : Number(row.rpm_limit),
  };
}

export const BUDGET_ROUTES: RouteDef[] = [
  { method: 'POST', url: '/budget/new', kind: 'admin', handler: newBudget },
  { method: 'POST', url: '/budget/update', kind: 'admin', handler: updateBudget },
  { method: 'POST', url: '/budget/info', kind: 'admin', handler: budgetInfo },
  { method: 'GET', url: '/budget/list', kind: 'admin', handler: budgetList },
  { method: 'POST', url: '/budget/delete', kind: 'admin', handler: deleteBudget },
  { method: 'POST', url: '/team/member_update', kind: 'admin', handler: memberUpdate },
];

export { BudgetIdSchema };
