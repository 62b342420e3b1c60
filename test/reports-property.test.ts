/**
 * Property: for random logs (teams, keys, customers, tags, days, spends with up to 24 decimals) and
 * a random inclusive date range in a random whole-hour time zone, every report total equals the
 * sum of the matching tg_spend_logs rows exactly (compared as exact decimal text), on PGlite and
 * PostgreSQL. Logs are written through the ledger's writeSpendBatch, so rollups are the real ones.
 */

import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../src/access/types.js';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import type { SpendEvent } from '../src/ledger/spend-event.js';
import { logger } from '../src/logger.js';
import { normalizeDecimal, parseExactJson } from '../src/pricing/exact-json.js';
import { addDays } from '../src/reports/params.js';
import { registerReportRoutes } from '../src/reports/routes.js';
import { makeEvent } from '../src/reports/synthetic.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from './support/app.js';
import { createTestDatabase } from './support/services.js';

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

const WINDOW_START = Date.parse('2024-03-07T00:00:00Z'); // spans the US DST change (2024-03-10)
const WINDOW_DAYS = 8;
const ZONES = ['UTC', 'America/New_York', 'Asia/Tokyo', 'Europe/Berlin', 'Australia/Brisbane'];
const KEYS = ['', 'a'.repeat(64), 'b'.repeat(64), 'c'.repeat(64)];
const MODELS: [string, string, string][] = [
  ['m1', 'g1', 'openai'],
  ['m2', 'g1', 'azure'],
  ['m3', 'g2', 'anthropic'],
];

const spendArb = fc
  .tuple(fc.integer({ min: 0, max: 50 }), fc.stringMatching(/^\d{0,24}$/))
  .map(([i, f]) => (f ? `${i}.${f}` : String(i)));

const eventArb = fc
  .record({
    team: fc.constantFrom(null, 'ta', 'tb', 'tc'),
    key: fc.constantFrom(...KEYS),
    user: fc.constantFrom(null, 'u1', 'u2'),
    endUser: fc.constantFrom(null, 'c1', 'c2'),
    tags: fc.subarray(['x', 'y', 'z']),
    model: fc.constantFrom(...MODELS),
    at: fc.integer({ min: 0, max: WINDOW_DAYS * 86_400_000 - 1 }),
    spend: spendArb,
    prompt: fc.integer({ min: 0, max: 5000 }),
    completion: fc.integer({ min: 0, max: 5000 }),
    failed: fc.boolean(),
  })
  .map(
    (r): Partial<SpendEvent> => ({
      apiKey: r.key,
      teamId: r.team,
      user: r.user,
      endUser: r.endUser,
      requestTags: r.tags,
      model: r.model[0],
      modelGroup: r.model[1],
      provider: r.model[2],
      startTime: WINDOW_START + r.at,
      spend: r.failed ? '0' : r.spend,
      promptTokens: r.prompt,
      completionTokens: r.completion,
      totalTokens: r.prompt + r.completion,
      status: r.failed ? 'failure' : 'success',
    }),
  );

const caseArb = fc.record({
  events: fc.array(eventArb, { minLength: 1, maxLength: 60 }),
  from: fc.integer({ min: 0, max: WINDOW_DAYS - 1 }),
  len: fc.integer({ min: 0, max: WINDOW_DAYS - 1 }),
  tz: fc.constantFrom(...ZONES),
});

const n = (s: unknown) => normalizeDecimal(String(s ?? '0'));
const sortRows = (rows: string[][]) => rows.map((r) => r.join('|')).sort();

describe.each(['pglite', 'postgres'] as const)('reports equal the spend logs exactly on %s', (kind) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  let app: FastifyInstance;
  let run = 0;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const t = await createTestDatabase();
      drop = t.drop;
      db = await openStore({ databaseUrl: t.url });
    } else {
      db = await openStore({});
    }
    await db.query(`INSERT INTO tg_teams (team_id, team_alias) VALUES ('ta', 'Team A'), ('tb', 'Team B')`);
    app = buildTestApp({ authenticate: () => masterAuth, authorizeRoute: () => {} });
    registerReportRoutes(app, { db, logger, resetAllSpend: async () => {} });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await drop?.();
  });

  const get = async (url: string) => {
    const res = await app.inject({ method: 'GET', url });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return parseExactJson(res.body);
  };

  it('for every report', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        run++;
        await db.exec('TRUNCATE tg_spend_logs, tg_spend_hourly, tg_spend_hourly_tags, tg_spend_totals');
        const events = c.events.map((e, i) => makeEvent({ ...e, requestId: `p${run}-${i}` }));
        expect((await writeSpendBatch(db, events)).inserted).toBe(events.length);

        const start = addDays('2024-03-07', c.from);
        const end = addDays(start, Math.min(c.len, WINDOW_DAYS - 1 - c.from));
        const qs = `start_date=${start}&end_date=${end}&timezone=${encodeURIComponent(c.tz)}`;
        // The truth, straight from the logs: local day of each log's (UTC) hour, inclusive range.
        const day = `(date_trunc('hour', start_time, 'UTC') AT TIME ZONE $3)::date`;
        const logs = async (select: string, group: string, extraFrom = '') =>
          (
            await db.query<Record<string, string>>(
              `SELECT ${select} FROM tg_spend_logs ${extraFrom} WHERE ${day} BETWEEN $1::date AND $2::date ${group ? `GROUP BY ${group}` : ''}`,
              [start, end, c.tz],
            )
          ).rows;

        // /global/spend/report group_by=team: per (day, team) totals and per (day, team, model, key) lines.
        const team = (await get(`/global/spend/report?${qs}&group_by=team`)) as {
          group_by_day: string;
          teams: {
            team_id: string | null;
            total_spend: string;
            metadata: { model: string; api_key: string; spend: string; total_tokens: string }[];
          }[];
        }[];
        const gotTeams = team.flatMap((d) =>
          d.teams.map((t) => [d.group_by_day.slice(0, 10), t.team_id ?? '', n(t.total_spend)]),
        );
        const wantTeams = await logs(
          `${day}::text AS d, coalesce(team_id, '') AS t, sum(spend)::text AS s`,
          '1, 2',
        );
        expect(sortRows(gotTeams)).toEqual(sortRows(wantTeams.map((r) => [r.d, r.t, n(r.s)])));
        const gotLines = team.flatMap((d) =>
          d.teams.flatMap((t) =>
            t.metadata.map((m) => [
              d.group_by_day.slice(0, 10),
              t.team_id ?? '',
              m.model,
              m.api_key,
              n(m.spend),
              m.total_tokens,
            ]),
          ),
        );
        const wantLines = await logs(
          `${day}::text AS d, coalesce(team_id, '') AS t, model, api_key, sum(spend)::text AS s, sum(total_tokens)::text AS tok`,
          '1, 2, 3, 4',
        );
        expect(sortRows(gotLines)).toEqual(
          sortRows(wantLines.map((r) => [r.d, r.t, r.model, r.api_key, n(r.s), r.tok])),
        );

        // group_by=customer
        const cust = (await get(`/global/spend/report?${qs}&group_by=customer`)) as {
          group_by_day: string;
          customers: { customer: string | null; total_spend: string }[];
        }[];
        const wantCust = await logs(
          `${day}::text AS d, coalesce(end_user, '') AS c, sum(spend)::text AS s`,
          '1, 2',
        );
        expect(
          sortRows(
            cust.flatMap((d) =>
              d.customers.map((x) => [d.group_by_day.slice(0, 10), x.customer ?? '', n(x.total_spend)]),
            ),
          ),
        ).toEqual(sortRows(wantCust.map((r) => [r.d, r.c, n(r.s)])));

        // group_by=api_key: per key and per key × model
        const keys = (await get(`/global/spend/report?${qs}&group_by=api_key`)) as {
          api_key: string;
          total_cost: string;
          total_input_tokens: string;
          model_details: { model: string; total_cost: string; total_output_tokens: string }[];
        }[];
        const wantKeys = await logs(`api_key, sum(spend)::text AS s, sum(prompt_tokens)::text AS p`, '1');
        expect(sortRows(keys.map((k) => [k.api_key, n(k.total_cost), k.total_input_tokens]))).toEqual(
          sortRows(wantKeys.map((r) => [r.api_key, n(r.s), r.p])),
        );
        const wantKeyModels = await logs(
          `api_key, model, sum(spend)::text AS s, sum(completion_tokens)::text AS o`,
          '1, 2',
        );
        expect(
          sortRows(
            keys.flatMap((k) =>
              k.model_details.map((m) => [k.api_key, m.model, n(m.total_cost), m.total_output_tokens]),
            ),
          ),
        ).toEqual(sortRows(wantKeyModels.map((r) => [r.api_key, r.model, n(r.s), r.o])));

        // /global/spend/tags
        const tags = (await get(`/global/spend/tags?${qs}`)) as {
          spend_per_tag: { name: string; spend: string; log_count: string }[];
        };
        const wantTags = await logs(
          `tg.tag, sum(spend)::text AS s, count(*)::text AS cnt`,
          '1',
          ', LATERAL jsonb_array_elements_text(request_tags) AS tg(tag)',
        );
        expect(sortRows(tags.spend_per_tag.map((t) => [t.name, n(t.spend), t.log_count]))).toEqual(
          sortRows(wantTags.map((r) => [r.tag, n(r.s), r.cnt])),
        );

        // /global/spend and /user/daily/activity totals
        const total = (await logs(`coalesce(sum(spend), 0)::text AS s, count(*)::text AS cnt`, ''))[0];
        expect(n(((await get(`/global/spend?${qs}`)) as { spend: string }).spend)).toBe(n(total.s));
        const act = (await get(`/user/daily/activity?${qs}&page_size=1000`)) as {
          results: { date: string; metrics: { spend: string } }[];
          metadata: { total_spend: string; total_api_requests: string };
        };
        expect(n(act.metadata.total_spend)).toBe(n(total.s));
        expect(act.metadata.total_api_requests).toBe(total.cnt);
        const wantDays = await logs(`${day}::text AS d, sum(spend)::text AS s`, '1');
        expect(sortRows(act.results.map((r) => [r.date, n(r.metrics.spend)]))).toEqual(
          sortRows(wantDays.map((r) => [r.d, n(r.s)])),
        );

        // /spend/summary by day × key × customer, and by week × tag
        const sum = (await get(`/spend/summary?${qs}&group_by=key,customer&interval=day`)) as {
          totals: { spend: string };
          series: {
            group: { key: string | null; customer: string | null };
            data: { period: string; spend: string }[];
          }[];
        };
        expect(n(sum.totals.spend)).toBe(n(total.s));
        const wantSum = await logs(
          `${day}::text AS d, api_key, coalesce(end_user, '') AS c, sum(spend)::text AS s`,
          '1, 2, 3',
        );
        expect(
          sortRows(
            sum.series.flatMap((s) =>
              s.data.map((p) => [p.period, s.group.key ?? '', s.group.customer ?? '', n(p.spend)]),
            ),
          ),
        ).toEqual(sortRows(wantSum.map((r) => [r.d, r.api_key, r.c, n(r.s)])));
      }),
      { numRuns: 15, seed: 20240507 },
    );
  });
});
