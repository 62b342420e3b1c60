/**
 * @module access/routes/customers
 * Customers (end users: the request's `user`): /customer/new|info|update|delete|block|unblock|list,
 * each also under LiteLLM's older /end_user/… path.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessCore } from '../core.js';
import { customerFromRow } from '../records.js';
import { insertRow, isUniqueViolation, loadCustomer, updateRow } from '../repo.js';
import { withBudgetObject } from './budgets.js';
import {
  badRequest,
  budgetColumns,
  durationField,
  moneyField,
  notFound,
  optString,
  parseBody,
  record,
} from './common.js';
import { syncBudget } from './keys.js';
import type { RouteDef, RouteDeps } from './route-def.js';
import { customerView } from './views.js';

const customerFields = {
  alias: optString,
  blocked: z.boolean().nullish(),
  max_budget: moneyField,
  budget_duration: durationField,
  metadata: record,
  /** A budget object (/budget/new) whose limits apply (issue 17). */
  budget_id: optString,
};
const NewSchema = z.object({ ...customerFields, user_id: z.string().min(1) });
const UpdateSchema = NewSchema;
const IdsSchema = z.object({ user_ids: z.array(z.string().min(1)).min(1) });

async function newCustomer(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = await withBudgetObject(core, parseBody(NewSchema, request.body));
  const now = core.now();
  let row: Record<string, unknown>;
  try {
    row = await insertRow(core.db, 'tg_customers', {
      user_id: input.user_id,
      alias: input.alias ?? null,
      blocked: input.blocked ?? false,
      metadata: input.metadata ?? {},
      ...(input.budget_id ? { budget_id: input.budget_id } : {}),
      created_at: new Date(now),
      updated_at: new Date(now),
      ...budgetColumns(input, now, { soft: false, limits: false }),
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw badRequest(
        `Customer already exists, passed user_id=${input.user_id}. Please pass a new user_id.`,
        'user_id',
      );
    }
    throw err;
  }
  core.invalidate({ t: 'customer', id: input.user_id });
  return customerView(core, customerFromRow(row));
}

async function info(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const q = (request.query ?? {}) as Record<string, string | undefined>;
  const id = q.end_user_id ?? q.user_id;
  if (!id) throw badRequest('Pass the customer: GET /customer/info?end_user_id=<id>.', 'end_user_id');
  const c = await loadCustomer(core.db, id);
  if (!c) throw notFound(`End User Id=${id} does not exist in db`);
  return customerView(core, c);
}

async function update(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(UpdateSchema, request.body);
  const now = core.now();
  const existing = await loadCustomer(core.db, input.user_id);
  if (!existing) throw notFound(`End User Id=${input.user_id} does not exist in db`);
  const cols: Record<string, unknown> = budgetColumns(input, now, { soft: false, limits: false });
  if (input.alias) cols.alias = input.alias;
  if (input.blocked !== undefined && input.blocked !== null) cols.blocked = input.blocked;
  if (input.metadata) cols.metadata = input.metadata;
  const row = Object.keys(cols).length
    ? await updateRow(core.db, 'tg_customers', 'user_id', input.user_id, cols, new Date(now))
    : existing.raw;
  if (!row) throw notFound(`End User Id=${input.user_id} does not exist in db`);
  core.invalidate({ t: 'customer', id: input.user_id });
  await syncBudget(core, 'end_user', input.user_id, cols);
  return customerView(core, customerFromRow(row));
}

async function remove(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const { core } = deps;
  const input = parseBody(IdsSchema, request.body);
  const ph = input.user_ids.map((_, i) => `$${i + 1}`).join(', ');
  const found = await core.db.query<{ user_id: string }>(
    `SELECT user_id FROM tg_customers WHERE user_id IN (${ph})`,
    input.user_ids,
  );
  const missing = input.user_ids.filter((id) => !found.rows.some((r) => r.user_id === id));
  if (missing.length) throw notFound(`End User Id(s)=${missing.join(', ')} do not exist in db`);
  const r = await core.db.query(`DELETE FROM tg_customers WHERE user_id IN (${ph})`, input.user_ids);
  for (const id of input.user_ids) {
    core.invalidate({ t: 'customer', id });
    await core.counters.all((b) => b.drop(`end_user:${id}`));
  }
  return {
    deleted_customers: r.rowCount,
    message: `Successfully deleted customers with ids: ${JSON.stringify(input.user_ids)}`,
  };
}

/** Block creates unknown customers (as LiteLLM: block before first sight); unblock needs them to exist. */
async function setBlocked(core: AccessCore, ids: string[], blocked: boolean): Promise<unknown[]> {
  const now = new Date(core.now());
  const out: unknown[] = [];
  for (const id of ids) {
    const r = blocked
      ? await core.db.query<Record<string, unknown>>(
          `INSERT INTO tg_customers (user_id, blocked, created_at, updated_at) VALUES ($1, true, $2, $2)
           ON CONFLICT (user_id) DO UPDATE SET blocked = true, updated_at = $2 RETURNING *`,
          [id, now],
        )
      : await core.db.query<Record<string, unknown>>(
          'UPDATE tg_customers SET blocked = false, updated_at = $2 WHERE user_id = $1 RETURNING *',
          [id, now],
        );
    if (!r.rows[0]) throw notFound(`End User Id=${id} does not exist in db`);
    core.invalidate({ t: 'customer', id });
    out.push(await customerView(core, customerFromRow(r.rows[0])));
  }
  return out;
}

async function block(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const input = parseBody(IdsSchema, request.body);
  return { blocked_users: await setBlocked(deps.core, input.user_ids, true) };
}

async function unblock(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const input = parseBody(IdsSchema, request.body);
  return { unblocked_users: await setBlocked(deps.core, input.user_ids, false) };
}

async function list(deps: RouteDeps): Promise<unknown> {
  const { core } = deps;
  const rows = (
    await core.db.query<Record<string, unknown>>('SELECT * FROM tg_customers ORDER BY created_at, user_id')
  ).rows;
  return Promise.all(rows.map((r) => customerView(core, customerFromRow(r))));
}

const handlers: Array<[RouteDef['method'], string, RouteDef['handler']]> = [
  ['POST', 'new', newCustomer],
  ['GET', 'info', info],
  ['POST', 'update', update],
  ['POST', 'delete', remove],
  ['POST', 'block', block],
  ['POST', 'unblock', unblock],
  ['GET', 'list', list],
];

export const CUSTOMER_ROUTES: RouteDef[] = ['customer', 'end_user'].flatMap((base) =>
  handlers.map(([method, name, handler]) => ({
    method,
    url: `/${base}/${name}`,
    kind: 'admin' as const,
    handler,
  })),
);
