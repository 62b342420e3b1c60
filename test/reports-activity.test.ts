/**
 * The remaining LiteLLM spend endpoints on PostgreSQL, from fixed spend events (2024-05, UTC):
 * /team|tag|customer/daily/activity, /global/activity, /global/spend/logs, /spend/tags, /spend/keys,
 * /spend/users; and spend-log partitioning (rows land in their month's partition, replays stay
 * idempotent, retention drops whole months).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../src/access/types.js';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import { enforceSpendLogRetention } from '../src/ledger/spend-log-partitions.js';
import { logger } from '../src/logger.js';
import { parseExactJson } from '../src/pricing/exact-json.js';
import { registerReportRoutes } from '../src/reports/routes.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from './support/app.js';
import { makeSpendEvent } from './support/ledger-events.js';
import { createTestDatabase } from './support/services.js';

const master: AuthContext = {
  isMaster: true,
  openMode: false,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
};
const KEY_A = 'a'.repeat(64);
const KEY_B = 'b'.repeat(64);
const t = (iso: string) => Date.parse(iso);

let db: Db;
let drop: () => Promise<void>;
let app: ReturnType<typeof buildTestApp>;

const EVENTS = [
  // team t1, key A, tags [job:1, prod], customer c1
  makeSpendEvent({
    requestId: 'r1',
    apiKey: KEY_A,
    teamId: 't1',
    user: 'u1',
    endUser: 'c1',
    requestTags: ['job:1', 'prod'],
    spend: '0.1',
    promptTokens: 10,
    completionTokens: 5,
    totalTokens: 15,
    startTime: t('2024-05-01T10:00:00Z'),
    endTime: t('2024-05-01T10:00:01Z'),
  }),
  makeSpendEvent({
    requestId: 'r2',
    apiKey: KEY_A,
    teamId: 't1',
    user: 'u1',
    endUser: 'c1',
    requestTags: ['prod'],
    spend: '0.2',
    promptTokens: 20,
    completionTokens: 5,
    totalTokens: 25,
    startTime: t('2024-05-01T11:00:00Z'),
    endTime: t('2024-05-01T11:00:01Z'),
  }),
  // team t2, key B, customer c2, next day
  makeSpendEvent({
    requestId: 'r3',
    apiKey: KEY_B,
    teamId: 't2',
    user: 'u2',
    endUser: 'c2',
    requestTags: ['job:2'],
    spend: '0.0003',
    promptTokens: 1,
    completionTokens: 1,
    totalTokens: 2,
    startTime: t('2024-05-02T09:00:00Z'),
    endTime: t('2024-05-02T09:00:01Z'),
  }),
  // another month (partition 2024-06); a failure with spend 0
  makeSpendEvent({
    requestId: 'r4',
    apiKey: KEY_B,
    teamId: 't2',
    user: 'u2',
    endUser: null,
    requestTags: [],
    spend: '0',
    status: 'failure',
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    startTime: t('2024-06-03T09:00:00Z'),
    endTime: t('2024-06-03T09:00:01Z'),
  }),
];

beforeAll(async () => {
  const tdb = await createTestDatabase();
  drop = tdb.drop;
  db = await openStore({ databaseUrl: tdb.url });
  await db.query(`SELECT tg_spend_logs_ensure_partitions('2024-05-01', 1)`);
  await writeSpendBatch(db, EVENTS);
  await db.query(`INSERT INTO tg_teams (team_id, team_alias) VALUES ('t1', 'Team One'), ('t2', 'Team Two')`);
  await db.query(
    `INSERT INTO tg_keys (token_hash, key_alias, team_id, max_budget) VALUES ($1, 'key-a', 't1', 5), ($2, 'key-b', 't2', null)`,
    [KEY_A, KEY_B],
  );
  await db.query(`INSERT INTO tg_users (user_id, user_email) VALUES ('u1', 'u1@example.com'), ('u2', null)`);
  app = buildTestApp({ authenticate: () => master, authorizeRoute: () => {} });
  registerReportRoutes(app, { db, logger, resetAllSpend: async () => {} });
  await app.ready();
}, 60_000);
afterAll(async () => {
  await app?.close();
  await db?.close();
  await drop?.();
});

async function get(url: string): Promise<any> {
  const r = await app.inject({ method: 'GET', url });
  expect(r.statusCode, r.body).toBe(200);
  return parseExactJson(r.body);
}

describe('entity daily activity', () => {
  it('/team/daily/activity breaks each day down by team with team_alias, exact spend', async () => {
    const r = await get('/team/daily/activity?start_date=2024-05-01&end_date=2024-05-31');
    expect(r.metadata.total_spend).toBe('0.3003'); // 0.1 + 0.2 + 0.0003
    const may1 = r.results.find((d: any) => d.date === '2024-05-01');
    expect(may1.breakdown.entities.t1.metrics.spend).toBe('0.3'); // 0.1 + 0.2
    expect(may1.breakdown.entities.t1.metadata).toEqual({ team_alias: 'Team One' });
    expect(may1.breakdown.entities.t1.api_key_breakdown[KEY_A].metrics.api_requests).toBe('2');
    const only = await get('/team/daily/activity?start_date=2024-05-01&end_date=2024-05-31&team_ids=t2');
    expect(only.metadata.total_spend).toBe('0.0003');
    const excl = await get(
      '/team/daily/activity?start_date=2024-05-01&end_date=2024-05-31&exclude_team_ids=t2',
    );
    expect(excl.metadata.total_spend).toBe('0.3');
  });

  it('/tag/daily/activity counts a request once under each of its tags', async () => {
    const r = await get('/tag/daily/activity?start_date=2024-05-01&end_date=2024-05-31');
    const may1 = r.results.find((d: any) => d.date === '2024-05-01');
    expect(may1.breakdown.entities.prod.metrics.spend).toBe('0.3');
    expect(may1.breakdown.entities['job:1'].metrics.spend).toBe('0.1');
    const job2 = await get('/tag/daily/activity?start_date=2024-05-01&end_date=2024-05-31&tags=job:2');
    expect(job2.metadata.total_spend).toBe('0.0003');
  });

  it('/customer/daily/activity by end user', async () => {
    const r = await get('/customer/daily/activity?start_date=2024-05-01&end_date=2024-06-30');
    expect(r.metadata.total_spend).toBe('0.3003');
    const may2 = r.results.find((d: any) => d.date === '2024-05-02');
    expect(Object.keys(may2.breakdown.entities)).toEqual(['c2']);
  });
});

describe('global and list endpoints', () => {
  it('/global/activity, /global/spend/logs, /spend/tags', async () => {
    const a = await get('/global/activity?start_date=2024-05-01&end_date=2024-06-30');
    expect(a.daily_data).toEqual([
      { date: '2024-05-01', api_requests: '2', total_tokens: '40' },
      { date: '2024-05-02', api_requests: '1', total_tokens: '2' },
      { date: '2024-06-03', api_requests: '1', total_tokens: '0' },
    ]);
    expect(a.sum_api_requests).toBe('4');
    const logs = await get(`/global/spend/logs?start_date=2024-05-01&end_date=2024-06-30&api_key=${KEY_A}`);
    expect(logs).toEqual([{ date: '2024-05-01', spend: '0.3', total_requests: '2', api_key: KEY_A }]);
    const tags = await get('/spend/tags?start_date=2024-05-01&end_date=2024-05-31');
    expect(tags).toEqual([
      { individual_request_tag: 'prod', log_count: '2', total_spend: '0.3' },
      { individual_request_tag: 'job:1', log_count: '1', total_spend: '0.1' },
      { individual_request_tag: 'job:2', log_count: '1', total_spend: '0.0003' },
    ]);
  });

  it('/spend/keys and /spend/users list running spend', async () => {
    const keys = await get('/spend/keys');
    expect(keys.map((k: any) => [k.token, k.key_alias, k.spend, k.max_budget])).toEqual([
      [KEY_A, 'key-a', '0.3', '5'],
      [KEY_B, 'key-b', '0.0003', null],
    ]);
    const users = await get('/spend/users?user_id=u1');
    expect(users).toMatchObject([{ user_id: 'u1', user_email: 'u1@example.com', spend: '0.3' }]);
  });
});

describe('spend-log partitions', () => {
  it('rows sit in their month partition; a replay adds nothing; retention drops whole old months', async () => {
    const where = await db.query<{ p: string; id: string }>(
      `SELECT tableoid::regclass::text AS p, request_id AS id FROM tg_spend_logs ORDER BY request_id`,
    );
    expect(where.rows.map((r) => `${r.id}:${r.p}`)).toEqual([
      'r1:tg_spend_logs_p202405',
      'r2:tg_spend_logs_p202405',
      'r3:tg_spend_logs_p202405',
      'r4:tg_spend_logs_p202406',
    ]);
    expect(await writeSpendBatch(db, EVENTS)).toEqual({ inserted: 0, duplicates: 4 });
    // Retention 30 days at 2024-07-01: cutoff 2024-06-01T00:00Z; May (ends at the cutoff) is dropped
    // whole, June's row (06-03) is inside the retention and stays.
    const r = await enforceSpendLogRetention(db, 30 * 86_400_000, t('2024-07-01T00:00:00Z'));
    expect(r.droppedPartitions).toBe(1);
    const left = await db.query<{ id: string }>('SELECT request_id AS id FROM tg_spend_logs ORDER BY 1');
    expect(left.rows.map((x) => x.id)).toEqual(['r4']);
    // Rollups are kept: reports for May still answer.
    const a = await get('/global/activity?start_date=2024-05-01&end_date=2024-05-31');
    expect(a.sum_api_requests).toBe('3');
  });
});
