-- Issue 14: dated price versions and safe re-pricing.
-- Every spend row records the price version that priced it, the usage classes it could not price (never a
-- silent 0) and the normalised usage, so history can be re-priced exactly with another price set.
ALTER TABLE tg_spend_logs
  ADD COLUMN price_version  text,            -- builtin@2025-11-21 | costmap@…#sha | …+config@DATE | reprice version
  ADD COLUMN unpriced_parts jsonb,           -- [{kind, quantity, unit, reason}] or NULL when everything was priced
  ADD COLUMN usage          jsonb;           -- normalised usage (pricing/usage.ts) for re-pricing; NULL on old rows

-- Keyset order of re-pricing (start_time, request_id) — also the order /spend/logs pages in (backwards), so
-- it replaces the single-column start_time index instead of adding a write cost.
CREATE INDEX tg_spend_logs_start_time_id ON tg_spend_logs (start_time, request_id);
DROP INDEX tg_spend_logs_start_time;

-- One row per re-pricing run: who, when, which prices, the selection, before/after sums, progress.
-- Applied in chunks, each in one transaction with its rows, rollups and totals; `cursor` is the last
-- (start_time, request_id) done, so an interrupted run resumes where it stopped.
CREATE TABLE tg_reprice_runs (
  id              text PRIMARY KEY,
  created_by      text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  completed_at    timestamptz,
  status          text NOT NULL,             -- 'running' | 'applied'
  params          jsonb NOT NULL,            -- from, to, model, team, prices source / sha256
  prices          jsonb,                     -- the price file's entries (NULL: the registered versions)
  cursor_time     timestamptz,
  cursor_id       text,
  rows_examined   bigint NOT NULL DEFAULT 0,
  rows_changed    bigint NOT NULL DEFAULT 0,
  spend_before    numeric NOT NULL DEFAULT 0, -- sum of the changed rows' spend before
  spend_after     numeric NOT NULL DEFAULT 0  -- and after
);
