-- Spend events the ledger could not store (a row the database rejects, a line that is not a spend
-- event, an event that fails alone while the database accepts others). The same records are
-- appended to <spool>/dead-letter.jsonl first (local, synchronous); this table makes them visible
-- across replicas (GET /ledger/dead-letters) and replayable (POST /ledger/dead-letters/replay).
-- Rows are never deleted by Tollgate: a replayed one keeps replayed_at.
CREATE TABLE IF NOT EXISTS tg_spend_dead_letters (
  id text PRIMARY KEY,
  request_id text,
  reason text NOT NULL,
  line text NOT NULL,
  line_bytes integer NOT NULL,
  created_at timestamptz NOT NULL,
  replayed_at timestamptz,
  replay_attempts integer NOT NULL DEFAULT 0,
  last_error text
);
CREATE INDEX IF NOT EXISTS tg_spend_dead_letters_pending ON tg_spend_dead_letters (created_at)
  WHERE replayed_at IS NULL;
