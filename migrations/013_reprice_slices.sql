-- Re-pricing applies disjoint day-aligned slices of a run at the same time (issue 14: 1M rows in under a
-- minute): each slice keeps its own cursor and counters, so two slices never wait on one audit row.
-- A run's audit sums are its own counters (runs started before this migration) plus its slices'.
CREATE TABLE tg_reprice_run_slices (
  run_id         text NOT NULL REFERENCES tg_reprice_runs (id) ON DELETE CASCADE,
  slice          integer NOT NULL,
  from_time      timestamptz NOT NULL,
  to_time        timestamptz NOT NULL,
  cursor_time    timestamptz,
  cursor_id      text,
  done           boolean NOT NULL DEFAULT false,
  rows_examined  bigint NOT NULL DEFAULT 0,
  rows_changed   bigint NOT NULL DEFAULT 0,
  spend_before   numeric NOT NULL DEFAULT 0,
  spend_after    numeric NOT NULL DEFAULT 0,
  PRIMARY KEY (run_id, slice)
);

-- The rollups are update-heavy by design: every ledger batch (and every re-priced chunk) adds to rows that
-- already exist. With pages half free, such an update is HOT (heap-only: the new row version stays on its
-- page and none of the table's indexes is touched); with full pages each update inserts into every index.
-- Measured on re-pricing 200k rows: 24.1 s → 17.5 s, HOT share 50% → ~100% (docs/BENCHMARKS.md).
-- Pages written from now on keep the space; existing pages get it when rewritten (VACUUM FULL).
ALTER TABLE tg_spend_hourly SET (fillfactor = 50);
ALTER TABLE tg_spend_hourly_tags SET (fillfactor = 50);
ALTER TABLE tg_spend_daily SET (fillfactor = 50);
ALTER TABLE tg_spend_daily_tags SET (fillfactor = 50);
ALTER TABLE tg_spend_totals SET (fillfactor = 50);
