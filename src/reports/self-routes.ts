/**
 * @module reports/self-routes
 * Spend a virtual key may read about itself, without get_spend_routes (kind 'key_info', like
 * /key/info): GET /key/spend/summary, /key/spend/logs and /key/spend/unpriced take the parameters
 * of /spend/summary, /spend/logs and /spend/unpriced, always narrowed to one key — the caller's
 * own (a virtual key's `?key=` must be itself, the auth hook checks it), or `?key=` for the master
 * key. Plus GET /spend/unpriced (kind 'spend'): unpriced requests across all keys.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '../access/fastify-types.js';
import type { RouteKind } from '../access/types.js';
import type { Db } from '../store/db.js';
import { apiKeyHash, badRequest, openRange, type Query, str } from './params.js';
import { spendLogsOptions, summaryOptions } from './query-options.js';
import { spendLogs } from './spend-logs.js';
import { spendSummary } from './summary.js';
import type { ReportResult } from './types.js';
import { unpricedSummary } from './unpriced.js';

export const SELF_SPEND_ROUTES: ReadonlyArray<{ method: 'GET'; url: string; kind: RouteKind }> = [
  { method: 'GET', url: '/spend/unpriced', kind: 'spend' },
  { method: 'GET', url: '/key/spend/summary', kind: 'key_info' },
  { method: 'GET', url: '/key/spend/logs', kind: 'key_info' },
  { method: 'GET', url: '/key/spend/unpriced', kind: 'key_info' },
];

export interface SelfRouteDeps {
  db: Db;
  send: (reply: FastifyReply, q: Query, result: ReportResult, name: string) => Promise<FastifyReply>;
}

/** The one key a /key/spend/* call reads: `?key=` (hash or raw), else the caller's own key. */
export function scopedKey(req: FastifyRequest): string {
  const q = (req.query ?? {}) as Query;
  const param = str(q, 'key');
  if (param !== undefined) return apiKeyHash(param);
  // The master key's own rows (logged under its hash) are read with ?key= like any other key's.
  if (req.auth?.keyHash && !req.auth.isMaster) return req.auth.keyHash;
  throw badRequest(
    'Pass the key to read: ?key=<key or its sha256 hash> (the master key has no spend of its own here; use /spend/* for all spend).',
    'key',
  );
}

export function registerSelfSpendRoutes(app: FastifyInstance, deps: SelfRouteDeps): void {
  const { db, send } = deps;
  const q = (req: FastifyRequest) => (req.query ?? {}) as Query;
  const spend = { config: { kind: 'spend' as const } };
  const keyInfo = { config: { kind: 'key_info' as const } };
  /** A filter naming another key would widen nothing, but refuse it: it is surely a mistake. */
  const noOtherKey = (query: Query, key: string) => {
    const other = str(query, 'api_key');
    if (other !== undefined && apiKeyHash(other) !== key) {
      throw badRequest('api_key must be the key this route reads (or be left out).', 'api_key');
    }
  };

  app.get('/spend/unpriced', spend, async (req, reply) => {
    const query = q(req);
    const apiKey = str(query, 'api_key');
    const result = await unpricedSummary(db, {
      range: openRange(query),
      apiKey: apiKey === undefined ? undefined : apiKeyHash(apiKey),
    });
    return send(reply, query, result, 'spend-unpriced');
  });

  app.get('/key/spend/summary', keyInfo, async (req, reply) => {
    const query = q(req);
    const key = scopedKey(req);
    noOtherKey(query, key);
    return send(
      reply,
      query,
      await spendSummary(db, { ...summaryOptions(query), apiKey: key }),
      'key-spend-summary',
    );
  });

  app.get('/key/spend/logs', keyInfo, async (req, reply) => {
    const query = q(req);
    const key = scopedKey(req);
    noOtherKey(query, key);
    return send(
      reply,
      query,
      await spendLogs(db, { ...spendLogsOptions(query), apiKey: key }),
      'key-spend-logs',
    );
  });

  app.get('/key/spend/unpriced', keyInfo, async (req, reply) => {
    const query = q(req);
    const key = scopedKey(req);
    return send(
      reply,
      query,
      await unpricedSummary(db, { range: openRange(query), apiKey: key }),
      'key-spend-unpriced',
    );
  });
}
