/**
 * @module ledger/spend-log-partitions
 * Upkeep of the monthly partitions of tg_spend_logs (migration 008): months ahead are created before
 * rows arrive (so the default partition stays empty), and with a retention period
 * (`general_settings.maximum_spend_logs_retention_period`, LiteLLM's name) whole months older than
 * it are dropped — a catalog operation, however many rows — and the remaining older rows are deleted
 * in batches. Rollups (totals, hourly, daily) are separate tables and are kept, so reports over
 * older periods keep working. Runs under a transaction-scoped advisory lock: one replica at a time.
 */
import type { Logger } from '../logger.js';
import type { Db } from '../store/db.js';

const LOCK_ID = 7_424_712;
const DELETE_BATCH = 10_000;

export async function ensureSpendLogPartitions(db: Db, monthsAhead = 3): Promise<number> {
  return db.transaction(async (tx) => {
    const got = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_ID]);
    if (!got.rows[0]?.ok) return 0;
    const r = await tx.query<{ n: number }>('SELECT tg_spend_logs_ensure_partitions(now(), $1) AS n', [
      monthsAhead,
    ]);
    return Number(r.rows[0]?.n ?? 0);
  });
}

export async function enforceSpendLogRetention(
  db: Db,
  retentionMs: number,
  now = Date.now(),
): Promise<{ droppedPartitions: number; deletedRows: number }> {
  const cutoff = new Date(now - retentionMs);
  const dropped = await db.transaction(async (tx) => {
    const got = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [LOCK_ID]);
    if (!got.rows[0]?.ok) return -1;
    const r = await tx.query<{ n: number }>('SELECT tg_spend_logs_drop_partitions_before($1) AS n', [cutoff]);
    return Number(r.rows[0]?.n ?? 0);
  });
  if (dropped < 0) return { droppedPartitions: 0, deletedRows: 0 };
  let deleted = 0;
  for (let i = 0; i < 1000; i++) {
    const r = await db.query(
      `DELETE FROM tg_spend_logs WHERE (request_id, start_time) IN
         (SELECT request_id, start_time FROM tg_spend_logs WHERE start_time < $1 LIMIT ${DELETE_BATCH})`,
      [cutoff],
    );
    deleted += r.rowCount;
    if (r.rowCount < DELETE_BATCH) break;
  }
  return { droppedPartitions: dropped, deletedRows: deleted };
}

export interface SpendLogMaintenanceOptions {
  db: Db;
  logger: Logger;
  /** null = keep every log. */
  retentionMs: number | null;
  /** How often retention runs (maximum_spend_logs_retention_interval; default 1 day). */
  retentionIntervalMs?: number;
}

/** Creates partitions ahead now and hourly; applies retention at start and every interval. */
export function startSpendLogMaintenance(o: SpendLogMaintenanceOptions): () => void {
  const partitions = () =>
    ensureSpendLogPartitions(o.db).catch((err) =>
      o.logger.warn({ err }, 'spend-log partition upkeep failed'),
    );
  const retain = () => {
    if (o.retentionMs === null) return;
    enforceSpendLogRetention(o.db, o.retentionMs)
      .then((r) => {
        if (r.droppedPartitions || r.deletedRows)
          o.logger.info(
            `spend-log retention: dropped ${r.droppedPartitions} monthly partitions, deleted ${r.deletedRows} older rows`,
          );
      })
      .catch((err) => o.logger.warn({ err }, 'spend-log retention failed'));
  };
  void partitions();
  retain();
  const t1 = setInterval(() => void partitions(), 3_600_000);
  const t2 = setInterval(retain, o.retentionIntervalMs ?? 86_400_000);
  t1.unref();
  t2.unref();
  return () => {
    clearInterval(t1);
    clearInterval(t2);
  };
}
