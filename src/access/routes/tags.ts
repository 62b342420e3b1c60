/**
 * @module access/routes/tags
 * Tag budgets (LiteLLM_TagTable): /tag/new, /tag/update, POST /tag/info {names}, GET /tag/list,
 * POST /tag/delete {name}. Every request carrying the tag is charged to it (extra-limits.ts).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AccessCore } from '../core.js';
import { money } from '../json.js';
import { isUniqueViolation } from '../repo.js';
import { withBudgetObject } from './budgets.js';
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
} from './common.js';
import { actor, type RouteDef, type RouteDeps } from './route-def.js';

type Row = Record<string, unknown>;

const TagSchema = z.object({
  name: z.string().min(1).max(200),
  description: optString,
  models: stringList,
  metadata: record,
  budget_id: optString,
  ...budgetSchema,
});
const TagNamesSchema = z.object({ names: z.array(z.string()).min(1) });
const TagNameSchema = z.object({ name: z.string().min(1) });

async function tagView(core: AccessCore, r: Row): Promise<Record<string, unknown>> {
  const s = await core.db.query<{ spend: string }>(
    `SELECT spend::text AS spend FROM tg_spend_totals WHERE entity_type = 'tag' AND entity_id = $1`,
    [r.tag_name],
  );
  return {
    name: r.tag_name,
    description: r.description ?? null,
    models: r.models ?? [],
    spend: money(s.rows[0]?.spend ?? '0'),
    max_budget: money(r.max_budget === null ? null : String(r.max_budget)),
    soft_budget: money(r.soft_budget === null ? null : String(r.soft_budget)),
    budget_duration: r.budget_duration ?? null,
    budget_reset_at: iso(r.budget_reset_at),
    tpm_limit: r.tpm_limit === null || r.tpm_limit === undefined ? null : Number(r.tpm_limit),
    rpm_limit: r.rpm_limit === null || r.rpm_limit === undefined ? null : Number(r.rpm_limit),
    max_parallel_requests: r.max_parallel_requests ?? null,
    budget_id: r.budget_id ?? null,
    metadata: r.metadata ?? {},
    created_at: iso(r.created_at),
    updated_at: iso(r.updated_at),
  };
}

async function saveTag(deps: RouteDeps, request: FastifyRequest, isNew: boolean): Promise<unknown> {
  const { core } = deps;
  const input = await withBudgetObject(core, parseBody(TagSchema, request.body));
  checkModels(input.models, deps.modelNames());
  const now = core.now();
  const cols: Record<string, unknown> = budgetColumns(input, now);
  if (input.description !== undefined && input.description !== null) cols.description = input.description;
  if (input.models) cols.models = JSON.stringify(input.models);
  if (input.metadata) cols.metadata = JSON.stringify(input.metadata);
  if (input.budget_id) cols.budget_id = input.budget_id;
  const ks = Object.keys(cols);
  const cast = (k: string) => (k === 'models' || k === 'metadata' ? '::jsonb' : '');
  let row: Row | undefined;
  if (isNew) {
    try {
      row = (
        await core.db.query<Row>(
          `INSERT INTO tg_tags (tag_name, created_by${ks.map((k) => `, ${k}`).join('')}) VALUES ($1, $2${ks.map((k, i) => `, $${i + 3}${cast(k)}`).join('')}) RETURNING *`,
          [input.name, actor(request), ...ks.map((k) => cols[k])],
        )
      ).rows[0];
    } catch (err) {
      if (isUniqueViolation(err))
        throw badRequest(`Tag "${input.name}" already exists: use /tag/update.`, 'name');
      throw err;
    }
  } else {
    if (ks.length === 0) throw badRequest('Nothing to update.');
    row = (
      await core.db.query<Row>(
        `UPDATE tg_tags SET ${ks.map((k, i) => `${k} = $${i + 2}${cast(k)}`).join(', ')}, updated_at = now() WHERE tag_name = $1 RETURNING *`,
        [input.name, ...ks.map((k) => cols[k])],
      )
    ).rows[0];
    if (!row) throw notFound(`Tag "${input.name}" not found.`);
  }
  core.extra.touchTag(input.name);
  return tagView(core, row);
}

async function tagInfo(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const input = parseBody(TagNamesSchema, request.body);
  const r = await deps.core.db.query<Row>('SELECT * FROM tg_tags WHERE tag_name = ANY($1::text[])', [
    input.names,
  ]);
  const out: Record<string, unknown> = {};
  for (const row of r.rows) out[String(row.tag_name)] = await tagView(deps.core, row);
  return out;
}

async function tagList(deps: RouteDeps): Promise<unknown> {
  const r = await deps.core.db.query<Row>('SELECT * FROM tg_tags ORDER BY tag_name');
  return Promise.all(r.rows.map((row) => tagView(deps.core, row)));
}

async function tagDelete(deps: RouteDeps, request: FastifyRequest): Promise<unknown> {
  const input = parseBody(TagNameSchema, request.body);
  const r = await deps.core.db.query('DELETE FROM tg_tags WHERE tag_name = $1 RETURNING 1', [input.name]);
  if (r.rowCount === 0) throw notFound(`Tag "${input.name}" not found.`);
  deps.core.extra.touchTag(input.name);
  await deps.core.extra.refreshTagNames();
  return { message: `Tag ${input.name} deleted successfully` };
}

export const TAG_ROUTES: RouteDef[] = [
  { method: 'POST', url: '/tag/new', kind: 'admin', handler: (d, r) => saveTag(d, r, true) },
  { method: 'POST', url: '/tag/update', kind: 'admin', handler: (d, r) => saveTag(d, r, false) },
  { method: 'POST', url: '/tag/info', kind: 'admin', handler: tagInfo },
  { method: 'GET', url: '/tag/list', kind: 'admin', handler: tagList },
  { method: 'POST', url: '/tag/delete', kind: 'admin', handler: tagDelete },
];
