/**
 * Date semantics of the spend reports: inclusive end dates, UTC default, IANA time zones (DST,
 * whole-hour exactness, the documented half-hour approximation), default windows.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthContext } from '../src/access/types.js';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import { logger } from '../src/logger.js';
import { parseExactJson } from '../src/pricing/exact-json.js';
import { registerReportRoutes } from '../src/reports/routes.js';
import { makeEvent } from '../src/reports/synthetic.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from './support/app.js';
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

describe.each(['pglite', 'postgres'] as const)('report dates on %s', (kind) => {
  let db: Db;
  let drop: (() => Promise<void>) | undefined;
  let app: FastifyInstance;
  beforeAll(async () => {
    if (kind === 'postgres') {
      const t = await createTestDatabase();
      drop = t.drop;
      db = await openStore({ databaseUrl: t.url });
    } else {
      db = await openStore({});
    }
    const at = (iso: string, spend: string, id: string, tags: string[] = []) =>
      makeEvent({ requestId: id, spend, startTime: Date.parse(iso), teamId: 't', requestTags: tags });
    await writeSpendBatch(db, [
      at('2024-04-30T00:00:00Z', '1', 'd1'), // first instant of 04-30 UTC
      at('2024-04-30T23:59:59.999Z', '2', 'd2'), // last millisecond of 04-30 UTC
      at('2024-05-01T03:00:00Z', '4', 'd3'), // 04-30 23:00 in New York (-04:00)
      at('2024-04-30T18:40:00Z', '8', 'd4'), // 05-01 00:10 in Kolkata (+05:30), in the 18:00Z hour
      at('2024-03-10T04:30:00Z', '16', 'd5'), // 03-09 23:30 New York (EST, before the DST jump)
      at('2024-03-10T07:30:00Z', '32', 'd6', ['w']), // 03-10 03:30 New York (EDT)
      at(new Date(Date.now() - 3_600_000).toISOString(), '64', 'd7'), // an hour ago
      at(new Date(Date.now() - 40 * 86_400_000).toISOString(), '128', 'd8'), // 40 days ago
    ]);
    app = buildTestApp({ authenticate: () => master, authorizeRoute: () => {} });
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
    expect(res.statusCode, res.body).toBe(200);
    return parseExactJson(res.body);
  };
  const days = async (qs: string) =>
    (
      (await get(`/global/spend/report?${qs}`)) as {
        group_by_day: string;
        teams: { total_spend: string }[];
      }[]
    ).map((d) => [d.group_by_day, d.teams[0].total_spend]);

  it('start and end dates are inclusive whole days, UTC by default', async () => {
    expect(await days('start_date=2024-04-30&end_date=2024-04-30')).toEqual([
      ['2024-04-30T00:00:00+00:00', '11'],
    ]);
    expect(await days('start_date=2024-05-01&end_date=2024-05-01')).toEqual([
      ['2024-05-01T00:00:00+00:00', '4'],
    ]);
    const logs = (await get('/spend/logs?start_date=2024-04-30&end_date=2024-04-30')) as {
      request_id: string;
    }[];
    expect(logs.map((l) => l.request_id)).toEqual(['d2', 'd4', 'd1']);
  });

  it('buckets days in a whole-hour time zone exactly, with the offset of that day', async () => {
    expect(await days('start_date=2024-04-30&end_date=2024-04-30&timezone=America/New_York')).toEqual([
      ['2024-04-30T00:00:00-04:00', '14'], // d2 (19:59 local), d3 (23:00 local), d4 (14:40 local)
    ]);
    // Across the DST change: 03-09 is EST (-05:00), 03-10 starts in EST too.
    expect(await days('start_date=2024-03-09&end_date=2024-03-10&timezone=America/New_York')).toEqual([
      ['2024-03-09T00:00:00-05:00', '16'],
      ['2024-03-10T00:00:00-05:00', '32'],
    ]);
    const logs = (await get(
      '/spend/logs?start_date=2024-03-10&end_date=2024-03-10&timezone=America/New_York',
    )) as {
      request_id: string;
    }[];
    expect(logs.map((l) => l.request_id)).toEqual(['d6']);
    const tags = (await get(
      '/global/spend/tags?start_date=2024-03-10&end_date=2024-03-10&timezone=America/New_York',
    )) as {
      spend_per_tag: unknown[];
    };
    expect(tags.spend_per_tag).toEqual([{ name: 'w', spend: '32', log_count: '1' }]);
  });

  it('half-hour zones: rollup reports bucket whole UTC hours by the local date they start on; logs are exact', async () => {
    // d4 is 05-01 00:10 in Kolkata, but its UTC hour (18:00Z) starts at 04-30 23:30 local → reported on 04-30.
    expect(await days('start_date=2024-04-30&end_date=2024-04-30&timezone=Asia/Kolkata')).toEqual([
      ['2024-04-30T00:00:00+05:30', '9'], // d1 (05:30 local) + d4; d2 (05:29 on 05-01 local) is not in it
    ]);
    const logs = (await get(
      '/spend/logs?start_date=2024-05-01&end_date=2024-05-01&timezone=Asia/Kolkata',
    )) as {
      request_id: string;
    }[];
    expect(logs.map((l) => l.request_id)).toEqual(['d3', 'd2', 'd4']); // exact local times, all on 05-01
  });

  it('weekly and monthly periods start on Monday / the 1st in the requested zone', async () => {
    const week = (await get(
      '/spend/summary?start_date=2024-03-01&end_date=2024-05-02&interval=week&timezone=America/New_York',
    )) as {
      periods: string[];
      series: { data: { period: string; spend: string }[] }[];
    };
    expect(week.periods[0]).toBe('2024-02-26');
    expect(week.series[0].data.map((d) => [d.period, d.spend])).toEqual([
      ['2024-03-04', '48'], // 03-09 (Saturday) and 03-10 (Sunday) local belong to the week of Monday 03-04
      ['2024-04-29', '15'],
    ]);
    const month = (await get('/spend/summary?start_date=2024-03-01&end_date=2024-05-31&interval=month')) as {
      periods: string[];
      series: { data: { period: string; spend: string }[] }[];
    };
    expect(month.periods).toEqual(['2024-03-01', '2024-04-01', '2024-05-01']);
    expect(month.series[0].data.map((d) => [d.period, d.spend])).toEqual([
      ['2024-03-01', '48'],
      ['2024-04-01', '11'],
      ['2024-05-01', '4'],
    ]);
  });

  it('endpoints without dates default to the last 30 days (UTC), inclusive of today', async () => {
    expect(await get('/global/spend')).toEqual({ spend: '64', max_budget: null });
    expect(await get('/global/spend/keys')).toEqual([
      { api_key: '', key_alias: null, key_name: null, team_id: null, total_spend: '64' },
    ]);
  });
});
