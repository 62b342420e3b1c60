/**
 * Test helpers for the spend ledger, reusable by gateway-level tests: spend-event factories
 * (fixed and seeded-random), exact BigInt sums, and a consistency check that compares the
 * rollup tables with the spend-log rows using NUMERIC arithmetic inside the database.
 */
import { randomUUID } from 'node:crypto';
import type { SpendEvent } from '../../src/ledger/spend-event.js';
import { formatMoney, type Money, parseMoney } from '../../src/pricing/money.js';
import type { Db } from '../../src/store/db.js';

/** A complete success event; override any field. */
export function makeSpendEvent(over: Partial<SpendEvent> = {}): SpendEvent {
  const start = over.startTime ?? Date.UTC(2025, 0, 15, 10, 30, 0);
  return {
    requestId: `req-${randomUUID()}`,
    callType: 'chat',
    apiKey: 'a'.repeat(64),
    keyAlias: 'test-key',
    user: 'user-1',
    teamId: 'team-1',
    endUser: 'customer-1',
    requestTags: ['jobID:1'],
    metadata: { trace: 'x' },
    modelGroup: 'gpt-4o',
    model: 'openai/gpt-4o',
    provider: 'openai',
    apiBase: 'https://api.openai.com/v1',
    deploymentId: 'dep-1',
    spend: '0.000123',
    promptTokens: 10,
    completionTokens: 20,
    totalTokens: 30,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    durationMs: 120,
    startTime: start,
    endTime: start + 120,
    status: 'success',
    errorType: null,
    errorMessage: null,
    httpStatus: 200,
    stream: false,
    estimated: false,
    pricingSource: 'catalog:gpt-4o@test',
    unitPrices: { input_cost_per_token: '0.0000025', output_cost_per_token: '0.00001' },
    costBreakdown: [{ tokenClass: 'input', quantity: 10, unitPrice: '0.0000025', amount: '0.000025' }],
    ...over,
  };
}

/** mulberry32: a small seeded PRNG so randomized tests are reproducible from their seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random events over a few keys/users/teams/end users/tags/hours, spends with up to 24 decimals. */
export function randomSpendEvents(n: number, seed: number): SpendEvent[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const keys = ['', 'k'.repeat(64), 'b1'.repeat(32), 'c2'.repeat(32), 'd3'.repeat(32)];
  const users = [null, '', 'alice', 'bob', 'carol'];
  const teams = [null, 'team-a', 'team-b'];
  const endUsers = [null, 'palantir', 'acme', 'globex', 'initech'];
  const tagPool = ['jobID:1', 'jobID:2', 'task:classify', 'task:summarize', 'env:prod', 'ünïcødé'];
  const groups = ['gpt-4o', 'claude', 'llama3'];
  const base = Date.UTC(2025, 2, 1, 0, 0, 0);
  const out: SpendEvent[] = [];
  for (let i = 0; i < n; i++) {
    const failed = rnd() < 0.1;
    const decimals = 1 + Math.floor(rnd() * 24);
    let digits = '';
    for (let d = 0; d < decimals; d++) digits += Math.floor(rnd() * 10);
    const whole = rnd() < 0.05 ? String(Math.floor(rnd() * 5)) : '0';
    const tagCount = Math.floor(rnd() * 4);
    const requestTags: string[] = [];
    for (let t = 0; t < tagCount; t++) requestTags.push(pick(tagPool)); // duplicates on purpose
    const prompt = Math.floor(rnd() * 5000);
    const completion = Math.floor(rnd() * 2000);
    const start = base + Math.floor(rnd() * 6) * 3_600_000 + Math.floor(rnd() * 3_600_000);
    const group = pick(groups);
    out.push(
      makeSpendEvent({
        requestId: `rnd-${seed}-${i}`,
        apiKey: pick(keys),
        keyAlias: null,
        user: pick(users),
        teamId: pick(teams),
        endUser: pick(endUsers),
        requestTags,
        modelGroup: group,
        model: `provider/${group}-${Math.floor(rnd() * 2)}`,
        provider: pick(['openai', 'anthropic']),
        spend: failed ? '0' : `${whole}.${digits}`,
        promptTokens: prompt,
        completionTokens: failed ? 0 : completion,
        totalTokens: prompt + (failed ? 0 : completion),
        cacheReadTokens: Math.floor(rnd() * 100),
        cacheCreationTokens: Math.floor(rnd() * 50),
        startTime: start,
        endTime: start + 500,
        status: failed ? 'failure' : 'success',
        errorType: failed ? 'upstream_error' : null,
        httpStatus: failed ? 502 : 200,
      }),
    );
  }
  return out;
}

/** Exact sums per entity the way the ledger defines totals, computed in JS with BigInt Money. */
export function expectedTotals(events: SpendEvent[]): Map<string, { spend: Money; count: number }> {
  const m = new Map<string, { spend: Money; count: number }>();
  const add = (k: string, s: Money) => {
    const cur = m.get(k) ?? { spend: 0n, count: 0 };
    cur.spend += s;
    cur.count += 1;
    m.set(k, cur);
  };
  for (const e of events) {
    const s = parseMoney(e.spend);
    if (e.apiKey) add(`key|${e.apiKey}`, s);
    if (e.user) add(`user|${e.user}`, s);
    if (e.teamId) add(`team|${e.teamId}`, s);
    if (e.endUser) add(`end_user|${e.endUser}`, s);
    for (const t of new Set(e.requestTags)) if (t) add(`tag|${t}`, s);
  }
  return m;
}

export function sumSpend(events: SpendEvent[]): string {
  let t = 0n;
  for (const e of events) t += parseMoney(e.spend);
  return formatMoney(t);
}

/**
 * Compares every rollup with the spend-log rows, in SQL with NUMERIC. Returns a list of
 * human-readable mismatches ([] when consistent). Valid while totals were never reset.
 */
export async function ledgerMismatches(db: Db): Promise<string[]> {
  const out: string[] = [];
  const totals = await db.query<{ entity_type: string; entity_id: string; want: string; got: string }>(`
    WITH l AS (
                SELECT 'key' AS entity_type, api_key AS entity_id, spend FROM tg_spend_logs WHERE api_key <> ''
      UNION ALL SELECT 'user', "user", spend FROM tg_spend_logs WHERE coalesce("user", '') <> ''
      UNION ALL SELECT 'team', team_id, spend FROM tg_spend_logs WHERE coalesce(team_id, '') <> ''
      UNION ALL SELECT 'end_user', end_user, spend FROM tg_spend_logs WHERE coalesce(end_user, '') <> ''
      UNION ALL SELECT 'tag', t.tag, s.spend FROM tg_spend_logs s
        CROSS JOIN LATERAL (SELECT DISTINCT x AS tag FROM jsonb_array_elements_text(s.request_tags) x) t
        WHERE t.tag <> ''
    ), want AS (SELECT entity_type, entity_id, sum(spend) AS spend, count(*) AS n FROM l GROUP BY 1, 2)
    SELECT coalesce(w.entity_type, t.entity_type) AS entity_type, coalesce(w.entity_id, t.entity_id) AS entity_id,
      w.spend::text || ' x' || w.n AS want, t.spend::text || ' x' || t.request_count AS got
    FROM want w FULL JOIN tg_spend_totals t USING (entity_type, entity_id)
    WHERE w.spend IS DISTINCT FROM t.spend OR w.n IS DISTINCT FROM t.request_count`);
  for (const r of totals.rows) out.push(`totals ${r.entity_type}/${r.entity_id}: logs ${r.want} vs ${r.got}`);

  const hourly = await db.query<{ k: string }>(`
    WITH want AS (
      SELECT date_trunc('hour', start_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, api_key,
        coalesce("user", '') AS "user", coalesce(team_id, '') AS team_id, coalesce(end_user, '') AS end_user,
        model_group, model, provider, sum(spend) AS spend, sum(prompt_tokens) AS prompt_tokens,
        sum(completion_tokens) AS completion_tokens, sum(total_tokens) AS total_tokens,
        sum(cache_read_tokens) AS cache_read_tokens, sum(cache_creation_tokens) AS cache_creation_tokens,
        count(*) AS requests, count(*) FILTER (WHERE status = 'failure') AS failed_requests
      FROM tg_spend_logs GROUP BY 1, 2, 3, 4, 5, 6, 7, 8)
    SELECT coalesce(w.hour, h.hour)::text || '/' || coalesce(w.api_key, h.api_key) || '/' ||
      coalesce(w.model, h.model) AS k
    FROM want w FULL JOIN tg_spend_hourly h USING (hour, api_key, "user", team_id, end_user, model_group, model, provider)
    WHERE w.spend IS DISTINCT FROM h.spend OR w.prompt_tokens IS DISTINCT FROM h.prompt_tokens
      OR w.completion_tokens IS DISTINCT FROM h.completion_tokens OR w.total_tokens IS DISTINCT FROM h.total_tokens
      OR w.cache_read_tokens IS DISTINCT FROM h.cache_read_tokens
      OR w.cache_creation_tokens IS DISTINCT FROM h.cache_creation_tokens
      OR w.requests IS DISTINCT FROM h.requests OR w.failed_requests IS DISTINCT FROM h.failed_requests`);
  for (const r of hourly.rows) out.push(`hourly ${r.k}`);

  const tags = await db.query<{ k: string }>(`
    WITH want AS (
      SELECT date_trunc('hour', s.start_time AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour, t.tag, s.api_key,
        coalesce(s.team_id, '') AS team_id, s.model_group, sum(s.spend) AS spend,
        sum(s.prompt_tokens) AS prompt_tokens, sum(s.completion_tokens) AS completion_tokens,
        sum(s.total_tokens) AS total_tokens, count(*) AS requests
      FROM tg_spend_logs s
      CROSS JOIN LATERAL (SELECT DISTINCT x AS tag FROM jsonb_array_elements_text(s.request_tags) x) t
      WHERE t.tag <> '' GROUP BY 1, 2, 3, 4, 5)
    SELECT coalesce(w.hour, g.hour)::text || '/' || coalesce(w.tag, g.tag) AS k
    FROM want w FULL JOIN tg_spend_hourly_tags g USING (hour, tag, api_key, team_id, model_group)
    WHERE w.spend IS DISTINCT FROM g.spend OR w.prompt_tokens IS DISTINCT FROM g.prompt_tokens
      OR w.completion_tokens IS DISTINCT FROM g.completion_tokens OR w.total_tokens IS DISTINCT FROM g.total_tokens
      OR w.requests IS DISTINCT FROM g.requests`);
  for (const r of tags.rows) out.push(`hourly_tags ${r.k}`);
  return out;
}

/** request_id → number of rows, for the given ids (to assert "exactly once"). */
export async function rowCounts(db: Db, ids: string[]): Promise<Map<string, number>> {
  const r = await db.query<{ request_id: string; n: number }>(
    'SELECT request_id, count(*)::int AS n FROM tg_spend_logs WHERE request_id = ANY($1::text[]) GROUP BY 1',
    [ids],
  );
  const m = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const row of r.rows) m.set(row.request_id, Number(row.n));
  return m;
}
