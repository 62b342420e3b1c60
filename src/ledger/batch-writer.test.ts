import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DB_KINDS, openTestDb, type TestDb } from '../../test/support/ledger-db.js';
import {
  expectedTotals,
  ledgerMismatches,
  makeSpendEvent,
  prng,
  randomSpendEvents,
  sumSpend,
} from '../../test/support/ledger-events.js';
import { parseMoney } from '../pricing/money.js';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import { getSpendLog, writeSpendBatch } from './batch-writer.js';
import { SpendEventError } from './spend-row.js';

async function clear(db: Db) {
  await db.exec('TRUNCATE tg_spend_logs, tg_spend_totals, tg_spend_hourly, tg_spend_hourly_tags');
}

async function totals(db: Db): Promise<Map<string, { spend: string; count: number }>> {
  const r = await db.query<{ entity_type: string; entity_id: string; spend: string; request_count: string }>(
    'SELECT entity_type, entity_id, spend::text AS spend, request_count FROM tg_spend_totals',
  );
  return new Map(
    r.rows.map((x) => [
      `${x.entity_type}|${x.entity_id}`,
      { spend: x.spend, count: Number(x.request_count) },
    ]),
  );
}

describe.each(DB_KINDS)('writeSpendBatch on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
  });
  afterAll(async () => {
    await t.close();
  });
  beforeEach(async () => {
    await clear(t.db);
  });

  it('is idempotent by request_id: the same batch twice gives one row each and totals once', async () => {
    const events = [
      makeSpendEvent({ requestId: 'a', spend: '0.1' }),
      makeSpendEvent({ requestId: 'b', spend: '0.2' }),
    ];
    expect(await writeSpendBatch(t.db, events)).toEqual({ inserted: 2, duplicates: 0 });
    expect(await writeSpendBatch(t.db, events)).toEqual({ inserted: 0, duplicates: 2 });
    // Overlapping batch + a duplicate inside the batch: only 'c' is new.
    const c = makeSpendEvent({ requestId: 'c', spend: '0.3' });
    expect(await writeSpendBatch(t.db, [events[0], c, c])).toEqual({ inserted: 1, duplicates: 2 });

    const n = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs');
    expect(n.rows[0].n).toBe(3);
    const tot = await totals(t.db);
    expect(tot.get(`key|${'a'.repeat(64)}`)).toEqual({ spend: '0.6', count: 3 });
    expect(tot.get('team|team-1')).toEqual({ spend: '0.6', count: 3 });
    const h = await t.db.query<{ spend: string; requests: string }>(
      'SELECT spend::text AS spend, requests FROM tg_spend_hourly',
    );
    expect(h.rows).toEqual([{ spend: '0.6', requests: expect.anything() }]);
    expect(Number(h.rows[0].requests)).toBe(3);
    expect(await ledgerMismatches(t.db)).toEqual([]);
  });

  it('rolls up per key, user, team, end user and tag, skipping empty ones, tags counted once per request', async () => {
    await writeSpendBatch(t.db, [
      makeSpendEvent({
        requestId: 'r1',
        apiKey: 'h1',
        user: 'alice',
        teamId: 'T',
        endUser: 'palantir',
        requestTags: ['x', 'y', 'x'],
        spend: '0.000000000000000000000001',
      }),
      makeSpendEvent({
        requestId: 'r2',
        apiKey: '',
        user: null,
        teamId: '',
        endUser: null,
        requestTags: [],
        spend: '1.5',
      }),
      makeSpendEvent({
        requestId: 'r3',
        apiKey: 'h1',
        user: 'alice',
        teamId: null,
        endUser: 'acme',
        requestTags: ['x'],
        spend: '2',
      }),
    ]);
    const tot = await totals(t.db);
    expect(Object.fromEntries(tot)).toEqual({
      'key|h1': { spend: '2.000000000000000000000001', count: 2 },
      'user|alice': { spend: '2.000000000000000000000001', count: 2 },
      'team|T': { spend: '0.000000000000000000000001', count: 1 },
      'end_user|palantir': { spend: '0.000000000000000000000001', count: 1 },
      'end_user|acme': { spend: '2', count: 1 },
      'tag|x': { spend: '2.000000000000000000000001', count: 2 },
      'tag|y': { spend: '0.000000000000000000000001', count: 1 },
    });
    const tags = await t.db.query<{ tag: string; spend: string; requests: string }>(
      'SELECT tag, spend::text AS spend, requests FROM tg_spend_hourly_tags ORDER BY tag, spend',
    );
    expect(tags.rows.map((r) => [r.tag, r.spend, Number(r.requests)])).toEqual([
      ['x', '0.000000000000000000000001', 1],
      ['x', '2', 1],
      ['y', '0.000000000000000000000001', 1],
    ]);
    // '' for "none" in the hourly dimensions.
    const h = await t.db.query<{ api_key: string; user: string; team_id: string; end_user: string }>(
      `SELECT api_key, "user", team_id, end_user FROM tg_spend_hourly WHERE spend = 1.5`,
    );
    expect(h.rows).toEqual([{ api_key: '', user: '', team_id: '', end_user: '' }]);
    expect(await ledgerMismatches(t.db)).toEqual([]);
  });

  it('logs failures with zero spend and counts them in the hourly failed_requests', async () => {
    await writeSpendBatch(t.db, [
      makeSpendEvent({ requestId: 'ok', spend: '0.25' }),
      makeSpendEvent({
        requestId: 'bad',
        spend: '0',
        status: 'failure',
        errorType: 'upstream_error',
        errorMessage: '502 from upstream',
        httpStatus: 502,
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
      }),
    ]);
    const row = await getSpendLog(t.db, 'bad');
    expect(row).toMatchObject({
      status: 'failure',
      spend: '0',
      error_type: 'upstream_error',
      http_status: 502,
    });
    const h = await t.db.query<{ spend: string; requests: string; failed_requests: string }>(
      'SELECT spend::text AS spend, requests, failed_requests FROM tg_spend_hourly',
    );
    expect(h.rows.map((r) => [r.spend, Number(r.requests), Number(r.failed_requests)])).toEqual([
      ['0.25', 2, 1],
    ]);
  });

  it('buckets by UTC hour whatever the session time zone', async () => {
    // A session in UTC+05:30: date_trunc on timestamptz would cut at :30 local half-hours.
    let db = t.db;
    if (kind === 'pglite') await db.exec(`SET TIME ZONE 'Asia/Kolkata'`);
    else
      db = await openStore({
        databaseUrl: `${t.url}?options=-c%20TimeZone%3DAsia%2FKolkata`,
        migrate: false,
      });
    try {
      const tz = await db.query<{ tz: string }>('SELECT current_setting($1) AS tz', ['TimeZone']);
      expect(tz.rows[0].tz).toBe('Asia/Kolkata');
      await writeSpendBatch(db, [
        makeSpendEvent({ requestId: 'tz', startTime: Date.UTC(2025, 5, 1, 23, 59, 59, 999), spend: '1' }),
      ]);
      const r = await db.query<{ hour: string }>(
        `SELECT to_char(hour AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS hour FROM tg_spend_hourly`,
      );
      expect(r.rows).toEqual([{ hour: '2025-06-01T23:00:00' }]);
    } finally {
      if (kind === 'pglite') await db.exec('SET TIME ZONE UTC');
      else await db.close();
    }
  });

  it('getSpendLog returns the row in the LiteLLM-like shape, exact spend, hashed key', async () => {
    const e = makeSpendEvent({
      requestId: 'shape',
      spend: '0.00042000',
      apiKey: 'f'.repeat(64),
      requestTags: ['jobID:214590dsff09fds', 'taskName:run_page_classification'],
      endUser: 'palantir',
      metadata: { foo: 'bar', nested: { n: 1 } },
      cacheReadTokens: 5,
      stream: true,
      estimated: true,
    });
    await writeSpendBatch(t.db, [e]);
    const row = await getSpendLog(t.db, 'shape');
    expect(row).toMatchObject({
      request_id: 'shape',
      call_type: 'chat',
      api_key: 'f'.repeat(64),
      spend: '0.00042',
      prompt_tokens: 10,
      completion_tokens: 20,
      total_tokens: 30,
      cache_read_input_tokens: 5,
      model: 'openai/gpt-4o',
      model_group: 'gpt-4o',
      model_id: 'dep-1',
      custom_llm_provider: 'openai',
      api_base: 'https://api.openai.com/v1',
      user: 'user-1',
      team_id: 'team-1',
      end_user: 'palantir',
      request_tags: ['jobID:214590dsff09fds', 'taskName:run_page_classification'],
      metadata: { foo: 'bar', nested: { n: 1 } },
      status: 'success',
      stream: true,
      estimated: true,
      pricing_source: 'catalog:gpt-4o@test',
      unit_prices: { input_cost_per_token: '0.0000025', output_cost_per_token: '0.00001' },
      startTime: new Date(e.startTime).toISOString(),
      endTime: new Date(e.endTime).toISOString(),
      messages: null,
      response: null,
    });
    expect(await getSpendLog(t.db, 'missing')).toBeNull();
  });

  it('stores text PostgreSQL would reject (NUL, lone surrogates) and refuses a non-decimal spend', async () => {
    await writeSpendBatch(t.db, [
      makeSpendEvent({
        requestId: 'nul',
        metadata: { a: 'x\u0000y', b: '\ud800', c: '\\u0000' },
        endUser: 'e\u0000',
      }),
    ]);
    const row = await getSpendLog(t.db, 'nul');
    expect(row?.metadata).toEqual({ a: 'x\ufffdy', b: '\ufffd', c: '\\u0000' });
    expect(row?.end_user).toBe('e\ufffd');
    await expect(writeSpendBatch(t.db, [makeSpendEvent({ spend: 'NaN' })])).rejects.toBeInstanceOf(
      SpendEventError,
    );
    await expect(writeSpendBatch(t.db, [makeSpendEvent({ requestId: '' })])).rejects.toBeInstanceOf(
      SpendEventError,
    );
  });

  it('randomized: logs, totals, hourly and tag rollups agree exactly (NUMERIC in SQL, BigInt in JS)', async () => {
    const events = randomSpendEvents(3000, 20250301);
    const rnd = prng(42);
    // Write in random-size batches, re-sending random earlier slices (replays) along the way.
    let i = 0;
    let inserted = 0;
    while (i < events.length) {
      const size = 1 + Math.floor(rnd() * 400);
      const batch = events.slice(i, i + size);
      if (i > 0 && rnd() < 0.4) {
        const from = Math.floor(rnd() * i);
        batch.push(...events.slice(from, from + Math.floor(rnd() * 50)));
      }
      inserted += (await writeSpendBatch(t.db, batch)).inserted;
      i += size;
    }
    expect(inserted).toBe(events.length);

    expect(await ledgerMismatches(t.db)).toEqual([]);

    const want = expectedTotals(events);
    const got = await totals(t.db);
    expect(got.size).toBe(want.size);
    for (const [k, w] of want) {
      const g = got.get(k);
      expect(g, k).toBeDefined();
      expect(parseMoney(g!.spend), k).toBe(w.spend);
      expect(g!.count, k).toBe(w.count);
    }
    const sum = await t.db.query<{ logs: string; hourly: string }>(
      `SELECT (SELECT sum(spend) FROM tg_spend_logs)::text AS logs, (SELECT sum(spend) FROM tg_spend_hourly)::text AS hourly`,
    );
    expect(parseMoney(sum.rows[0].logs)).toBe(parseMoney(sumSpend(events)));
    expect(parseMoney(sum.rows[0].hourly)).toBe(parseMoney(sumSpend(events)));
    const failed = await t.db.query<{ n: string }>(
      'SELECT sum(failed_requests)::text AS n FROM tg_spend_hourly',
    );
    expect(Number(failed.rows[0].n)).toBe(events.filter((e) => e.status === 'failure').length);
  });

  if (kind === 'postgres') {
    it('concurrent writers with overlapping request ids still write each row and its rollups once', async () => {
      const events = randomSpendEvents(1200, 99);
      const writes = [];
      for (let w = 0; w < 6; w++) {
        // Each writer sends an overlapping window, in its own order.
        const slice = events.slice(w * 150, w * 150 + 450);
        writes.push(writeSpendBatch(t.db, w % 2 ? slice.reverse() : slice));
      }
      const res = await Promise.all(writes);
      const covered = new Set(events.slice(0, 5 * 150 + 450).map((e) => e.requestId));
      expect(res.reduce((a, r) => a + r.inserted, 0)).toBe(covered.size);
      expect(await ledgerMismatches(t.db)).toEqual([]);
    });
  }
});
