-- Reports: UTC-daily rollups derived from the hourly rollups and kept in step by statement-level
-- triggers (one grouped upsert per statement that writes tg_spend_hourly / tg_spend_hourly_tags,
-- in the same transaction, so they are exactly as current as the hourly rows). Reports in UTC read
-- these (about 20x fewer rows than hourly over a month); reports in another time zone, or by
-- customer, read the hourly tables. tg_spend_daily leaves out end_user (the customer): that
-- dimension multiplies row counts and only the customer reports need it.

CREATE TABLE tg_spend_daily (
  day                   date NOT NULL,
  api_key               text NOT NULL DEFAULT '',
  "user"                text NOT NULL DEFAULT '',
  team_id               text NOT NULL DEFAULT '',
  model_group           text NOT NULL DEFAULT '',
  model                 text NOT NULL DEFAULT '',
  provider              text NOT NULL DEFAULT '',
  spend                 numeric NOT NULL DEFAULT 0,
  prompt_tokens         bigint NOT NULL DEFAULT 0,
  completion_tokens     bigint NOT NULL DEFAULT 0,
  total_tokens          bigint NOT NULL DEFAULT 0,
  cache_read_tokens     bigint NOT NULL DEFAULT 0,
  cache_creation_tokens bigint NOT NULL DEFAULT 0,
  requests              bigint NOT NULL DEFAULT 0,
  failed_requests       bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, api_key, "user", team_id, model_group, model, provider)
);
CREATE INDEX tg_spend_daily_user ON tg_spend_daily ("user", day);
CREATE INDEX tg_spend_daily_api_key ON tg_spend_daily (api_key, day);

CREATE TABLE tg_spend_daily_tags (
  day               date NOT NULL,
  tag               text NOT NULL,
  api_key           text NOT NULL DEFAULT '',
  team_id           text NOT NULL DEFAULT '',
  model_group       text NOT NULL DEFAULT '',
  spend             numeric NOT NULL DEFAULT 0,
  prompt_tokens     bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  total_tokens      bigint NOT NULL DEFAULT 0,
  requests          bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (day, tag, api_key, team_id, model_group)
);

-- Backfill from whatever the hourly rollups already hold.
INSERT INTO tg_spend_daily
SELECT (hour AT TIME ZONE 'UTC')::date, api_key, "user", team_id, model_group, model, provider, sum(spend),
  sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), sum(cache_read_tokens),
  sum(cache_creation_tokens), sum(requests), sum(failed_requests)
FROM tg_spend_hourly GROUP BY 1, 2, 3, 4, 5, 6, 7;

INSERT INTO tg_spend_daily_tags
SELECT (hour AT TIME ZONE 'UTC')::date, tag, api_key, team_id, model_group, sum(spend), sum(prompt_tokens),
  sum(completion_tokens), sum(total_tokens), sum(requests)
FROM tg_spend_hourly_tags GROUP BY 1, 2, 3, 4, 5;

-- Adds the statement's change to the daily rollup: + new rows, - old rows. Covers INSERT, the
-- UPDATE half of INSERT … ON CONFLICT DO UPDATE, DELETE, and updates that change key columns.
-- Transition tables are visible to EXECUTE inside the trigger function.
CREATE FUNCTION tg_spend_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cols text := 'hour, api_key, "user", team_id, model_group, model, provider';
  pos text := 'spend, prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, requests, failed_requests';
  neg text := '-spend, -prompt_tokens, -completion_tokens, -total_tokens, -cache_read_tokens, -cache_creation_tokens, -requests, -failed_requests';
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := format('SELECT %s, %s FROM tg_new', cols, pos);
  ELSIF TG_OP = 'DELETE' THEN
    src := format('SELECT %s, %s FROM tg_old', cols, neg);
  ELSE
    src := format('SELECT %s, %s FROM tg_new UNION ALL SELECT %s, %s FROM tg_old', cols, pos, cols, neg);
  END IF;
  EXECUTE format($q$
    INSERT INTO tg_spend_daily AS d
    SELECT (c.hour AT TIME ZONE 'UTC')::date, c.api_key, c."user", c.team_id, c.model_group, c.model, c.provider,
      sum(c.spend), sum(c.prompt_tokens), sum(c.completion_tokens), sum(c.total_tokens), sum(c.cache_read_tokens),
      sum(c.cache_creation_tokens), sum(c.requests), sum(c.failed_requests)
    FROM (%s) AS c (hour, api_key, "user", team_id, model_group, model, provider, spend, prompt_tokens,
      completion_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, requests, failed_requests)
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (day, api_key, "user", team_id, model_group, model, provider) DO UPDATE SET
      spend = d.spend + EXCLUDED.spend,
      prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
      total_tokens = d.total_tokens + EXCLUDED.total_tokens,
      cache_read_tokens = d.cache_read_tokens + EXCLUDED.cache_read_tokens,
      cache_creation_tokens = d.cache_creation_tokens + EXCLUDED.cache_creation_tokens,
      requests = d.requests + EXCLUDED.requests,
      failed_requests = d.failed_requests + EXCLUDED.failed_requests
  $q$, src);
  RETURN NULL;
END
$fn$;

CREATE FUNCTION tg_spend_daily_tags_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cols text := 'hour, tag, api_key, team_id, model_group';
  pos text := 'spend, prompt_tokens, completion_tokens, total_tokens, requests';
  neg text := '-spend, -prompt_tokens, -completion_tokens, -total_tokens, -requests';
  src text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    src := format('SELECT %s, %s FROM tg_new', cols, pos);
  ELSIF TG_OP = 'DELETE' THEN
    src := format('SELECT %s, %s FROM tg_old', cols, neg);
  ELSE
    src := format('SELECT %s, %s FROM tg_new UNION ALL SELECT %s, %s FROM tg_old', cols, pos, cols, neg);
  END IF;
  EXECUTE format($q$
    INSERT INTO tg_spend_daily_tags AS d
    SELECT (c.hour AT TIME ZONE 'UTC')::date, c.tag, c.api_key, c.team_id, c.model_group, sum(c.spend),
      sum(c.prompt_tokens), sum(c.completion_tokens), sum(c.total_tokens), sum(c.requests)
    FROM (%s) AS c (hour, tag, api_key, team_id, model_group, spend, prompt_tokens, completion_tokens,
      total_tokens, requests)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (day, tag, api_key, team_id, model_group) DO UPDATE SET
      spend = d.spend + EXCLUDED.spend,
      prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
      completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
      total_tokens = d.total_tokens + EXCLUDED.total_tokens,
      requests = d.requests + EXCLUDED.requests
  $q$, src);
  RETURN NULL;
END
$fn$;

CREATE FUNCTION tg_spend_daily_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_TABLE_NAME = 'tg_spend_hourly' THEN
    TRUNCATE tg_spend_daily;
  ELSE
    TRUNCATE tg_spend_daily_tags;
  END IF;
  RETURN NULL;
END
$fn$;

CREATE TRIGGER tg_spend_daily_ins AFTER INSERT ON tg_spend_hourly
  REFERENCING NEW TABLE AS tg_new FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_apply();
CREATE TRIGGER tg_spend_daily_upd AFTER UPDATE ON tg_spend_hourly
  REFERENCING OLD TABLE AS tg_old NEW TABLE AS tg_new FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_apply();
CREATE TRIGGER tg_spend_daily_del AFTER DELETE ON tg_spend_hourly
  REFERENCING OLD TABLE AS tg_old FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_apply();
CREATE TRIGGER tg_spend_daily_trunc AFTER TRUNCATE ON tg_spend_hourly
  FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_truncate();

CREATE TRIGGER tg_spend_daily_tags_ins AFTER INSERT ON tg_spend_hourly_tags
  REFERENCING NEW TABLE AS tg_new FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_tags_apply();
CREATE TRIGGER tg_spend_daily_tags_upd AFTER UPDATE ON tg_spend_hourly_tags
  REFERENCING OLD TABLE AS tg_old NEW TABLE AS tg_new FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_tags_apply();
CREATE TRIGGER tg_spend_daily_tags_del AFTER DELETE ON tg_spend_hourly_tags
  REFERENCING OLD TABLE AS tg_old FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_tags_apply();
CREATE TRIGGER tg_spend_daily_tags_trunc AFTER TRUNCATE ON tg_spend_hourly_tags
  FOR EACH STATEMENT EXECUTE FUNCTION tg_spend_daily_truncate();
