/**
 * @module reprice/reprice-run
 * Re-prices stored spend rows with another price set: a diff report (dry run), or an apply that updates the
 * rows, the hourly/daily rollups and the running totals together, chunk by chunk, each chunk in ONE
 * statement (one transaction) with the run's audit record (who, when, which prices, before/after sums,
 * cursor). Idempotent (a row already at its new price is left alone; a row whose spend changed since it was
 * read is not touched) and resumable (`resume: runId` continues after the recorded cursor).
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
  /** Rows per chunk (default 20,000). */
  chunkSize?: number;
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
 * totals of the current period, and the run's progress. `l.spend = s.old_spend` makes it safe against a row
 * that changed since it was read (it is left for the next run). The rollups and totals are adjusted with
 * INSERT … ON CONFLICT DO UPDATE ordered by key, like the ledger's batch writer, so a re-pricing and live
 * batch writes (or two re-pricings) take row locks in one global order and cannot deadlock.
 */
export const APPLY_CHUNK_SQL = `
WITH s AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(request_id text, old_spend text, spend text,
    unit_prices jsonb, cost_breakdown jsonb, pricing_source text, price_version text, unpriced_parts jsonb)
  ORDER BY request_id
), upd AS (
  UPDATE tg_spend_logs l SET spend = s.spend::numeric, unit_prices = s.unit_prices,
    cost_breakdown = s.cost_breakdown, pricing_source = s.pricing_source, price_version = s.price_version,
    unpriced_parts = s.unpriced_parts
  FROM s WHERE l.request_id = s.request_id AND l.spend = s.old_spend::numeric
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
  UPDATE tg_reprice_runs SET cursor_time = $3::timestamptz, cursor_id = $4, rows_examined = rows_examined + $5,
    rows_changed = rows_changed + (SELECT count(*) FROM upd),
    spend_before = spend_before + (SELECT coalesce(sum(old_spend), 0) FROM upd),
    spend_after = spend_after + (SELECT coalesce(sum(new_spend), 0) FROM upd)
  WHERE id = $2
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

function newRunId(): string {
  return `rp_${new Date()
    .toISOString()
    .replace(/[-:.TZ]/g, '')
    .slice(0, 14)}_${randomBytes(4).toString('hex')}`;
}

/** Dry run (report only) or apply (see the module comment). */
export async function reprice(o: RepriceOptions): Promise<RepriceResult> {
  const { db } = o;
  let selection: RepriceSelection = { from: o.from, to: o.to, model: o.model, team: o.team };
  let prices = o.prices;
  let runId: string | null = null;
  let cursor: { time: string; id: string } = { time: '-infinity', id: '' };
  if (o.resume) {
    const r = await db.query<RunRecord>(
      `SELECT id, status, params, prices,
        to_char(cursor_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_iso, cursor_id
       FROM tg_reprice_runs WHERE id = $1`,
      [o.resume],
    );
    const run = r.rows[0];
    if (!run) throw new RangeError(`no re-pricing run ${o.resume}`);
    if (run.status === 'applied') throw new RangeError(`run ${o.resume} is already applied`);
    selection = { from: run.params.from, to: run.params.to, model: run.params.model, team: run.params.team };
    prices =
      run.prices && run.params.prices
        ? { source: run.params.prices.source, sha256: run.params.prices.sha256, entries: run.prices }
        : undefined;
    runId = run.id;
    if (run.cursor_iso && run.cursor_id !== null) cursor = { time: run.cursor_iso, id: run.cursor_id };
  }
  const { fromMs, toMs } = selectionBounds(selection);
  const warnings = prices ? registerPriceFile(o.versions, prices, fromMs, toMs) : [];
  const repricer = createRepricer({ versions: o.versions, targets: o.targets });

  if (!o.dryRun && !runId) {
    runId = newRunId();
    await db.query(
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
  }

  // Bind order: $1 from, $2 to, $3/$4 cursor, $5 limit, then the optional filters ($6, $7).
  const params: unknown[] = [new Date(fromMs).toISOString(), new Date(toMs).toISOString()];
  const filters: string[] = [];
  if (selection.model !== undefined) {
    params.push(selection.model);
    filters.push(`AND (model = $${params.length + 3} OR model_group = $${params.length + 3})`);
  }
  if (selection.team !== undefined) {
    params.push(selection.team);
    filters.push(`AND team_id = $${params.length + 3}`);
  }
  const sql = READ_SQL(filters.join(' '));
  const chunk = o.chunkSize ?? 20_000;
  const acc = new DiffAccumulator();
  // Pipelined: while one chunk's apply statement runs, the next chunk is read and priced (the database and
  // the pricing share the machine's cores). Applies stay strictly sequential, in cursor order.
  let applying: Promise<void> = Promise.resolve();
  const apply = async (
    staged: Array<Record<string, unknown>>,
    pending: Array<{ before: Money; after: Money; row: Row }>,
    at: { time: string; id: string },
    examined: number,
  ) => {
    const r = await db.transaction(async (tx) => {
      // Each chunk is durable once the run's cursor says so; waiting for the WAL flush per chunk buys nothing.
      if (db.kind === 'postgres') await tx.query('SET LOCAL synchronous_commit = off');
      return tx.query<{ updated: number; ids: string }>(APPLY_CHUNK_SQL, [
        JSON.stringify(staged),
        runId,
        at.time,
        at.id,
        examined,
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
  for (;;) {
    const rows = (
      await db.query<Row>(sql, [params[0], params[1], cursor.time, cursor.id, chunk, ...params.slice(2)])
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
          old_spend: row.spend,
          spend: out.spend,
          ...repricedColumns(out.cost),
        });
    }
    const last = rows[rows.length - 1];
    cursor = { time: last.start_iso, id: last.request_id };
    if (o.dryRun) {
      for (const p of pending)
        acc.change(p.before, p.after, p.row.api_key, p.row.key_alias, p.row.team_id ?? '', p.row.model);
      o.onChunk?.({ examined: acc.examined, changed: acc.changed });
    } else {
      await applying;
      const at = cursor;
      applying = apply(staged, pending, at, rows.length);
      // Surface a failure at once, not after the next read.
      applying.catch(() => {});
    }
    if (rows.length < chunk) break;
  }
  await applying;
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

/** The audit record of a run, money as exact decimal text. */
export async function repriceRun(db: Db, id: string): Promise<Record<string, unknown> | null> {
  const r = await db.query<Record<string, unknown>>(
    `SELECT id, created_by, created_at, completed_at, status, params, rows_examined::text AS rows_examined,
       rows_changed::text AS rows_changed, spend_before::text AS spend_before, spend_after::text AS spend_after
     FROM tg_reprice_runs WHERE id = $1`,
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
