/**
 * Re-pricing stored spend (issue 14) on PGlite and PostgreSQL: the diff report of a dry run, the apply
 * (rows, hourly/daily rollups, totals and the audit record together), idempotence, the budget rule for the
 * current period, and an interrupted run resumed. Every expected amount is a hand calculation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import type { SpendEvent } from '../src/ledger/spend-event.js';
import {
  formatMoney,
  PriceVersionRegistry,
  parseMoney,
  registerBuiltinVersions,
} from '../src/pricing/index.js';
import { diffReportCsv } from '../src/reprice/diff-report.js';
import { priceFileFromJson } from '../src/reprice/price-file.js';
import { planSlices, reprice, repriceRun } from '../src/reprice/reprice-run.js';
import type { Db } from '../src/store/db.js';
import { DB_KINDS, openTestDb, type TestDb } from './support/ledger-db.js';
import { ledgerMismatches, makeSpendEvent } from './support/ledger-events.js';

const JAN15 = Date.UTC(2025, 0, 15, 10, 30);
const gpt4o = { litellm_provider: 'openai', mode: 'chat' };
const NEGOTIATED = JSON.stringify({
  'gpt-4o': { ...gpt4o, input_cost_per_token: 0.000002, output_cost_per_token: 0.000008 },
});
const CHEAPER = JSON.stringify({
  'gpt-4o': { ...gpt4o, input_cost_per_token: 0.000001, output_cost_per_token: 0.000004 },
});

function ev(
  id: string,
  over: Partial<SpendEvent>,
  usage: { inputTokens: number; outputTokens: number },
): SpendEvent {
  return makeSpendEvent({
    requestId: id,
    startTime: JAN15,
    endTime: JAN15 + 100,
    deploymentId: 'dep-not-in-config',
    promptTokens: usage.inputTokens,
    completionTokens: usage.outputTokens,
    totalTokens: usage.inputTokens + usage.outputTokens,
    priceVersion: 'builtin@2025-11-21',
    usage: { ...usage, cacheReadTokens: 0, cacheWriteTokens: 0, durationMs: 100 },
    ...over,
  });
}

// Spend as the gateway stored it with the built-in catalog (gpt-4o 0.0000025 / 0.00001; claude-sonnet-4-5
// 0.000003 / 0.000015).
const EVENTS: SpendEvent[] = [
  // 1000 × 0.0000025 + 500 × 0.00001 = 0.0075
  ev(
    'r1',
    { spend: '0.0075', apiKey: 'k1', keyAlias: 'alice', teamId: 'team-a' },
    { inputTokens: 1000, outputTokens: 500 },
  ),
  // 2000 × 0.0000025 = 0.005
  ev(
    'r2',
    { spend: '0.005', apiKey: 'k2', keyAlias: 'bob', teamId: 'team-b' },
    { inputTokens: 2000, outputTokens: 0 },
  ),
  // custom prices of a deployment the config does not have: left alone
  ev(
    'r3',
    { spend: '0.01', pricingSource: 'custom', teamId: 'team-a' },
    { inputTokens: 1000, outputTokens: 0 },
  ),
  // 1000 × 0.000003 + 100 × 0.000015 = 0.0045 (not in the price file: keeps its price)
  ev(
    'r4',
    {
      spend: '0.0045',
      model: 'anthropic/claude-sonnet-4-5',
      provider: 'anthropic',
      modelGroup: 'claude',
      teamId: 'team-a',
    },
    { inputTokens: 1000, outputTokens: 100 },
  ),
  // outside the range (February)
  ev(
    'r5',
    { spend: '0.0075', startTime: Date.UTC(2025, 1, 10), endTime: Date.UTC(2025, 1, 10) + 1 },
    { inputTokens: 1000, outputTokens: 500 },
  ),
  // a row from before migration 007 (no stored usage): priced from its token columns
  {
    ...ev(
      'r6',
      { spend: '0.0025', apiKey: 'k1', keyAlias: 'alice', teamId: 'team-a' },
      { inputTokens: 1000, outputTokens: 0 },
    ),
    usage: null,
    priceVersion: null,
  },
];

function versions(): PriceVersionRegistry {
  const v = new PriceVersionRegistry();
  registerBuiltinVersions(v);
  return v;
}

const run = (db: Db, over: Partial<Parameters<typeof reprice>[0]> = {}) =>
  reprice({
    db,
    versions: versions(),
    targets: new Map(),
    from: '2025-01-01',
    to: '2025-01-31',
    prices: priceFileFromJson('negotiated.json', NEGOTIATED),
    dryRun: true,
    actor: 'test:finops',
    ...over,
  });

async function spendOf(db: Db, id: string): Promise<string> {
  return (
    await db.query<{ s: string }>('SELECT spend::text AS s FROM tg_spend_logs WHERE request_id = $1', [id])
  ).rows[0].s;
}
const money = (s: string) => formatMoney(parseMoney(s)); // NUMERIC text (0.00600) → shortest exact form
async function total(db: Db, type: string, id: string): Promise<string> {
  const r = await db.query<{ s: string }>(
    'SELECT spend::text AS s FROM tg_spend_totals WHERE entity_type = $1 AND entity_id = $2',
    [type, id],
  );
  return money(r.rows[0].s);
}

/**
 * Applies `over`, killed after its `killAt`-th chunk (as a crash between two chunks), and returns the id of
 * the run it left `running` — the only one.
 */
async function interruptedRun(
  db: Db,
  over: Partial<Parameters<typeof reprice>[0]>,
  killAt: number,
): Promise<string> {
  let chunks = 0;
  await expect(
    run(db, {
      ...over,
      onChunk: () => {
        if (++chunks === killAt) throw new Error('killed');
      },
    }),
  ).rejects.toThrow('killed');
  const pending = await db.query<{ id: string }>(`SELECT id FROM tg_reprice_runs WHERE status = 'running'`);
  expect(pending.rows).toHaveLength(1);
  return pending.rows[0].id;
}

/** tg_spend_daily agrees with the logs (the triggers followed the hourly updates). */
async function dailyMismatches(db: Db): Promise<string[]> {
  const r = await db.query<{ k: string }>(`
    WITH want AS (SELECT (start_time AT TIME ZONE 'UTC')::date AS day, api_key, model, sum(spend) AS spend
                  FROM tg_spend_logs GROUP BY 1, 2, 3),
         got AS (SELECT day, api_key, model, sum(spend) AS spend FROM tg_spend_daily GROUP BY 1, 2, 3)
    SELECT coalesce(w.day, g.day)::text || '/' || coalesce(w.api_key, g.api_key) AS k
    FROM want w FULL JOIN got g USING (day, api_key, model) WHERE w.spend IS DISTINCT FROM g.spend`);
  return r.rows.map((x) => x.k);
}

describe.each(DB_KINDS)('reprice on %s', (kind) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await openTestDb(kind);
    await writeSpendBatch(t.db, EVENTS);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('dry run: the diff report per key/team/model, exact; nothing written', async () => {
    const r = await run(t.db);
    // r1: 1000 × 0.000002 + 500 × 0.000008 = 0.006 (was 0.0075); r2: 2000 × 0.000002 = 0.004 (was 0.005);
    // r6: 1000 × 0.000002 = 0.002 (was 0.0025); r4 unchanged; r3 skipped; r5 outside.
    expect(r.rows).toEqual({ examined: 5, changed: 3, unchanged: 1, skipped: 1 });
    expect(r.totals).toEqual({ before: '0.015', after: '0.012', delta: '-0.003' });
    expect(r.by_team).toEqual([
      { dimension: 'team', id: 'team-a', rows: 2, before: '0.01', after: '0.008', delta: '-0.002' },
      { dimension: 'team', id: 'team-b', rows: 1, before: '0.005', after: '0.004', delta: '-0.001' },
    ]);
    expect(r.by_key[0]).toEqual({
      dimension: 'key',
      id: 'k1',
      label: 'alice',
      rows: 2,
      before: '0.01',
      after: '0.008',
      delta: '-0.002',
    });
    expect(r.by_model).toEqual([
      { dimension: 'model', id: 'openai/gpt-4o', rows: 3, before: '0.015', after: '0.012', delta: '-0.003' },
    ]);
    expect(Object.values(r.skipped_reasons)).toEqual([1]);
    expect(Object.keys(r.skipped_reasons)[0]).toMatch(/custom prices/);
    expect(diffReportCsv(r).split('\n')).toContain('team,team-b,,1,0.005,0.004,-0.001');
    expect(r.run_id).toBeNull();
    expect(await spendOf(t.db, 'r1')).toMatch(/^0\.00750*$/);
    const runs = await t.db.query('SELECT count(*)::int AS n FROM tg_reprice_runs');
    expect(runs.rows[0]).toEqual({ n: 0 });
  });

  it('apply: rows, rollups and totals together, with the audit record; then idempotent', async () => {
    const r = await run(t.db, { dryRun: false });
    expect(r.status).toBe('applied');
    expect(r.totals).toEqual({ before: '0.015', after: '0.012', delta: '-0.003' });
    expect(money(await spendOf(t.db, 'r1'))).toBe('0.006');
    expect(money(await spendOf(t.db, 'r6'))).toBe('0.002');
    expect(money(await spendOf(t.db, 'r3'))).toBe('0.01');
    const row = (
      await t.db.query<{
        price_version: string;
        pricing_source: string;
        cost_breakdown: { costUsd: string };
      }>('SELECT price_version, pricing_source, cost_breakdown FROM tg_spend_logs WHERE request_id = $1', [
        'r1',
      ])
    ).rows[0];
    expect(row.price_version).toMatch(/^file@2025-01-01T00:00:00\.000Z#[0-9a-f]{8}$/);
    expect(row.cost_breakdown.costUsd).toBe('0.006');
    expect(await ledgerMismatches(t.db)).toEqual([]);
    expect(await dailyMismatches(t.db)).toEqual([]);
    expect(await total(t.db, 'team', 'team-b')).toBe('0.004'); // r2 only
    // team-a: r1 0.006 + r3 0.01 + r4 0.0045 + r6 0.002 = 0.0225
    expect(await total(t.db, 'team', 'team-a')).toBe('0.0225');
    const audit = await repriceRun(t.db, r.run_id!);
    expect(audit).toMatchObject({
      created_by: 'test:finops',
      status: 'applied',
      rows_examined: 5,
      rows_changed: 3,
      spend_before: '0.015',
      spend_after: '0.012',
      params: { from: '2025-01-01', to: '2025-01-31', prices: { source: 'negotiated.json' } },
    });
    const again = await run(t.db, { dryRun: false });
    expect(again.rows.changed).toBe(0);
    expect(again.totals.delta).toBe('0');
    expect(await ledgerMismatches(t.db)).toEqual([]);
  });

  it('budgets: totals move only for rows of the current period (since the last reset)', async () => {
    // team-b was reset on Jan 20 (after r2): its current-period spend is 0 and stays 0; key k2 was never reset.
    await t.db.query(
      `UPDATE tg_spend_totals SET spend = 0, last_reset_at = '2025-01-20T00:00:00Z' WHERE entity_type = 'team' AND entity_id = 'team-b'`,
    );
    const r = await run(t.db, { dryRun: false, prices: priceFileFromJson('cheaper.json', CHEAPER) });
    // r2: 2000 × 0.000001 = 0.002 (was 0.004)
    expect(money(await spendOf(t.db, 'r2'))).toBe('0.002');
    expect(r.by_team.find((g) => g.id === 'team-b')?.delta).toBe('-0.002');
    expect(await total(t.db, 'team', 'team-b')).toBe('0');
    expect(await total(t.db, 'key', 'k2')).toBe('0.002');
  });

  it('an interrupted apply resumes from its cursor; every row re-priced exactly once', async () => {
    const many = Array.from({ length: 25 }, (_, i) =>
      ev(
        `m${String(i).padStart(2, '0')}`,
        {
          spend: '0.0025',
          apiKey: 'k9',
          teamId: 'team-m',
          startTime: Date.UTC(2025, 2, 1, 0, i),
          endTime: Date.UTC(2025, 2, 1, 0, i) + 1,
        },
        { inputTokens: 1000, outputTokens: 0 },
      ),
    );
    await writeSpendBatch(t.db, many);
    const id = await interruptedRun(
      t.db,
      { from: '2025-03-01', to: '2025-03-31', chunkSize: 10, dryRun: false },
      2,
    );
    expect(await repriceRun(t.db, id)).toMatchObject({ status: 'running', rows_changed: 20 });
    const resumed = await run(t.db, { dryRun: false, resume: id, from: '', to: '' });
    // 5 rows left; each 1000 × 0.000002 = 0.002 (was 0.0025)
    expect(resumed.rows.changed).toBe(5);
    const audit = await repriceRun(t.db, id);
    // 25 × 0.0025 = 0.0625 → 25 × 0.002 = 0.05
    expect(audit).toMatchObject({
      status: 'applied',
      rows_changed: 25,
      spend_before: '0.0625',
      spend_after: '0.05',
    });
    expect(await total(t.db, 'team', 'team-m')).toBe('0.05');
    // (team-b's total was reset by the previous test, on purpose)
    expect((await ledgerMismatches(t.db)).filter((m) => !m.startsWith('totals team/team-b'))).toEqual([]);
    expect(await dailyMismatches(t.db)).toEqual([]);
    await expect(run(t.db, { dryRun: false, resume: id })).rejects.toThrow(/already applied/);
  });

  it('an apply in parallel day slices re-prices every row once; interrupted, it resumes each slice', async () => {
    // 3 rows a day on April 1–6, 2025 for key k7, 0.0025 each (1000 input tokens at the built-in 0.0000025).
    const april = Array.from({ length: 18 }, (_, i) => {
      const at = Date.UTC(2025, 3, 1 + Math.floor(i / 3), 9, i);
      return ev(
        `a${String(i).padStart(2, '0')}`,
        { spend: '0.0025', apiKey: 'k7', teamId: 'team-p', startTime: at, endTime: at + 1 },
        { inputTokens: 1000, outputTokens: 0 },
      );
    });
    await writeSpendBatch(t.db, april);
    const sel = { from: '2025-04-01', to: '2025-04-30', chunkSize: 2, dryRun: false, workers: 3 } as const;
    const id = await interruptedRun(t.db, sel, 4);
    const slices = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM tg_reprice_run_slices WHERE run_id = $1',
      [id],
    );
    // PostgreSQL: three slices of two days each; PGlite has one connection, so one slice.
    expect(slices.rows[0].n).toBe(kind === 'postgres' ? 3 : 1);
    const before = (await repriceRun(t.db, id)) as { rows_changed: number };
    expect(before.rows_changed).toBeGreaterThan(0);
    expect(before.rows_changed).toBeLessThan(18);
    const resumed = await run(t.db, { dryRun: false, resume: id, from: '', to: '' });
    expect(resumed.rows.changed).toBe(18 - before.rows_changed);
    // 18 × 0.0025 = 0.045 → 18 × 1000 × 0.000002 = 0.036
    expect(await repriceRun(t.db, id)).toMatchObject({
      status: 'applied',
      rows_changed: 18,
      spend_before: '0.045',
      spend_after: '0.036',
    });
    expect(await total(t.db, 'team', 'team-p')).toBe('0.036');
    expect((await ledgerMismatches(t.db)).filter((m) => !m.startsWith('totals team/team-b'))).toEqual([]);
    expect(await dailyMismatches(t.db)).toEqual([]);
  });

  it('bad selections are refused with a reason', async () => {
    await expect(run(t.db, { from: '2025-13-01' })).rejects.toThrow(/YYYY-MM-DD/);
    await expect(run(t.db, { from: '2025-02-01', to: '2025-01-01' })).rejects.toThrow(/before/);
    await expect(run(t.db, { dryRun: false, workers: Number('two') })).rejects.toThrow(/--workers/);
    await expect(run(t.db, { dryRun: false, workers: 0 })).rejects.toThrow(/--workers/);
    expect(() => priceFileFromJson('x', '[1]')).toThrow(/JSON object/);
  });
});

describe('planSlices (day-aligned, balanced by rows)', () => {
  const day = (d: number) => Date.UTC(2025, 3, d);
  it('cuts at day boundaries so that slices hold about equal rows', () => {
    const days = [1, 2, 3, 4, 5, 6].map((d) => ({ dayMs: day(d), rows: 10 }));
    expect(planSlices(days, day(1), day(31), 3)).toEqual([
      { fromMs: day(1), toMs: day(3) },
      { fromMs: day(3), toMs: day(5) },
      { fromMs: day(5), toMs: day(31) },
    ]);
  });
  it('a busy day gets a slice of its own; never more slices than days with rows', () => {
    const days = [
      { dayMs: day(1), rows: 5 },
      { dayMs: day(2), rows: 100 },
      { dayMs: day(9), rows: 5 },
    ];
    expect(planSlices(days, day(1), day(10), 2)).toEqual([
      { fromMs: day(1), toMs: day(9) },
      { fromMs: day(9), toMs: day(10) },
    ]);
    expect(planSlices(days.slice(0, 1), day(1), day(10), 4)).toEqual([{ fromMs: day(1), toMs: day(10) }]);
    expect(planSlices([], day(1), day(10), 4)).toEqual([{ fromMs: day(1), toMs: day(10) }]);
  });
  it('the slices cover the selection exactly, without gaps or overlaps', () => {
    const days = Array.from({ length: 30 }, (_, i) => ({ dayMs: day(i + 1), rows: 1 + ((i * 7) % 13) }));
    for (const w of [1, 2, 3, 5, 8]) {
      const s = planSlices(days, day(1), day(31), w);
      expect(s.length).toBeLessThanOrEqual(w);
      expect(s[0].fromMs).toBe(day(1));
      expect(s[s.length - 1].toMs).toBe(day(31));
      for (let i = 1; i < s.length; i++) expect(s[i].fromMs).toBe(s[i - 1].toMs);
    }
  });
});
