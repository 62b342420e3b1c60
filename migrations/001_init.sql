-- Tollgate schema, version 1. One source of truth for PGlite and PostgreSQL.
-- Money is NUMERIC (exact), never float. Rollup dimensions use '' (not NULL) for "none" so
-- they can be part of a unique key and upserted.

-- One row per request, success or failure (LiteLLM_SpendLogs equivalent).
CREATE TABLE tg_spend_logs (
  request_id            text PRIMARY KEY,
  call_type             text NOT NULL,
  api_key               text NOT NULL DEFAULT '',      -- sha256 hex of the virtual key, never the key
  key_alias             text,
  "user"                text,                          -- internal user owning the key
  team_id               text,
  end_user              text,                          -- the request's `user` (customer)
  request_tags          jsonb NOT NULL DEFAULT '[]',
  metadata              jsonb NOT NULL DEFAULT '{}',
  model_group           text NOT NULL,                 -- the `model` the client asked for
  model                 text NOT NULL,                 -- the deployment's model
  provider              text NOT NULL,
  api_base              text,
  deployment_id         text,
  spend                 numeric NOT NULL DEFAULT 0,
  prompt_tokens         integer NOT NULL DEFAULT 0,
  completion_tokens     integer NOT NULL DEFAULT 0,
  total_tokens          integer NOT NULL DEFAULT 0,
  cache_read_tokens     integer NOT NULL DEFAULT 0,
  cache_creation_tokens integer NOT NULL DEFAULT 0,
  reasoning_tokens      integer NOT NULL DEFAULT 0,
  duration_ms           integer NOT NULL DEFAULT 0,
  start_time            timestamptz NOT NULL,
  end_time              timestamptz NOT NULL,
  status                text NOT NULL,                 -- 'success' | 'failure'
  error_type            text,
  error_message         text,
  http_status           integer,
  stream                boolean NOT NULL DEFAULT false,
  estimated             boolean NOT NULL DEFAULT false,
  pricing_source        text,                          -- custom | base_model:NAME | catalog:KEY@SNAPSHOT | response_model | unpriced
  unit_prices           jsonb NOT NULL DEFAULT '{}',   -- the unit prices used (exact decimal strings)
  cost_breakdown        jsonb,                         -- the explanation lines
  messages              jsonb,                         -- only with store_prompts_in_spend_logs
  response              jsonb                          -- only with store_prompts_in_spend_logs
);
CREATE INDEX tg_spend_logs_start_time ON tg_spend_logs (start_time DESC);
CREATE INDEX tg_spend_logs_api_key ON tg_spend_logs (api_key, start_time DESC);
CREATE INDEX tg_spend_logs_user ON tg_spend_logs ("user", start_time DESC);
CREATE INDEX tg_spend_logs_team ON tg_spend_logs (team_id, start_time DESC);
CREATE INDEX tg_spend_logs_end_user ON tg_spend_logs (end_user, start_time DESC);
CREATE INDEX tg_spend_logs_tags ON tg_spend_logs USING gin (request_tags);

-- Running spend since the last reset, per entity. entity_type: key | user | team | end_user | tag.
-- Written by the ledger in the same transaction as the logs; budgets read and reset it.
CREATE TABLE tg_spend_totals (
  entity_type   text NOT NULL,
  entity_id     text NOT NULL,
  spend         numeric NOT NULL DEFAULT 0,
  request_count bigint NOT NULL DEFAULT 0,
  last_reset_at timestamptz,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (entity_type, entity_id)
);

-- Hourly aggregate (UTC hour) that reports read instead of scanning logs. Hourly, not daily,
-- so reports can bucket days in any whole-hour time zone.
CREATE TABLE tg_spend_hourly (
  hour              timestamptz NOT NULL,
  api_key           text NOT NULL DEFAULT '',
  "user"            text NOT NULL DEFAULT '',
  team_id           text NOT NULL DEFAULT '',
  end_user          text NOT NULL DEFAULT '',
  model_group       text NOT NULL DEFAULT '',
  model             text NOT NULL DEFAULT '',
  provider          text NOT NULL DEFAULT '',
  spend             numeric NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  total_tokens      bigint NOT NULL DEFAULT 0,
  cache_read_tokens bigint NOT NULL DEFAULT 0,
  cache_creation_tokens bigint NOT NULL DEFAULT 0,
  requests          bigint NOT NULL DEFAULT 0,
  failed_requests   bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, api_key, "user", team_id, end_user, model_group, model, provider)
);
CREATE INDEX tg_spend_hourly_team ON tg_spend_hourly (team_id, hour);
CREATE INDEX tg_spend_hourly_end_user ON tg_spend_hourly (end_user, hour);
CREATE INDEX tg_spend_hourly_api_key ON tg_spend_hourly (api_key, hour);
CREATE INDEX tg_spend_hourly_user ON tg_spend_hourly ("user", hour);

-- Per-tag hourly aggregate. A request with N tags adds to N rows, so tag totals may overlap.
CREATE TABLE tg_spend_hourly_tags (
  hour              timestamptz NOT NULL,
  tag               text NOT NULL,
  api_key           text NOT NULL DEFAULT '',
  team_id           text NOT NULL DEFAULT '',
  model_group       text NOT NULL DEFAULT '',
  spend             numeric NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  total_tokens      bigint NOT NULL DEFAULT 0,
  requests          bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (hour, tag, api_key, team_id, model_group)
);
CREATE INDEX tg_spend_hourly_tags_tag ON tg_spend_hourly_tags (tag, hour);

-- Virtual keys (LiteLLM_VerificationToken equivalent). Only the sha256 hash is stored.
CREATE TABLE tg_keys (
  token_hash            text PRIMARY KEY,
  key_name              text,                          -- display form, e.g. 'sk-...AbCd'
  key_alias             text UNIQUE,
  user_id               text,
  team_id               text,
  models                jsonb NOT NULL DEFAULT '[]',
  max_budget            numeric,
  soft_budget           numeric,
  budget_duration       text,
  budget_reset_at       timestamptz,
  tpm_limit             bigint,
  rpm_limit             bigint,
  max_parallel_requests integer,
  metadata              jsonb NOT NULL DEFAULT '{}',
  tags                  jsonb NOT NULL DEFAULT '[]',
  permissions           jsonb NOT NULL DEFAULT '{}',
  blocked               boolean NOT NULL DEFAULT false,
  expires_at            timestamptz,
  created_by            text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tg_keys_user ON tg_keys (user_id);
CREATE INDEX tg_keys_team ON tg_keys (team_id);

-- Internal users (LiteLLM_UserTable).
CREATE TABLE tg_users (
  user_id               text PRIMARY KEY,
  user_email            text,
  user_role             text NOT NULL DEFAULT 'internal_user',
  max_budget            numeric,
  soft_budget           numeric,
  budget_duration       text,
  budget_reset_at       timestamptz,
  tpm_limit             bigint,
  rpm_limit             bigint,
  max_parallel_requests integer,
  models                jsonb NOT NULL DEFAULT '[]',
  metadata              jsonb NOT NULL DEFAULT '{}',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Teams (LiteLLM_TeamTable).
CREATE TABLE tg_teams (
  team_id               text PRIMARY KEY,
  team_alias            text,
  max_budget            numeric,
  soft_budget           numeric,
  budget_duration       text,
  budget_reset_at       timestamptz,
  tpm_limit             bigint,
  rpm_limit             bigint,
  max_parallel_requests integer,
  models                jsonb NOT NULL DEFAULT '[]',
  metadata              jsonb NOT NULL DEFAULT '{}',
  blocked               boolean NOT NULL DEFAULT false,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tg_team_members (
  team_id   text NOT NULL REFERENCES tg_teams (team_id) ON DELETE CASCADE,
  user_id   text NOT NULL,
  role      text NOT NULL DEFAULT 'user',
  PRIMARY KEY (team_id, user_id)
);

-- Customers = end users, the `user` field of requests (LiteLLM_EndUserTable).
CREATE TABLE tg_customers (
  user_id               text PRIMARY KEY,
  alias                 text,
  max_budget            numeric,
  budget_duration       text,
  budget_reset_at       timestamptz,
  blocked               boolean NOT NULL DEFAULT false,
  metadata              jsonb NOT NULL DEFAULT '{}',
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- Audit of spend resets (global reset and budget-period resets).
CREATE TABLE tg_spend_resets (
  id          bigserial PRIMARY KEY,
  scope       text NOT NULL,            -- 'global' | 'key:<hash>' | 'team:<id>' | ...
  reset_by    text NOT NULL,
  reset_at    timestamptz NOT NULL DEFAULT now(),
  details     jsonb NOT NULL DEFAULT '{}'
);
