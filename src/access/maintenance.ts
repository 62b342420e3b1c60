/**
 * @module access/maintenance
 * Background work off the request path: budget-period resets at each entity's boundary (exactly
 * once across processes: the UPDATE that advances budget_reset_at is the lock), reconciling
 * counters with tg_spend_totals, and the global spend reset.
 */
import { formatMoney, parseMoney } from '../pricing/money.js';
import type { AccessCore } from './core.js';
import { currentPeriodEnd, currentPeriodStart, parseDuration } from './duration.js';
import { ENTITY_TABLES, type EntityType, entityRef } from './records.js';
import { loadSeed } from './repo.js';

/** tg_spend_logs column that attributes a request to an entity. */
const LOG_COLUMN: Record<EntityType, string> = {
  key: 'api_key',
  user: '"user"',
  team: 'team_id',
  end_user: 'end_user',
};

/** Requests longer than this are not expected; bounds the log scan at a reset. */
const MAX_REQUEST_MS = 3_600_000;

const CACHE_KIND: Record<EntityType, 'key' | 'user' | 'team' | 'customer'> = {
  key: 'key',
  user: 'user',
  team: 'team',
  end_user: 'customer',
};

/** Resets every entity whose budget period ended; returns how many were reset. */
export async function runBudgetResets(core: AccessCore): Promise<number> {
  const now = core.now();
  const nowDate = new Date(now);
  let count = 0;
  for (const type of Object.keys(ENTITY_TABLES) as EntityType[]) {
    const t = ENTITY_TABLES[type];
    const due = await core.db.query<{ id: string; budget_duration: string; budget_reset_at: Date | string }>(
      `SELECT ${t.id} AS id, budget_duration, budget_reset_at FROM ${t.table}
        WHERE budget_duration IS NOT NULL AND budget_reset_at IS NOT NULL AND budget_reset_at <= $1
        ORDER BY budget_reset_at LIMIT 500`,
      [nowDate],
    );
    for (const row of due.rows) {
      let d: ReturnType<typeof parseDuration>;
      try {
        d = parseDuration(row.budget_duration);
      } catch {
        continue;
      }
      const oldEnd = new Date(row.budget_reset_at).getTime();
      const next = currentPeriodEnd(oldEnd, d, now);
      const boundary = currentPeriodStart(oldEnd, d, now);
      const done = await core.db.transaction(async (tx) => {
        const won = await tx.query(
          `UPDATE ${t.table} SET budget_reset_at = $1 WHERE ${t.id} = $2 AND budget_reset_at <= $3 RETURNING 1`,
          [new Date(next), row.id, nowDate],
        );
        if (won.rowCount === 0) return false; // another process reset it first
        const prev = await tx.query<{ spend: string }>(
          'SELECT spend::text AS spend FROM tg_spend_totals WHERE entity_type = $1 AND entity_id = $2 FOR UPDATE',
          [type, row.id],
        );
        // The new period's running spend is what the ledger already recorded for requests that
        // ended after the boundary (the ledger writes ~1 s late, so some may be in already).
        await tx.query(
          `UPDATE tg_spend_totals SET last_reset_at = $3, updated_at = $3,
             spend = (SELECT coalesce(sum(spend), 0) FROM tg_spend_logs
                       WHERE ${LOG_COLUMN[type]} = $2 AND start_time >= $4 AND end_time >= $5)
            WHERE entity_type = $1 AND entity_id = $2`,
          [type, row.id, nowDate, new Date(boundary - MAX_REQUEST_MS), new Date(boundary)],
        );
        await tx.query(
          `INSERT INTO tg_spend_resets (scope, reset_by, reset_at, details) VALUES ($1, 'budget_duration', $2, $3::jsonb)`,
          [
            `${type}:${row.id}`,
            nowDate,
            JSON.stringify({
              budget_duration: row.budget_duration,
              period_start: new Date(boundary).toISOString(),
              next_reset_at: new Date(next).toISOString(),
              previous_spend: prev.rows[0]?.spend ?? '0',
            }),
          ],
        );
        return true;
      });
      if (!done) continue;
      count++;
      await core.counters.all((b) => b.resetPeriod(entityRef(type, row.id), next));
      core.invalidate({ t: CACHE_KIND[type], id: row.id });
    }
  }
  return count;
}

/**
 * Raises counters to tg_spend_totals where the database knows more (a settle lost in a crash,
 * Redis restarted, spend recorded while Redis was down). Only entities cached in this process.
 */
export async function reconcileCounters(core: AccessCore): Promise<void> {
  const backend = core.counters.active();
  const work: Array<{ type: EntityType; id: string }> = [];
  for (const id of core.keys.ids()) if (hasBudget(core.keys.peek(id))) work.push({ type: 'key', id });
  for (const id of core.users.ids()) if (hasBudget(core.users.peek(id))) work.push({ type: 'user', id });
  for (const id of core.teams.ids()) if (hasBudget(core.teams.peek(id))) work.push({ type: 'team', id });
  for (const id of core.customers.ids())
    if (hasBudget(core.customers.peek(id))) work.push({ type: 'end_user', id });
  for (const { type, id } of work) {
    const ref = entityRef(type, id);
    const snap = await backend.read(ref);
    if (!snap) continue;
    const s = await loadSeed(core.db, type, id);
    if (!s.exists) continue;
    const marker = snap.periodEnd === 0 ? 0 : (s.resetAt?.getTime() ?? 0);
    if (marker !== snap.periodEnd) continue; // the database is in another period (reset pending)
    if (parseMoney(s.spend) > snap.spend) {
      core.logger.info(
        { entity: ref, counter: formatMoney(snap.spend), db: s.spend },
        'raising budget counter to the recorded spend',
      );
      await backend.seed(ref, parseMoney(s.spend), marker, 'max');
    }
  }
}

function hasBudget(r: { maxBudget: bigint | null; softBudget: bigint | null } | null | undefined): boolean {
  return !!r && (r.maxBudget !== null || r.softBudget !== null);
}

/** POST /global/spend/reset: key and team spend → 0 in tg_spend_totals and every counter. */
export async function resetAllSpend(core: AccessCore, by: string): Promise<void> {
  const now = new Date(core.now());
  await core.db.transaction(async (tx) => {
    const r = await tx.query(
      `UPDATE tg_spend_totals SET spend = 0, last_reset_at = $1, updated_at = $1 WHERE entity_type IN ('key', 'team')`,
      [now],
    );
    await tx.query(
      `INSERT INTO tg_spend_resets (scope, reset_by, reset_at, details) VALUES ('global', $1, $2, $3::jsonb)`,
      [by, now, JSON.stringify({ entity_types: ['key', 'team'], entities_reset: r.rowCount })],
    );
  });
  await core.counters.all((b) => b.resetSpend(['key', 'team']));
  core.invalidate({ t: 'reset-all' });
}
