/**
 * @module reprice/reprice-routes
 * Admin API for re-pricing (master key only):
 *   POST /spend/reprice        {from, to, model?, team?, prices?: {<LiteLLM cost map entries>}, dry_run?: true,
 *                               resume?: run_id}  → the diff report (?format=csv for CSV); dry_run defaults to
 *                               true: applying needs an explicit "dry_run": false.
 *   GET  /spend/reprice/:id    → the run's audit record.
 */
import type { FastifyInstance } from 'fastify';
import '../access/fastify-types.js';
import type { DeploymentConfig } from '../config/types.js';
import { GatewayError } from '../errors.js';
import type { PriceVersionRegistry } from '../pricing/index.js';
import { actorOf } from '../reports/routes.js';
import type { Db } from '../store/db.js';
import { diffReportCsv } from './diff-report.js';
import { type PriceFile, priceFileFromJson } from './price-file.js';
import { reprice, repriceRun } from './reprice-run.js';
import { pricingTargets } from './targets.js';

export interface RepriceRouteDeps {
  db: Db;
  /** The gateway's price versions (copied per call: a price file never leaks into live pricing). */
  versions: () => PriceVersionRegistry;
  deployments: readonly DeploymentConfig[];
}

export const REPRICE_ROUTES = [
  { method: 'POST', url: '/spend/reprice', kind: 'admin' },
  { method: 'GET', url: '/spend/reprice/:id', kind: 'admin' },
] as const;

const bad = (message: string, param?: string) =>
  new GatewayError('TG_ERR_BAD_REQUEST', message, param ? { param } : {});

function optString(body: Record<string, unknown>, name: string, max = 256): string | undefined {
  const v = body[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || v === '' || v.length > max)
    throw bad(`"${name}" must be a non-empty string`, name);
  return v;
}

export function registerRepriceRoutes(app: FastifyInstance, deps: RepriceRouteDeps): void {
  const admin = { config: { kind: 'admin' as const } };
  const targets = pricingTargets(deps.deployments);

  app.post('/spend/reprice', admin, async (req, reply) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw bad('the body must be a JSON object');
    const resume = optString(body, 'resume', 64);
    const from = optString(body, 'from', 10);
    const to = optString(body, 'to', 10);
    if (!resume && (!from || !to))
      throw bad('"from" and "to" (YYYY-MM-DD) are required', from ? 'to' : 'from');
    const dryRun = body.dry_run === undefined ? true : body.dry_run;
    if (typeof dryRun !== 'boolean') throw bad('"dry_run" must be a boolean', 'dry_run');
    let prices: PriceFile | undefined;
    if (body.prices !== undefined && body.prices !== null) {
      if (typeof body.prices !== 'object' || Array.isArray(body.prices))
        throw bad('"prices" must be an object of model entries (LiteLLM cost map format)', 'prices');
      prices = priceFileFromJson('request', JSON.stringify(body.prices));
    }
    let result: Awaited<ReturnType<typeof reprice>>;
    try {
      result = await reprice({
        db: deps.db,
        versions: deps.versions(),
        targets,
        from: from ?? '',
        to: to ?? '',
        model: optString(body, 'model'),
        team: optString(body, 'team'),
        prices,
        dryRun,
        resume,
        actor: actorOf(req.auth),
      });
    } catch (err) {
      if (err instanceof RangeError) throw bad(err.message);
      throw err;
    }
    const q = (req.query ?? {}) as Record<string, unknown>;
    if (q.format === 'csv')
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="reprice.csv"')
        .send(diffReportCsv(result));
    return reply.type('application/json; charset=utf-8').send(JSON.stringify(result));
  });

  app.get('/spend/reprice/:id', admin, async (req) => {
    const { id } = req.params as { id: string };
    const run = await repriceRun(deps.db, id);
    if (!run) throw new GatewayError('TG_ERR_NOT_FOUND', `no re-pricing run ${id}`);
    return run;
  });
}
