-- Daily rollup triggers return at once when their statement changed no row (see 004_reports.sql
-- for what they maintain). Same bodies otherwise.

CREATE OR REPLACE FUNCTION tg_spend_daily_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cols text := 'hour, api_key, "user", team_id, model_group, model, provider';
  pos text := 'spend, prompt_tokens, completion_tokens, total_tokens, cache_read_tokens, cache_creation_tokens, requests, failed_requests';
  neg text := '-spend, -prompt_tokens, -completion_tokens, -total_tokens, -cache_read_tokens, -cache_creation_tokens, -requests, -failed_requests';
  src text;
BEGIN
  -- Statement triggers fire for statements that touched no row (the batch's INSERT trigger when
  -- every hour already had its row, both tag triggers for untagged traffic): nothing to add, so
  -- return before building and planning the dynamic statement (milliseconds each on PGlite).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM tg_old) THEN
      RETURN NULL;
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM tg_new) THEN
    RETURN NULL;
  END IF;
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

CREATE OR REPLACE FUNCTION tg_spend_daily_tags_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  cols text := 'hour, tag, api_key, team_id, model_group';
  pos text := 'spend, prompt_tokens, completion_tokens, total_tokens, requests';
  neg text := '-spend, -prompt_tokens, -completion_tokens, -total_tokens, -requests';
  src text;
BEGIN
  -- Statement triggers fire for statements that touched no row (the batch's INSERT trigger when
  -- every hour already had its row, both tag triggers for untagged traffic): nothing to add, so
  -- return before building and planning the dynamic statement (milliseconds each on PGlite).
  IF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM tg_old) THEN
      RETURN NULL;
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM tg_new) THEN
    RETURN NULL;
  END IF;
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
