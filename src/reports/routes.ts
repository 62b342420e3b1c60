/**
 * @module reports/routes
 * The spend-reporting HTTP routes (LiteLLM paths and shapes, plus /spend/summary and the FOCUS
 * export). Every route declares its kind: 'spend' (master key, or a key allowed spend routes by the
 * access rules) except POST /global/spend/reset, which is 'admin' (master key only). JSON bodies
 * are written by stringifyExact so money is exact; `?format=csv` returns the same data as CSV.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type pino from 'pino';
import '../access/fastify-types.js';
import type { AuthContext, RouteKind } from '../access/types.js';
import { exact, stringifyExact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import { globalActivity, globalSpendLogs, spendKeys, spendTags, spendUsers } from './activity-reports.js';
import { toCsv } from './csv.js';
import { dailyActivity } from './daily-activity.js';
import { focusExport } from './focus.js';
import {
  globalSpend,
  globalSpendEndUsers,
  globalSpendKeys,
  globalSpendModels,
  globalSpendTags,
  globalSpendTeams,
} from './global-spend.js';
import {
  apiKeyHash,
  badRequest,
  formatParam,
  intParam,
  listParam,
  type Query,
  rangeOrLastDays,
  requiredRange,
  str,
} from './params.js';
import { spendLogsOptions, summaryOptions } from './query-options.js';
import { registerSelfSpendRoutes, SELF_SPEND_ROUTES } from './self-routes.js';
import { spendLogs } from './spend-logs.js';
import { REPORT_GROUP_BY, type ReportGroupBy, spendReport } from './spend-report.js';
import { spendSummary } from './summary.js';
import type { ReportResult } from './types.js';

export interface ReportDeps {
  db: Db;
  logger: pino.Logger;
  resetAllSpend: (by: string) => Promise<void>;
  /** Proxy-wide max budget shown by GET /global/spend (exact decimal text); null when none. */
  maxBudget?: string | null;
  /** POST /spend/calculate: prices a usage or a prompt (money fields as exact decimal text). */
  calculate?: (body: unknown) => Record<string, unknown>;
}

export const REPORT_ROUTES: ReadonlyArray<{ method: 'GET' | 'POST'; url: string; kind: RouteKind }> = [
  { method: 'GET', url: '/global/spend/report', kind: 'spend' },
  { method: 'GET', url: '/spend/logs', kind: 'spend' },
  { method: 'GET', url: '/global/spend', kind: 'spend' },
  { method: 'GET', url: '/global/spend/keys', kind: 'spend' },
  { method: 'GET', url: '/global/spend/models', kind: 'spend' },
  { method: 'GET', url: '/global/spend/teams', kind: 'spend' },
  { method: 'GET', url: '/global/spend/end_users', kind: 'spend' },
  { method: 'POST', url: '/global/spend/end_users', kind: 'spend' },
  { method: 'GET', url: '/global/spend/tags', kind: 'spend' },
  { method: 'GET', url: '/user/daily/activity', kind: 'spend' },
  { method: 'GET', url: '/spend/summary', kind: 'spend' },
  { method: 'GET', url: '/spend/export/focus', kind: 'spend' },
  { method: 'POST', url: '/global/spend/reset', kind: 'admin' },
  ...SELF_SPEND_ROUTES,
  { method: 'GET', url: '/team/daily/activity', kind: 'spend' },
  { method: 'GET', url: '/tag/daily/activity', kind: 'spend' },
  { method: 'GET', url: '/customer/daily/activity', kind: 'spend' },
  { method: 'GET', url: '/global/activity', kind: 'spend' },
  { method: 'GET', url: '/global/spend/logs', kind: 'spend' },
  { method: 'GET', url: '/spend/tags', kind: 'spend' },
  { method: 'GET', url: '/spend/keys', kind: 'spend' },
  { method: 'GET', url: '/spend/users', kind: 'spend' },
  { method: 'POST', url: '/spend/calculate', kind: 'info' },
];

export const RESET_RESPONSE =
  '{"message":"Spend for all API Keys and Teams reset successfully","status":"success"}';

/** Who did it, for the reset audit (never a secret: aliases, ids or the key hash). */
export function actorOf(auth: AuthContext | null | undefined): string {
  if (!auth) return 'unknown';
  if (auth.isMaster) return auth.openMode ? 'open_mode' : 'master_key';
  return auth.keyAlias ?? auth.userId ?? (auth.keyHash ? `key:${auth.keyHash}` : 'unknown');
}

export async function send(
  reply: FastifyReply,
  q: Query,
  result: ReportResult,
  name: string,
): Promise<FastifyReply> {
  if (result.headers) reply.headers(result.headers);
  if (formatParam(q) === 'csv') {
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}.csv"`)
      .send(toCsv(await result.table()));
  }
  return reply.type('application/json; charset=utf-8').send(stringifyExact(result.body));
}

function groupByParam(q: Query): ReportGroupBy {
  const v = str(q, 'group_by') ?? 'team';
  if (!(REPORT_GROUP_BY as readonly string[]).includes(v)) {
    throw badRequest(`Unknown group_by "${v}": expected one of ${REPORT_GROUP_BY.join(', ')}.`, 'group_by');
  }
  return v as ReportGroupBy;
}

export function registerReportRoutes(app: FastifyInstance, deps: ReportDeps): void {
  const { db } = deps;
  const spend = { config: { kind: 'spend' as const } };
  const q = (req: FastifyRequest) => (req.query ?? {}) as Query;

  app.get('/global/spend/report', spend, async (req, reply) => {
    const query = q(req);
    const range = requiredRange(query);
    const groupBy = groupByParam(query);
    const apiKey = str(query, 'api_key');
    const result = await spendReport(db, {
      range,
      groupBy,
      apiKey: apiKey === undefined ? undefined : apiKeyHash(apiKey),
      internalUserId: str(query, 'internal_user_id'),
      teamId: str(query, 'team_id'),
      customerId: str(query, 'customer_id'),
    });
    return send(reply, query, result, 'spend-report');
  });

  app.get('/spend/logs', spend, async (req, reply) => {
    const query = q(req);
    return send(reply, query, await spendLogs(db, spendLogsOptions(query)), 'spend-logs');
  });

  app.get('/global/spend', spend, async (req, reply) => {
    const query = q(req);
    return send(
      reply,
      query,
      await globalSpend(db, rangeOrLastDays(query), deps.maxBudget ?? null),
      'global-spend',
    );
  });

  app.get('/global/spend/keys', spend, async (req, reply) => {
    const query = q(req);
    const limit = str(query, 'limit') === undefined ? undefined : intParam(query, 'limit', 10, 1, 100_000);
    return send(reply, query, await globalSpendKeys(db, rangeOrLastDays(query), limit), 'spend-keys');
  });

  app.get('/global/spend/models', spend, async (req, reply) => {
    const query = q(req);
    const limit = intParam(query, 'limit', 10, 1, 100_000);
    return send(reply, query, await globalSpendModels(db, rangeOrLastDays(query), limit), 'spend-models');
  });

  app.get('/global/spend/teams', spend, async (req, reply) => {
    const query = q(req);
    return send(reply, query, await globalSpendTeams(db, rangeOrLastDays(query)), 'spend-teams');
  });

  const endUsers = async (query: Query, reply: FastifyReply) => {
    const apiKey = str(query, 'api_key');
    const limit = intParam(query, 'limit', 100, 1, 100_000);
    const result = await globalSpendEndUsers(
      db,
      rangeOrLastDays(query),
      apiKey === undefined ? undefined : apiKeyHash(apiKey),
      limit,
    );
    return send(reply, query, result, 'spend-end-users');
  };
  app.get('/global/spend/end_users', spend, async (req, reply) => endUsers(q(req), reply));
  // LiteLLM's form: POST with an optional body {api_key, startTime, endTime}.
  app.post('/global/spend/end_users', spend, async (req, reply) => {
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const dateOf = (v: unknown) => (typeof v === 'string' && v.length >= 10 ? v.slice(0, 10) : undefined);
    const query: Query = {
      ...q(req),
      api_key: body.api_key ?? q(req).api_key,
      start_date: dateOf(body.startTime) ?? q(req).start_date,
      end_date: dateOf(body.endTime) ?? q(req).end_date,
    };
    return endUsers(query, reply);
  });

  app.get('/global/spend/tags', spend, async (req, reply) => {
    const query = q(req);
    return send(
      reply,
      query,
      await globalSpendTags(db, requiredRange(query), listParam(query, 'tags')),
      'spend-tags',
    );
  });

  app.get('/user/daily/activity', spend, async (req, reply) => {
    const query = q(req);
    const auth = req.auth;
    const requestedKey = str(query, 'api_key');
    let userId = str(query, 'user_id');
    let apiKey = requestedKey === undefined ? undefined : apiKeyHash(requestedKey);
    if (auth && !auth.isMaster) {
      // Non-admin callers see only their own spend: their user's, or their key's when it has no user.
      userId = auth.userId ?? undefined;
      if (!userId) apiKey = auth.keyHash;
    }
    const result = await dailyActivity(db, {
      range: requiredRange(query),
      userId,
      apiKey,
      model: str(query, 'model'),
      page: intParam(query, 'page', 1, 1, 1_000_000),
      pageSize: intParam(query, 'page_size', 50, 1, 1000),
    });
    return send(reply, query, result, 'daily-activity');
  });

  app.get('/spend/summary', spend, async (req, reply) => {
    const query = q(req);
    return send(reply, query, await spendSummary(db, summaryOptions(query)), 'spend-summary');
  });

  app.get('/spend/export/focus', spend, async (req, reply) => {
    const query = q(req);
    const table = await focusExport(db, requiredRange(query));
    if (str(query, 'format') === 'json') {
      const rows = table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i]])));
      return reply.type('application/json; charset=utf-8').send(stringifyExact(rows));
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', 'attachment; filename="focus-1.0.csv"')
      .send(toCsv(table));
  });

  registerSelfSpendRoutes(app, { db, send });
  const entityActivity =
    (kind: 'team' | 'tag' | 'customer', idsParam: string) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const query = q(req);
      const ids = listParam(query, idsParam) ?? (kind === 'team' ? listParam(query, 'team_id') : undefined);
      const exclude = kind === 'team' ? listParam(query, 'exclude_team_ids') : undefined;
      let meta: Map<string, Record<string, unknown>> | undefined;
      if (kind === 'team') {
        const r = await db.query<{ team_id: string; team_alias: string | null }>(
          'SELECT team_id, team_alias FROM tg_teams',
        );
        meta = new Map(r.rows.map((t) => [t.team_id, { team_alias: t.team_alias }]));
      } else if (kind === 'customer') {
        const r = await db.query<{ user_id: string; alias: string | null }>(
          'SELECT user_id, alias FROM tg_customers',
        );
        meta = new Map(r.rows.map((c) => [c.user_id, { alias: c.alias }]));
      }
      const apiKey = str(query, 'api_key');
      const result = await dailyActivity(db, {
        range: requiredRange(query),
        apiKey: apiKey === undefined ? undefined : apiKeyHash(apiKey),
        model: str(query, 'model'),
        page: intParam(query, 'page', 1, 1, 1_000_000),
        pageSize: intParam(query, 'page_size', 50, 1, 1000),
        entity: { kind, ids, exclude, meta },
      });
      return send(reply, query, result, `${kind}-daily-activity`);
    };
  app.get('/team/daily/activity', spend, entityActivity('team', 'team_ids'));
  app.get('/tag/daily/activity', spend, entityActivity('tag', 'tags'));
  app.get('/customer/daily/activity', spend, entityActivity('customer', 'end_user_ids'));

  app.get('/global/activity', spend, async (req, reply) => {
    const query = q(req);
    return send(
      reply,
      query,
      await globalActivity(db, rangeOrLastDays(query), str(query, 'model')),
      'global-activity',
    );
  });
  app.get('/global/spend/logs', spend, async (req, reply) => {
    const query = q(req);
    const apiKey = str(query, 'api_key');
    const result = await globalSpendLogs(
      db,
      rangeOrLastDays(query),
      apiKey === undefined ? undefined : apiKeyHash(apiKey),
    );
    return send(reply, query, result, 'global-spend-logs');
  });
  app.get('/spend/tags', spend, async (req, reply) => {
    const query = q(req);
    return send(reply, query, await spendTags(db, rangeOrLastDays(query)), 'spend-tags');
  });
  app.get('/spend/keys', spend, async (req, reply) => send(reply, q(req), await spendKeys(db), 'spend-keys'));
  app.get('/spend/users', spend, async (req, reply) => {
    const query = q(req);
    return send(reply, query, await spendUsers(db, str(query, 'user_id')), 'spend-users');
  });
  app.post('/spend/calculate', { config: { kind: 'info' as const } }, async (req, reply) => {
    if (!deps.calculate) throw badRequest('Spend calculation is not available.');
    const r = deps.calculate(req.body);
    return reply
      .type('application/json; charset=utf-8')
      .send(stringifyExact({ ...r, cost: exact(String(r.cost)) }));
  });

  app.post('/global/spend/reset', { config: { kind: 'admin' as const } }, async (req, reply) => {
    const who = actorOf(req.auth);
    await deps.resetAllSpend(who);
    deps.logger.info({ by: who }, 'global spend reset');
    return reply.type('application/json; charset=utf-8').send(RESET_RESPONSE);
  });
}
