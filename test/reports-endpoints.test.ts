/**
 * Spend-report endpoints end to end (fastify inject), on PGlite and PostgreSQL: LiteLLM's response
 * shapes, exact money in the JSON text, filters, pagination, CSV, the reset route and route kinds.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext, RouteKind } from '../src/access/types.js';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import { logger } from '../src/logger.js';
import { parseExactJson } from '../src/pricing/exact-json.js';
import { REPORT_ROUTES, RESET_RESPONSE, registerReportRoutes } from '../src/reports/routes.js';
import { makeEvent } from '../src/reports/synthetic.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from './support/app.js';
import { createTestDatabase } from './support/services.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const A = sha('sk-aaa');
const B = sha('sk-bbb');
const C = sha('sk-ccc');

const masterAuth: AuthContext = {
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

const t = (iso: string) => Date.parse(iso);

async function seed(db: Db): Promise<void> {
  await db.query(`INSERT INTO tg_teams (team_id, team_alias) VALUES ('t1', 'Prod Team')`);
  await db.query(
    `INSERT INTO tg_keys (token_hash, key_name, key_alias, user_id, team_id) VALUES
     ($1, 'sk-...aaa', 'key-a', 'ishaan', 't1'), ($2, 'sk-...bbb', 'key-b', 'ishaan', NULL),
     ($3, 'sk-...ccc', 'key-c', 'other', 't1')`,
    [A, B, C],
  );
  const r = await writeSpendBatch(db, [
    makeEvent({
      requestId: 'r1',
      apiKey: A,
      user: 'ishaan',
      teamId: 't1',
      endUser: 'palantir',
      requestTags: ['jobA', 'prod'],
      model: 'gpt-4',
      modelGroup: 'gpt4',
      spend: '0.00123',
      promptTokens: 20,
      completionTokens: 8,
      totalTokens: 28,
      startTime: t('2024-04-30T10:00:00Z'),
    }),
    makeEvent({
      requestId: 'r2',
      apiKey: C,
      user: 'other',
      teamId: 't1',
      endUser: 'palantir',
      requestTags: ['prod'],
      model: 'gpt-4',
      modelGroup: 'gpt4',
      spend: '0.00123',
      promptTokens: 10,
      completionTokens: 18,
      totalTokens: 28,
      startTime: t('2024-04-30T11:00:00Z'),
    }),
    makeEvent({
      requestId: 'r3',
      apiKey: A,
      user: 'ishaan',
      teamId: 't1',
      model: 'chatgpt-v-2',
      modelGroup: 'chatgpt',
      provider: 'azure',
      spend: '0.000214',
      promptTokens: 100,
      completionTokens: 22,
      totalTokens: 122,
      startTime: t('2024-04-30T23:59:59.999Z'),
    }),
    makeEvent({
      requestId: 'r4',
      apiKey: B,
      user: 'ishaan',
      model: 'gpt-3.5-turbo',
      modelGroup: 'gpt35',
      spend: '0.0000825',
      promptTokens: 50,
      completionTokens: 35,
      totalTokens: 85,
      startTime: t('2024-04-30T12:00:00Z'),
    }),
    makeEvent({
      requestId: 'r5',
      apiKey: A,
      user: 'ishaan',
      teamId: 't1',
      model: 'gpt-4',
      modelGroup: 'gpt4',
      spend: '0.1',
      promptTokens: 1000,
      completionTokens: 500,
      totalTokens: 1500,
      startTime: t('2024-05-01T00:00:00Z'),
    }),
    makeEvent({
      requestId: 'r6',
      apiKey: A,
      user: 'ishaan',
      teamId: 't1',
      model: 'gpt-4',
      modelGroup: 'gpt4',
      spend: '0',
      status: 'failure',
      httpStatus: 503,
      startTime: t('2024-05-01T01:00:00Z'),
    }),
  ]);
  expect(r.inserted).toBe(6);
}

describe.each(['pglite', 'postgres'] as const)('report endpoints on %s', (kind) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  let app: FastifyInstance;
  const kinds: Record<string, RouteKind> = {};
  const resets: string[] = [];

  beforeAll(async () => {
    if (kind === 'postgres') {
      const tdb = await createTestDatabase();
      drop = tdb.drop;
      db = await openStore({ databaseUrl: tdb.url });
    } else {
      db = await openStore({});
    }
    await seed(db);
    app = buildTestApp({
      authenticate: () => masterAuth,
      authorizeRoute: (_auth, k, req) => {
        kinds[`${req.method} ${req.routeOptions.url}`] = k;
      },
    });
    registerReportRoutes(app, { db, logger, resetAllSpend: async (by) => void resets.push(by) });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await drop?.();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    return {
      res,
      body: String(res.headers['content-type']).includes('json') ? parseExactJson(res.body) : res.body,
    };
  };

  it('/global/spend/report group_by=team: LiteLLM shape, exact totals, Unassigned Team', async () => {
    const { res, body } = await get(
      '/global/spend/report?start_date=2024-04-30&end_date=2024-04-30&group_by=team',
    );
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/"total_spend" ?: ?0\.002674[,}]/);
    expect(body).toEqual([
      {
        group_by_day: '2024-04-30T00:00:00+00:00',
        teams: [
          {
            team_name: 'Prod Team',
            team_id: 't1',
            total_spend: '0.002674',
            metadata: [
              { model: 'gpt-4', spend: '0.00123', total_tokens: '28', api_key: A },
              { model: 'gpt-4', spend: '0.00123', total_tokens: '28', api_key: C },
              { model: 'chatgpt-v-2', spend: '0.000214', total_tokens: '122', api_key: A },
            ].sort((x, y) =>
              x.spend === y.spend ? (x.api_key < y.api_key ? -1 : 1) : x.spend < y.spend ? 1 : -1,
            ),
          },
          {
            team_name: 'Unassigned Team',
            team_id: null,
            total_spend: '0.0000825',
            metadata: [{ model: 'gpt-3.5-turbo', spend: '0.0000825', total_tokens: '85', api_key: B }],
          },
        ],
      },
    ]);
  });

  it('end_date is inclusive and group_by defaults to team', async () => {
    const { body } = await get('/global/spend/report?start_date=2024-04-30&end_date=2024-05-01');
    const days = body as { group_by_day: string; teams: { team_name: string; total_spend: string }[] }[];
    expect(days.map((d) => d.group_by_day)).toEqual([
      '2024-04-30T00:00:00+00:00',
      '2024-05-01T00:00:00+00:00',
    ]);
    expect(days[1].teams).toEqual([expect.objectContaining({ team_name: 'Prod Team', total_spend: '0.1' })]);
  });

  it('group_by=customer', async () => {
    const { body } = await get(
      '/global/spend/report?start_date=2024-04-30&end_date=2024-04-30&group_by=customer',
    );
    const day = (
      body as { customers: { customer: string | null; total_spend: string; metadata: unknown[] }[] }[]
    )[0];
    expect(day.customers.map((c) => [c.customer, c.total_spend, c.metadata.length])).toEqual([
      ['palantir', '0.00246', 2],
      [null, '0.0002965', 2],
    ]);
  });

  it('api_key=sk-… (hashed like the logs) and a hash give the per-key shape', async () => {
    for (const key of ['sk-aaa', A]) {
      const { body } = await get(
        `/global/spend/report?start_date=2024-04-01&end_date=2024-06-30&api_key=${key}`,
      );
      expect(body).toEqual([
        {
          api_key: A,
          total_cost: '0.101444',
          total_input_tokens: '1120',
          total_output_tokens: '530',
          model_details: [
            { model: 'gpt-4', total_cost: '0.10123', total_input_tokens: '1020', total_output_tokens: '508' },
            {
              model: 'chatgpt-v-2',
              total_cost: '0.000214',
              total_input_tokens: '100',
              total_output_tokens: '22',
            },
          ],
        },
      ]);
    }
  });

  it('internal_user_id= lists that user’s keys; group_by=api_key lists all keys by cost', async () => {
    const { body } = await get(
      '/global/spend/report?start_date=2024-04-01&end_date=2024-06-30&internal_user_id=ishaan',
    );
    expect((body as { api_key: string; total_cost: string }[]).map((k) => [k.api_key, k.total_cost])).toEqual(
      [
        [A, '0.101444'],
        [B, '0.0000825'],
      ],
    );
    const all = await get('/global/spend/report?start_date=2024-04-01&end_date=2024-06-30&group_by=api_key');
    expect((all.body as { api_key: string }[]).map((k) => k.api_key)).toEqual([A, C, B]);
  });

  it('bad input → 400 with a clear message', async () => {
    const cases: [string, RegExp][] = [
      [
        '/global/spend/report?start_date=2024-04-30&end_date=2024-04-01',
        /end_date 2024-04-01 is before start_date/,
      ],
      ['/global/spend/report?start_date=2024-04-31&end_date=2024-05-01', /Invalid start_date "2024-04-31"/],
      [
        '/global/spend/report?start_date=2024-04-30&end_date=2024-05-01&group_by=planet',
        /Unknown group_by "planet"/,
      ],
      ['/global/spend/report?end_date=2024-05-01', /provide start_date and end_date/],
      [
        '/global/spend/report?start_date=2024-04-30&end_date=2024-05-01&timezone=Nowhere/City',
        /Invalid timezone/,
      ],
      [
        '/spend/summary?start_date=2024-04-30&end_date=2024-05-01&group_by=tag,customer',
        /tag can be combined only/,
      ],
      ['/spend/summary?start_date=2024-04-30&end_date=2024-05-01&interval=year', /Invalid interval "year"/],
      ['/spend/logs?cursor=nonsense', /Invalid cursor/],
      ['/global/spend/keys?limit=0', /Invalid limit/],
      ['/global/spend/tags?start_date=2024-04-30', /provide start_date and end_date/],
    ];
    for (const [url, msg] of cases) {
      const res = await app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      const err = res.json() as { error: { message: string; type: string; code: string } };
      expect(err.error.type).toBe('invalid_request_error');
      expect(err.error.message).toMatch(msg);
    }
  });

  it('/spend/logs: newest first, keyset pages, filters, LiteLLM field names', async () => {
    const ids: string[] = [];
    let url = '/spend/logs?limit=4';
    for (;;) {
      const res = await app.inject({ method: 'GET', url });
      const page = parseExactJson(res.body) as { request_id: string }[];
      ids.push(...page.map((p) => p.request_id));
      const next = res.headers['x-tollgate-next-cursor'];
      if (!next) break;
      url = `/spend/logs?limit=4&cursor=${next}`;
    }
    expect(ids).toEqual(['r6', 'r5', 'r3', 'r4', 'r2', 'r1']);

    const one = (await get('/spend/logs?request_id=r1')).body as Record<string, unknown>[];
    expect(one).toHaveLength(1);
    expect(one[0]).toMatchObject({
      request_id: 'r1',
      api_key: A,
      spend: '0.00123',
      total_tokens: '28',
      prompt_tokens: '20',
      completion_tokens: '8',
      startTime: '2024-04-30T10:00:00.000000Z',
      model: 'gpt-4',
      model_group: 'gpt4',
      custom_llm_provider: 'openai',
      user: 'ishaan',
      team_id: 't1',
      end_user: 'palantir',
      request_tags: ['jobA', 'prod'],
      status: 'success',
    });
    const filt = async (qs: string) =>
      ((await get(`/spend/logs?${qs}`)).body as { request_id: string }[]).map((r) => r.request_id);
    expect(await filt('api_key=sk-aaa')).toEqual(['r6', 'r5', 'r3', 'r1']);
    expect(await filt('tags=prod')).toEqual(['r2', 'r1']);
    expect(await filt('tags=jobA,other')).toEqual(['r1']);
    expect(await filt('team_id=t1&model=gpt-4&start_date=2024-04-30&end_date=2024-04-30')).toEqual([
      'r2',
      'r1',
    ]);
    expect(await filt('end_user=palantir&user_id=other')).toEqual(['r2']);
    expect(await filt('start_date=2024-05-01&end_date=2024-05-01')).toEqual(['r6', 'r5']);
    expect(await filt('status=failure')).toEqual(['r6']);
    expect(await filt('model=gpt35')).toEqual(['r4']);
  });

  it('/spend/logs?format=csv', async () => {
    const res = await app.inject({ method: 'GET', url: '/spend/logs?format=csv&request_id=r3' });
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body.trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 4)).toEqual(['request_id', 'start_time', 'end_time', 'status']);
    expect(lines[1]).toContain('r3,2024-04-30T23:59:59.999000Z');
    expect(lines[1]).toContain(',0.000214,');
  });

  it('/global/spend, /keys, /models, /teams, /end_users, /tags', async () => {
    const range = 'start_date=2024-04-30&end_date=2024-05-01';
    expect((await get(`/global/spend?${range}`)).body).toEqual({ spend: '0.1027565', max_budget: null });
    expect((await get(`/global/spend/keys?${range}&limit=2`)).body).toEqual([
      { api_key: A, key_alias: 'key-a', key_name: 'sk-...aaa', team_id: 't1', total_spend: '0.101444' },
      { api_key: C, key_alias: 'key-c', key_name: 'sk-...ccc', team_id: 't1', total_spend: '0.00123' },
    ]);
    expect((await get(`/global/spend/models?${range}`)).body).toEqual([
      { model: 'gpt-4', total_spend: '0.10246' },
      { model: 'chatgpt-v-2', total_spend: '0.000214' },
      { model: 'gpt-3.5-turbo', total_spend: '0.0000825' },
    ]);
    expect((await get(`/global/spend/teams?${range}`)).body).toEqual({
      daily_spend: [
        { date: '2024-04-30', 'Prod Team': '0.002674', Unassigned: '0.0000825' },
        { date: '2024-05-01', 'Prod Team': '0.1' },
      ],
      teams: ['Prod Team', 'Unassigned'],
      total_spend_per_team: [
        { team_id: 'Prod Team', total_spend: '0.102674' },
        { team_id: 'Unassigned', total_spend: '0.0000825' },
      ],
    });
    expect((await get(`/global/spend/end_users?${range}`)).body).toEqual([
      { end_user: 'palantir', total_count: '2', total_spend: '0.00246' },
    ]);
    const post = await app.inject({
      method: 'POST',
      url: '/global/spend/end_users',
      payload: { api_key: C, startTime: '2024-04-30T00:00:00', endTime: '2024-05-01T00:00:00' },
    });
    expect(parseExactJson(post.body)).toEqual([
      { end_user: 'palantir', total_count: '1', total_spend: '0.00123' },
    ]);
    expect((await get(`/global/spend/tags?${range}`)).body).toEqual({
      spend_per_tag: [
        { name: 'prod', spend: '0.00246', log_count: '2' },
        { name: 'jobA', spend: '0.00123', log_count: '1' },
      ],
    });
    expect((await get(`/global/spend/tags?${range}&tags=jobA`)).body).toEqual({
      spend_per_tag: [{ name: 'jobA', spend: '0.00123', log_count: '1' }],
    });
    const csv = await app.inject({ method: 'GET', url: `/global/spend/tags?${range}&format=csv` });
    expect(csv.body).toBe('name,spend,log_count\r\nprod,0.00246,2\r\njobA,0.00123,1\r\n');
  });

  it('/user/daily/activity: LiteLLM SpendAnalyticsPaginatedResponse', async () => {
    const { body } = await get(
      '/user/daily/activity?start_date=2024-04-30&end_date=2024-05-01&user_id=ishaan&page_size=1',
    );
    const b = body as {
      results: {
        date: string;
        metrics: Record<string, string>;
        breakdown: Record<string, Record<string, unknown>>;
      }[];
      metadata: Record<string, unknown>;
    };
    expect(b.metadata).toMatchObject({
      total_spend: '0.1015265',
      total_api_requests: '5',
      total_failed_requests: '1',
      total_successful_requests: '4',
      page: '1',
      total_pages: '2',
      has_more: true,
    });
    expect(b.results).toHaveLength(1);
    expect(b.results[0].date).toBe('2024-05-01');
    expect(b.results[0].metrics).toMatchObject({ spend: '0.1', api_requests: '2', failed_requests: '1' });
    expect(Object.keys(b.results[0].breakdown).sort()).toEqual(
      ['api_keys', 'endpoints', 'entities', 'mcp_servers', 'model_groups', 'models', 'providers'].sort(),
    );
    expect(b.results[0].breakdown.api_keys[A]).toMatchObject({
      metadata: { key_alias: 'key-a', team_id: 't1', user_id: 'ishaan' },
    });
    const page2 = (
      await get(
        '/user/daily/activity?start_date=2024-04-30&end_date=2024-05-01&user_id=ishaan&page_size=1&page=2',
      )
    ).body as typeof b;
    expect(page2.results[0].date).toBe('2024-04-30');
    expect(page2.results[0].metrics.spend).toBe('0.0015265');
    expect(Object.keys(page2.results[0].breakdown.providers).sort()).toEqual(['azure', 'openai']);
  });

  it('/spend/summary: time series by team and model', async () => {
    const { body } = await get(
      '/spend/summary?start_date=2024-04-30&end_date=2024-05-01&group_by=team,model&interval=day',
    );
    expect(body).toMatchObject({
      interval: 'day',
      group_by: ['team', 'model'],
      periods: ['2024-04-30', '2024-05-01'],
      totals: { spend: '0.1027565', requests: '6', failed_requests: '1' },
    });
    const series = (
      body as {
        series: {
          group: Record<string, string | null>;
          labels: object;
          spend: string;
          data: { period: string; spend: string }[];
        }[];
      }
    ).series;
    expect(series[0]).toMatchObject({
      group: { team: 't1', model: 'gpt4' },
      labels: { team: 'Prod Team' },
      spend: '0.10246',
      data: [
        { period: '2024-04-30', spend: '0.00246' },
        { period: '2024-05-01', spend: '0.1' },
      ],
    });
    const tags = (
      await get('/spend/summary?start_date=2024-04-30&end_date=2024-05-01&group_by=tag&interval=month')
    ).body as {
      series: { group: { tag: string }; spend: string }[];
    };
    expect(tags.series.map((s) => [s.group.tag, s.spend])).toEqual([
      ['prod', '0.00246'],
      ['jobA', '0.00123'],
    ]);
  });

  it('POST /global/spend/reset answers LiteLLM’s body and records who; kinds are declared', async () => {
    const res = await app.inject({ method: 'POST', url: '/global/spend/reset' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(RESET_RESPONSE);
    expect(res.json()).toEqual({
      message: 'Spend for all API Keys and Teams reset successfully',
      status: 'success',
    });
    expect(resets).toEqual(['master_key']);
    // Every declared route exists with its declared kind (the auth hook saw it).
    for (const r of REPORT_ROUTES) {
      if (!kinds[`${r.method} ${r.url}`]) {
        await app.inject({ method: r.method, url: `${r.url}?start_date=2024-04-30&end_date=2024-04-30` });
      }
      expect(kinds[`${r.method} ${r.url}`], `${r.method} ${r.url}`).toBe(r.kind);
    }
    expect(REPORT_ROUTES.filter((r) => r.kind === 'admin').map((r) => r.url)).toEqual([
      '/global/spend/reset',
    ]);
  });
});
