/**
 * @module reports/query-options
 * Query parameters of /spend/logs and /spend/summary turned into report options, shared by the
 * global routes and the key-scoped /key/spend/* routes.
 */
import {
  apiKeyHash,
  badRequest,
  boolParam,
  formatParam,
  intParam,
  listParam,
  openRange,
  type Query,
  requiredRange,
  str,
} from './params.js';
import type { SpendLogsOptions } from './spend-logs.js';
import { parseDims, parseInterval, type SummaryOptions } from './summary.js';

export function statusParam(q: Query): 'success' | 'failure' | undefined {
  const v = str(q, 'status') ?? str(q, 'status_filter');
  if (v === undefined) return undefined;
  if (v === 'success' || v === 'failure') return v;
  throw badRequest(`Invalid status "${v}": expected success or failure.`, 'status');
}

/** GET /spend/logs parameters (also read by /key/spend/logs, with the key forced). */
export function spendLogsOptions(query: Query): SpendLogsOptions {
  const csv = formatParam(query) === 'csv';
  if (boolParam(query, 'summarize', false)) {
    throw badRequest(
      'summarize=true is not supported on /spend/logs: use /global/spend/report or /spend/summary for aggregates.',
      'summarize',
    );
  }
  const apiKey = str(query, 'api_key');
  return {
    range: openRange(query),
    apiKey: apiKey === undefined ? undefined : apiKeyHash(apiKey),
    userId: str(query, 'user_id'),
    endUser: str(query, 'end_user'),
    teamId: str(query, 'team_id'),
    requestId: str(query, 'request_id'),
    tags: listParam(query, 'tags'),
    model: str(query, 'model'),
    status: statusParam(query),
    unpriced: boolParam(query, 'unpriced', false),
    limit:
      str(query, 'limit') !== undefined
        ? intParam(query, 'limit', 100, 1, csv ? 100_000 : 1000)
        : intParam(query, 'page_size', 100, 1, csv ? 100_000 : 1000),
    cursor: str(query, 'cursor'),
  };
}

/** GET /spend/summary parameters (also read by /key/spend/summary, with the key forced). */
export function summaryOptions(query: Query): SummaryOptions {
  return {
    range: requiredRange(query),
    groupBy: parseDims(str(query, 'group_by')),
    interval: parseInterval(str(query, 'interval')),
  };
}
