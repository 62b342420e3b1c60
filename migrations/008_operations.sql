-- Operations (issue 17): spend logs partitioned by month (with retention), response-cache columns,
-- models stored in the database (audited, versioned), budget objects, tag budgets, per-model key
-- budgets and limits, team-member budgets, and the alert de-duplication log.

-- ---------------------------------------------------------------------------------------------
-- tg_spend_logs → partitioned by month of start_time (UTC).
--
-- A primary key of a partitioned table must contain the partition key, so the key becomes
-- (request_id, start_time). Idempotency by request id still holds: a replayed event is the same
-- spool line, so it has the same start_time and lands on the same key in the same partition
-- (the batch writer inserts with ON CONFLICT DO NOTHING). Two different events with one request id
-- cannot happen: ids are random UUIDs minted once per request.
-- ---------------------------------------------------------------------------------------------
ALTER TABLE tg_spend_logs RENAME TO tg_spend_logs_unpartitioned;
ALTER TABLE tg_spend_logs_unpartitioned DROP CONSTRAINT tg_spend_logs_pkey;
DROP INDEX IF EXISTS tg_spend_logs_start_time;    -- replaced by tg_spend_logs_start_time_id in 007
DROP INDEX IF EXISTS tg_spend_logs_start_time_id;
DROP INDEX tg_spend_logs_api_key;
DROP INDEX tg_spend_logs_user;
DROP INDEX tg_spend_logs_team;
DROP INDEX tg_spend_logs_end_user;
DROP INDEX tg_spend_logs_tags;

CREATE TABLE tg_spend_logs (
  LIKE tg_spend_logs_unpartitioned INCLUDING DEFAULTS,
  cache_hit   boolean NOT NULL DEFAULT false,   -- answered from the response cache (spend 0)
  cache_key   text,                             -- the response-cache key of the request, when cached
  saved_spend numeric,                          -- on a cache hit: what the cached answer cost when it was made
  PRIMARY KEY (request_id, start_time)
) PARTITION BY RANGE (start_time);

CREATE TABLE tg_spend_logs_default PARTITION OF tg_spend_logs DEFAULT;
-- (start_time, request_id): time ranges, /spend/logs keyset paging and re-pricing order (see 007). Lookups by
-- request id use the primary key, whose leading column it is.
CREATE INDEX tg_spend_logs_start_time_id ON tg_spend_logs (start_time, request_id);
CREATE INDEX tg_spend_logs_api_key ON tg_spend_logs (api_key, start_time DESC);
CREATE INDEX tg_spend_logs_user ON tg_spend_logs ("user", start_time DESC);
CREATE INDEX tg_spend_logs_team ON tg_spend_logs (team_id, start_time DESC);
CREATE INDEX tg_spend_logs_end_user ON tg_spend_logs (end_user, start_time DESC);
CREATE INDEX tg_spend_logs_tags ON tg_spend_logs USING gin (request_tags);

-- Creates the monthly partitions tg_spend_logs_pYYYYMM covering [from_ts, now + months_ahead].
-- Rows already in the default partition for a new month are moved into it first (PostgreSQL
-- refuses to create a partition whose range the default partition holds rows for).
CREATE FUNCTION tg_spend_logs_ensure_partitions(from_ts timestamptz, months_ahead integer)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  m timestamp := date_trunc('month', coalesce(from_ts, now()) AT TIME ZONE 'UTC');
  last_m timestamp := date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => months_ahead);
  lo timestamptz;
  hi timestamptz;
  part text;
  created integer := 0;
BEGIN
  WHILE m <= last_m LOOP
    part := 'tg_spend_logs_p' || to_char(m, 'YYYYMM');
    lo := m AT TIME ZONE 'UTC';
    hi := (m + interval '1 month') AT TIME ZONE 'UTC';
    IF to_regclass(part) IS NULL THEN
      IF EXISTS (SELECT 1 FROM tg_spend_logs_default WHERE start_time >= lo AND start_time < hi) THEN
        EXECUTE format('CREATE TABLE %I (LIKE tg_spend_logs INCLUDING DEFAULTS)', part);
        EXECUTE format(
          'WITH moved AS (DELETE FROM tg_spend_logs_default WHERE start_time >= $1 AND start_time < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
          part) USING lo, hi;
        EXECUTE format('ALTER TABLE tg_spend_logs ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF tg_spend_logs FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
      END IF;
      created := created + 1;
    END IF;
    m := m + interval '1 month';
  END LOOP;
  RETURN created;
END
$fn$;

-- Drops every monthly partition that ends at or before `cutoff` (whole months older than the
-- retention period). Rollups (hourly/daily/totals) are separate tables and are kept.
CREATE FUNCTION tg_spend_logs_drop_partitions_before(cutoff timestamptz)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  r record;
  dropped integer := 0;
BEGIN
  FOR r IN
    SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'tg_spend_logs' AND c.relname ~ '^tg_spend_logs_p[0-9]{6}$'
  LOOP
    IF ((to_date(substr(r.relname, 16), 'YYYYMM')::timestamp + interval '1 month') AT TIME ZONE 'UTC') <= cutoff THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      dropped := dropped + 1;
    END IF;
  END LOOP;
  RETURN dropped;
END
$fn$;

SELECT tg_spend_logs_ensure_partitions((SELECT min(start_time) FROM tg_spend_logs_unpartitioned), 3);
INSERT INTO tg_spend_logs SELECT *, false, NULL, NULL FROM tg_spend_logs_unpartitioned;
DROP TABLE tg_spend_logs_unpartitioned;

-- ---------------------------------------------------------------------------------------------
-- Models stored in the database (general_settings.store_model_in_db; /model/new, /model/update,
-- /model/delete). litellm_params are kept as written (secrets encrypted by the gateway, or
-- os.environ/NAME references); every change bumps tg_model_state.version in the same transaction
-- so every replica notices it with one cheap poll, and is audited in tg_model_audit.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE tg_models (
  model_id      text PRIMARY KEY,
  model_name    text NOT NULL,
  litellm_params jsonb NOT NULL,
  model_info    jsonb NOT NULL DEFAULT '{}',
  created_by    text,
  updated_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tg_model_state (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO tg_model_state (id, version) VALUES (1, 0);

CREATE TABLE tg_model_audit (
  id         bigserial PRIMARY KEY,
  model_id   text NOT NULL,
  action     text NOT NULL,          -- 'create' | 'update' | 'delete'
  changed_by text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT now(),
  before     jsonb,                  -- secrets redacted
  after      jsonb                   -- secrets redacted
);
CREATE INDEX tg_model_audit_model ON tg_model_audit (model_id, changed_at);

-- ---------------------------------------------------------------------------------------------
-- Budgets and limits LiteLLM has.
-- ---------------------------------------------------------------------------------------------
-- Budget objects (/budget/*, LiteLLM_BudgetTable). Linking an entity to one copies its limits
-- into the entity (and /budget/update re-applies them to every linked entity), so enforcement,
-- periods and resets are the entity's own.
CREATE TABLE tg_budgets (
  budget_id             text PRIMARY KEY,
  max_budget            numeric,
  soft_budget           numeric,
  max_parallel_requests integer,
  tpm_limit             bigint,
  rpm_limit             bigint,
  model_max_budget      jsonb,
  budget_duration       text,
  budget_reset_at       timestamptz,
  created_by            text,
  updated_by            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE tg_keys ADD COLUMN budget_id text;
-- {"model": {"budget_limit": 1.5, "time_period": "1d"}} — per model group, on top of max_budget.
ALTER TABLE tg_keys ADD COLUMN model_max_budget jsonb;
-- {"model": 10} requests / tokens per minute for one model group through this key.
ALTER TABLE tg_keys ADD COLUMN model_rpm_limit jsonb;
ALTER TABLE tg_keys ADD COLUMN model_tpm_limit jsonb;
ALTER TABLE tg_customers ADD COLUMN budget_id text;

-- Team-member budgets (/team/member_update max_budget_in_team): the member's spend through keys of
-- that team, counted on its own.
ALTER TABLE tg_team_members ADD COLUMN max_budget_in_team numeric;
ALTER TABLE tg_team_members ADD COLUMN budget_duration text;
ALTER TABLE tg_team_members ADD COLUMN tpm_limit bigint;
ALTER TABLE tg_team_members ADD COLUMN rpm_limit bigint;

-- Tag budgets (/tag/new …, LiteLLM_TagTable). tg_spend_totals already keeps spend per tag.
CREATE TABLE tg_tags (
  tag_name              text PRIMARY KEY,
  description           text,
  models                jsonb NOT NULL DEFAULT '[]',
  max_budget            numeric,
  soft_budget           numeric,
  budget_duration       text,
  budget_reset_at       timestamptz,
  tpm_limit             bigint,
  rpm_limit             bigint,
  max_parallel_requests integer,
  budget_id             text,
  metadata              jsonb NOT NULL DEFAULT '{}',
  created_by            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- ---------------------------------------------------------------------------------------------
-- Alerts: one row per alert actually sent, keyed by what makes it unique (e.g.
-- 'budget:key:<hash>:<period end>'), so every replica sends each alert once.
-- ---------------------------------------------------------------------------------------------
CREATE TABLE tg_alerts_sent (
  dedupe_key text PRIMARY KEY,
  alert_type text NOT NULL,
  sent_at    timestamptz NOT NULL DEFAULT now()
);
