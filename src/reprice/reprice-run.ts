/**
 * @module reprice/reprice-run
 * Re-prices stored spend rows with another price set: a diff report (dry run), or an apply that updates the
 * rows, the hourly/daily rollups and the running totals together, chunk by chunk, each chunk in ONE
 * statement (one transaction) with the run's audit record (who, when, which prices, before/after sums,
 * cursor). Idempotent (a row already at its new price is left alone; a row whose spend changed since it was
 * read is not touched) and resumable (`resume: runId` continues after the recorded cursors).
 *
 * On PostgreSQL an apply splits the selection into day-aligned slices of about equal row counts and applies
 * them at the same time (`workers`, default 2), each with its own cursor (tg_reprice_run_slices). Slices
 * share no row-level rollup: hours and UTC days belong to one slice; only the running totals are common,
 * and every chunk takes their locks in key order, so slices wait on each other there but cannot deadlock.
 *
 * Budgets' current-period spend: tg_spend_totals moves by a row's delta only when the row started at or
 * after the entity's last reset (its current budget period); earlier rows change history (logs, rollups,
 * reports) but not the spend a budget counts now.
 */
import { randomBytes } from 'node:crypto';
import {
  formatMoney,
  type Money,
  type PriceVersionRegistry,
  type PricingTarget,
  parseMoney,
} from '../pricing/index.js';
import type { Db } from '../store/db.js';
import { DiffAccumulator, type DiffReport } from './diff-report.js';
import { type PriceFile, registerPriceFile } from './price-file.js';
import { createRepricer, repricedColumns, type StoredRow } from './repricer.js';

export interface RepriceSelection {
  /** YYYY-MM-DD (UTC), inclusive. */
  from: string;
  /** YYYY-MM-DD (UTC), inclusive. */
  to: string;
  /** Deployment model or model group. */
  model?: string;
  team?: string;
}

export interface RepriceOptions extends RepriceSelection {
  db: Db;
  /** Price versions (built-in snapshots, cost maps…); a price file is registered into it for the range. */
  versions: PriceVersionRegistry;
  /** Config deployments by id. */
  targets: ReadonlyMap<string, PricingTarget>;
  prices?: PriceFile;
  dryRun: boolean;
  /** Who asked (audit). Never a secret. */
  actor: string;
  /** Continue an interrupted run (its selection and prices are taken from the audit record). */
  resume?: string;
  /** Rows per chunk (default 10,000). */
  chunkSize?: number;
  /** Slices applied at the same time (PostgreSQL; default 2). PGlite has one connection: always 1. */
  workers?: number;
  /** Called after each chunk (progress; tests use it to interrupt). */
  onChunk?: (done: { examined: number; changed: number }) => void;
}

export interface RepriceResult extends DiffReport {
  run_id: string | null;
  dry_run: boolean;
  status: 'dry_run' | 'applied';
  selection: RepriceSelection;
  prices: { source: string; sha256: string } | null;
  /** Warnings of the price file (invalid entries skipped). */
  warnings: string[];
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function selectionBounds(s: RepriceSelection): { fromMs: number; toMs: number } {
  for (const [k, v] of [
    ['from', s.from],
    ['to', s.to],
  ] as const) {
    if (!DATE.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`)))
      throw new RangeError(`--${k} must be a date YYYY-MM-DD, got "${v}"`);
  }
  const fromMs = Date.parse(`${s.from}T00:00:00Z`);
  const toMs = Date.parse(`${s.to}T00:00:00Z`) + 86_400_000;
  if (toMs <= fromMs) throw new RangeError(`--to (${s.to}) is before --from (${s.from})`);
  return { fromMs, toMs };
}

interface Row extends StoredRow {
  start_iso: string;
  api_key: string;
  key_alias: string | null;
  team_id: string | null;
}

const READ_SQL = (filters: string) => `
SELECT request_id, to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS start_iso,
  api_key, key_alias, team_id, deployment_id, model, provider, pricing_source, price_version, spend::text AS spend,
  usage, prompt_tokens, completion_tokens, cache_read_tokens, cache_creation_tokens, reasoning_tokens, duration_ms
FROM tg_spend_logs
WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz AND status = 'success'
  AND (start_time, request_id) > ($3::timestamptz, $4::text) ${filters}
ORDER BY start_time, request_id
LIMIT $5`;

const HOUR = `date_trunc('hour', l.start_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/**
 * One chunk, one statement: rows, hourly and per-tag rollups (the daily ones follow by trigger), running
 * totals of the current period, and the slice's progress. Binds: $1 the rows (JSON), $2 run id, $3/$4 the
 * cursor after the chunk (its last row), $5 rows examined, $6 the chunk's first start time, $7 the slice. `l.spend = s.old_spend` makes it safe against a row
 * that changed since it was read (it is left for the next run). The rollups and totals are adjusted with
 * INSERT … ON CONFLICT DO UPDATE ordered by key, like the ledger's batch writer, so a re-pricing and live
 * batch writes (or two re-pricings) take row locks in one global order and cannot deadlock.
 */
export const APPLY_CHUNK_SQL = `
WITH s AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(request_id text, start_time timestamptz, old_spend text, spend text,
    unit_prices jsonb, cost_breakdown jsonb, pricing_source text, price_version text, unpriced_parts jsonb)
  ORDER BY request_id
), upd AS (
  UPDATE tg_spend_logs l SET spend = s.spend::numeric, unit_prices = s.unit_prices,
    cost_breakdown = s.cost_breakdown, pricing_source = s.pricing_source, price_version = s.price_version,
    unpriced_parts = s.unpriced_parts
  -- The whole key (and the chunk's time range): the row is looked up in its own monthly partition only.
  FROM s WHERE l.request_id = s.request_id AND l.start_time = s.start_time
    AND l.start_time >= $6::timestamptz AND l.start_time <= $3::timestamptz AND l.spend = s.old_spend::numeric
  RETURNING l.request_id, l.api_key, coalesce(l."user", '') AS "user", coalesce(l.team_id, '') AS team_id,
    coalesce(l.end_user, '') AS end_user, l.request_tags, l.model_group, l.model, l.provider, l.start_time,
    ${HOUR} AS hour, s.old_spend::numeric AS old_spend, s.spend::numeric AS new_spend,
    s.spend::numeric - s.old_spend::numeric AS delta
), hourly AS (
  INSERT INTO tg_spend_hourly AS o (hour, api_key, "user", team_id, end_user, model_group, model, provider, spend)
  SELECT hour, api_key, "user", team_id, end_user, model_group, model, provider, sum(delta)
  FROM upd GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 HAVING sum(delta) <> 0
  ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
  ON CONFLICT (hour, api_key, "user", team_id, end_user, model_group, model, provider) DO UPDATE SET
    spend = o.spend + EXCLUDED.spend
), hourly_tags AS (
  INSERT INTO tg_spend_hourly_tags AS o (hour, tag, api_key, team_id, model_group, spend)
  SELECT u.hour, t.tag, u.api_key, u.team_id, u.model_group, sum(u.delta)
  FROM upd u CROSS JOIN LATERAL (SELECT DISTINCT x AS tag FROM jsonb_array_elements_text(u.request_tags) AS x) t
  WHERE t.tag <> '' GROUP BY 1, 2, 3, 4, 5 HAVING sum(u.delta) <> 0
  ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT (hour, tag, api_key, team_id, model_group) DO UPDATE SET spend = o.spend + EXCLUDED.spend
), entities AS (
            SELECT 'key'::text AS entity_type, api_key AS entity_id, delta, start_time FROM upd WHERE api_key <> ''
  UNION ALL SELECT 'user', "user", delta, start_time FROM upd WHERE "user" <> ''
  UNION ALL SELECT 'team', team_id, delta, start_time FROM upd WHERE team_id <> ''
  UNION ALL SELECT 'end_user', end_user, delta, start_time FROM upd WHERE end_user <> ''
  UNION ALL SELECT 'tag', t.tag, u.delta, u.start_time FROM upd u
    CROSS JOIN LATERAL (SELECT DISTINCT x AS tag FROM jsonb_array_elements_text(u.request_tags) AS x) t WHERE t.tag <> ''
), totals AS (
  -- Only rows of the entity's current budget period (started at or after its last reset) move its total.
  INSERT INTO tg_spend_totals AS o (entity_type, entity_id, spend, request_count, updated_at)
  SELECT e.entity_type, e.entity_id, sum(e.delta), 0, now() FROM entities e
  JOIN tg_spend_totals c ON c.entity_type = e.entity_type AND c.entity_id = e.entity_id
  WHERE c.last_reset_at IS NULL OR e.start_time >= c.last_reset_at
  GROUP BY 1, 2 HAVING sum(e.delta) <> 0
  ORDER BY 1, 2
  ON CONFLICT (entity_type, entity_id) DO UPDATE SET spend = o.spend + EXCLUDED.spend, updated_at = EXCLUDED.updated_at
), run AS (
  UPDATE tg_reprice_run_slices SET cursor_time = $3::timestamptz, cursor_id = $4, rows_examined = rows_examined + $5,
    rows_changed = rows_changed + (SELECT count(*) FROM upd),
    spend_before = spend_before + (SELECT coalesce(sum(old_spend), 0) FROM upd),
    spend_after = spend_after + (SELECT coalesce(sum(new_spend), 0) FROM upd)
  WHERE run_id = $2 AND slice = $7
)
SELECT (SELECT count(*) FROM upd)::int AS updated,
  (SELECT coalesce(string_agg(request_id, ','), '') FROM upd) AS ids`;

interface RunRecord {
  id: string;
  status: string;
  params: {
    from: string;
    to: string;
    model?: string;
    team?: string;
    prices?: { source: string; sha256: string };
  };
  prices: Record<string, unknown> | null;
  cursor_iso: string | null;
  cursor_id: string | null;
}

/** A contiguous part of the selection, [fromMs, toMs), walked in (start_time, request_id) order. */
export interface RepriceSlice {
  slice: number;
  fromMs: number;
  toMs: number;
  cursor: { time: string; id: string };
}

const NO_CURSOR = { time: '-infinity', id: '' };

/**
 * Cuts [fromMs, toMs) into at most `workers` day-aligned slices of about equal row counts (`days`: rows per
 * UTC day, ascending). Day-aligned so that no daily rollup row is shared by two slices. Pure.
 */
export function planSlices(
  days: ReadonlyArray<{ dayMs: number; rows: number }>,
  fromMs: number,
  toMs: number,
  workers: number,
): Array<{ fromMs: number; toMs: number }> {
  const total = days.reduce((a, d) => a + d.rows, 0);
  const n = Math.max(1, Math.min(Math.trunc(workers), days.length));
  if (n === 1 || total === 0) return [{ fromMs, toMs }];
  const out: Array<{ fromMs: number; toMs: number }> = [];
  let start = fromMs;
  let seen = 0;
  for (let i = 0; i < days.length && out.length < n - 1; i++) {
    seen += days[i].rows;
    const next = days[i + 1];
    // Close a slice once it holds its share; the next one starts at the next day that has rows.
    if (next && seen >= (total * (out.length + 1)) / n) {
      out.push({ fromMs: start, toMs: next.dayMs });
      start = next.dayMs;
    }
  }
  out.push({ fromMs: start, toMs });
  return out;
}

function newRunId(): string {
  return `rp_${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}_${randomBytes(4).toString('hex')}`;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Dry run (report only) or apply (see the module comment). */
export async function reprice(o: RepriceOptions): Promise<RepriceResult> {
  const { db } = o;
  let selection: RepriceSelection = { from: o.from, to: o.to, model: o.model, team: o.team };
  let prices = o.prices;
  let runId: string | null = null;
  let resumed: RunRecord | undefined;
  if (o.resume) {
    const r = await db.query<RunRecord>(
      `SELECT id, status, params, prices,
        to_char(cursor_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_iso, cursor_id
       FROM tg_reprice_runs WHERE id = $1`,
      [o.resume],
    );
    resumed = r.rows[0];
    if (!resumed) throw new RangeError(`no re-pricing run ${o.resume}`);
    if (resumed.status === 'applied') throw new RangeError(`run ${o.resume} is already applied`);
    const p = resumed.params;
    selection = { from: p.from, to: p.to, model: p.model, team: p.team };
    prices =
      resumed.prices && p.prices
        ? { source: p.prices.source, sha256: p.prices.sha256, entries: resumed.prices }
        : undefined;
    runId = resumed.id;
  }
  const { fromMs, toMs } = selectionBounds(selection);
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1 && o.workers <= 16))
    throw new RangeError(`--workers must be an integer from 1 to 16, got ${o.workers}`);
  const warnings = prices ? registerPriceFile(o.versions, prices, fromMs, toMs) : [];
  const repricer = createRepricer({ versions: o.versions, targets: o.targets });

  // The optional filters (model, team) bind after a statement's own parameters: `filterSql(5)` in the read.
  const filterParams: unknown[] = [];
  if (selection.model !== undefined) filterParams.push(selection.model);
  if (selection.team !== undefined) filterParams.push(selection.team);
  const filterSql = (base: number) => {
    const f: string[] = [];
    let i = base;
    if (selection.model !== undefined) {
      i++;
      f.push(`AND (model = $${i} OR model_group = $${i})`);
    }
    if (selection.team !== undefined) f.push(`AND team_id = $${++i}`);
    return f.join(' ');
  };

  let slices: RepriceSlice[];
  if (o.dryRun) slices = [{ slice: 0, fromMs, toMs, cursor: NO_CURSOR }];
  else if (resumed) slices = await resumeSlices(db, resumed, fromMs, toMs);
  else {
    runId = newRunId();
    const workers = db.kind === 'postgres' ? (o.workers ?? 2) : 1;
    const planned =
      workers > 1
        ? planSlices(await rowsPerDay(db, fromMs, toMs, filterSql(2), filterParams), fromMs, toMs, workers)
        : [{ fromMs, toMs }];
    slices = planned.map((p, slice) => ({ slice, ...p, cursor: NO_CURSOR }));
    await db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO tg_reprice_runs (id, created_by, status, params, prices) VALUES ($1, $2, 'running', $3::jsonb, $4::jsonb)`,
        [
          runId,
          o.actor,
          JSON.stringify({
            ...selection,
            ...(prices ? { prices: { source: prices.source, sha256: prices.sha256 } } : {}),
          }),
          prices ? JSON.stringify(prices.entries) : null,
        ],
      );
      for (const s of slices)
        await tx.query(
          'INSERT INTO tg_reprice_run_slices (run_id, slice, from_time, to_time) VALUES ($1, $2, $3, $4)',
          [runId, s.slice, iso(s.fromMs), iso(s.toMs)],
        );
    });
  }

  const sql = READ_SQL(filterSql(5));
  const chunk = o.chunkSize ?? 10_000;
  const acc = new DiffAccumulator();
  // Set when a slice fails: the others stop after their current chunk (the run stays resumable).
  let failed = false;

  const apply = async (
    slice: number,
    staged: Array<Record<string, unknown>>,
    pending: Array<{ before: Money; after: Money; row: Row }>,
    first: string,
    at: { time: string; id: string },
    examined: number,
  ) => {
    const r = await db.transaction(async (tx) => {
      if (db.kind === 'postgres')
        // Each chunk is durable once its slice's cursor says so; waiting for the WAL flush per chunk buys
        // nothing. The chunk's sorts and aggregates fit in memory instead of spilling to disk.
        for (const set of ['synchronous_commit = off', "work_mem = '64MB'"])
          await tx.query(`SET LOCAL ${set}`);
      return tx.query<{ updated: number; ids: string }>(APPLY_CHUNK_SQL, [
        JSON.stringify(staged),
        runId,
        at.time,
        at.id,
        examined,
        first,
        slice,
      ]);
    });
    const done = new Set(r.rows[0]?.ids ? r.rows[0].ids.split(',') : []);
    for (const p of pending) {
      if (done.has(p.row.request_id))
        acc.change(p.before, p.after, p.row.api_key, p.row.key_alias, p.row.team_id ?? '', p.row.model);
      else acc.skip('spend changed since it was read (left for the next run)');
    }
    o.onChunk?.({ examined: acc.examined, changed: acc.changed });
  };

  // One slice: pipelined, while one chunk's apply statement runs the next chunk is read and priced (the
  // database and the pricing share the machine's cores). A slice's applies stay strictly in cursor order.
  const runSlice = async (sl: RepriceSlice) => {
    let cursor = sl.cursor;
    let applying: Promise<void> = Promise.resolve();
    for (;;) {
      if (failed) break;
      const rows = (
        await db.query<Row>(sql, [
          iso(sl.fromMs),
          iso(sl.toMs),
          cursor.time,
          cursor.id,
          chunk,
          ...filterParams,
        ])
      ).rows;
      if (rows.length === 0) break;
      const staged: Array<Record<string, unknown>> = [];
      const pending: Array<{ before: Money; after: Money; row: Row }> = [];
      for (const row of rows) {
        acc.examined++;
        row.start_ms = Date.parse(row.start_iso);
        const out = repricer.price(row);
        if (out.kind === 'skipped') {
          acc.skip(out.reason);
          continue;
        }
        const before = parseMoney(row.spend);
        const after = out.cost.costUsd;
        // Same spend: the row stays as it is (its version id still truthfully names the prices that made it).
        if (after === before) continue;
        pending.push({ before, after, row });
        // The new columns are only built when they will be written.
        if (!o.dryRun)
          staged.push({
            request_id: row.request_id,
            start_time: row.start_iso,
            old_spend: row.spend,
            spend: out.spend,
            ...repricedColumns(out.cost),
          });
      }
      const first = rows[0].start_iso;
      const last = rows[rows.length - 1];
      cursor = { time: last.start_iso, id: last.request_id };
      if (o.dryRun) {
        for (const p of pending)
          acc.change(p.before, p.after, p.row.api_key, p.row.key_alias, p.row.team_id ?? '', p.row.model);
        o.onChunk?.({ examined: acc.examined, changed: acc.changed });
      } else {
        await applying;
        const at = cursor;
        applying = apply(sl.slice, staged, pending, first, at, rows.length);
        // Surface a failure at once, not after the next read.
        applying.catch(() => {
          failed = true;
        });
      }
      if (rows.length < chunk) break;
    }
    await applying;
    if (!o.dryRun && !failed)
      await db.query('UPDATE tg_reprice_run_slices SET done = true WHERE run_id = $1 AND slice = $2', [
        runId,
        sl.slice,
      ]);
  };

  const outcomes = await Promise.allSettled(
    slices.map((sl) =>
      runSlice(sl).catch((err) => {
        failed = true;
        throw err;
      }),
    ),
  );
  const failure = outcomes.find((x): x is PromiseRejectedResult => x.status === 'rejected');
  if (failure) throw failure.reason;
  if (!o.dryRun && runId)
    await db.query(`UPDATE tg_reprice_runs SET status = 'applied', completed_at = now() WHERE id = $1`, [
      runId,
    ]);

  return {
    run_id: runId,
    dry_run: o.dryRun,
    status: o.dryRun ? 'dry_run' : 'applied',
    selection,
    prices: prices ? { source: prices.source, sha256: prices.sha256 } : null,
    warnings,
    ...acc.report(),
  };
}

/** Rows per UTC day in the selection (what the slices are balanced by). */
async function rowsPerDay(
  db: Db,
  fromMs: number,
  toMs: number,
  filters: string,
  filterParams: unknown[],
): Promise<Array<{ dayMs: number; rows: number }>> {
  const r = await db.query<{ day: string; n: string }>(
    `SELECT to_char(date_trunc('day', start_time AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, count(*)::text AS n
     FROM tg_spend_logs
     WHERE start_time >= $1::timestamptz AND start_time < $2::timestamptz AND status = 'success'
       ${filters}
     GROUP BY 1 ORDER BY 1`,
    [iso(fromMs), iso(toMs), ...filterParams],
  );
  return r.rows.map((x) => ({ dayMs: Date.parse(`${x.day}T00:00:00Z`), rows: Number(x.n) }));
}

/**
 * The slices of an interrupted run that are not done yet. A run started before slices existed (migration
 * 013) continues as one slice from the cursor in its own record.
 */
async function resumeSlices(db: Db, run: RunRecord, fromMs: number, toMs: number): Promise<RepriceSlice[]> {
  const r = await db.query<{
    slice: number;
    from_iso: string;
    to_iso: string;
    cursor_iso: string | null;
    cursor_id: string | null;
    done: boolean;
  }>(
    `SELECT slice, to_char(from_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS from_iso,
       to_char(to_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS to_iso,
       to_char(cursor_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_iso, cursor_id, done
     FROM tg_reprice_run_slices WHERE run_id = $1 ORDER BY slice`,
    [run.id],
  );
  if (r.rows.length === 0) {
    const cursor =
      run.cursor_iso && run.cursor_id !== null ? { time: run.cursor_iso, id: run.cursor_id } : NO_CURSOR;
    await db.query(
      `INSERT INTO tg_reprice_run_slices (run_id, slice, from_time, to_time, cursor_time, cursor_id)
       VALUES ($1, 0, $2, $3, $4, $5)`,
      [run.id, iso(fromMs), iso(toMs), cursor.time === '-infinity' ? null : cursor.time, cursor.id || null],
    );
    return [{ slice: 0, fromMs, toMs, cursor }];
  }
  return r.rows
    .filter((x) => !x.done)
    .map((x) => ({
      slice: x.slice,
      fromMs: Date.parse(x.from_iso),
      toMs: Date.parse(x.to_iso),
      cursor: x.cursor_iso && x.cursor_id !== null ? { time: x.cursor_iso, id: x.cursor_id } : NO_CURSOR,
    }));
}

/** The audit record of a run, money as exact decimal text: its own counters plus its slices'. */
export async function repriceRun(db: Db, id: string): Promise<Record<string, unknown> | null> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT r.id, r.created_by, r.created_at, r.completed_at, r.status, r.params,
       (r.rows_examined + coalesce(s.rows_examined, 0))::text AS rows_examined,
       (r.rows_changed + coalesce(s.rows_changed, 0))::text AS rows_changed,
       (r.spend_before + coalesce(s.spend_before, 0))::text AS spend_before,
       (r.spend_after + coalesce(s.spend_after, 0))::text AS spend_after,
       coalesce(s.slices, 0)::int AS slices
     FROM tg_reprice_runs r
     LEFT JOIN LATERAL (SELECT sum(rows_examined) AS rows_examined, sum(rows_changed) AS rows_changed,
         sum(spend_before) AS spend_before, sum(spend_after) AS spend_after, count(*) AS slices
       FROM tg_reprice_run_slices WHERE run_id = r.id) s ON true
     WHERE r.id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return null;
  const money = (v: unknown) => formatMoney(parseMoney(String(v)));
  return {
    ...row,
    rows_examined: Number(row.rows_examined),
    rows_changed: Number(row.rows_changed),
    spend_before: money(row.spend_before),
    spend_after: money(row.spend_after),
  };
}
