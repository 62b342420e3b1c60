/**
 * @module reports/daily-activity
 * GET /user/daily/activity — LiteLLM's SpendAnalyticsPaginatedResponse: per local day, the totals
 * and a breakdown by model, model group, provider and API key, read from the hourly rollup.
 * Pages are pages of days (newest first), `page_size` days each.
 */

import { DecimalSum } from '../pricing/decimal.js';
import { exact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import type { DayRange } from './params.js';
import { rollupSource } from './source.js';
import { keyInfo } from './spend-report.js';
import { Params, reportRows, toInt } from './sql.js';
import type { ReportResult } from './types.js';

export interface DailyActivityOptions {
  range: DayRange;
  /** Only this internal user's spend; undefined = everyone (admin view). */
  userId?: string;
  /** sha256 hex. */
  apiKey?: string;
  /** Deployment model or model group. */
  model?: string;
  page: number;
  pageSize: number;
  /**
   * /team|tag|customer/daily/activity: the entity dimension. Its ids (empty = all), ids to leave out,
   * and the metadata shown per entity (team_alias…). Tags read the tag rollups, which have no
   * deployment model, provider, cache or failure columns (reported as the model group, "", 0).
   */
  entity?: {
    kind: 'team' | 'tag' | 'customer';
    ids?: string[];
    exclude?: string[];
    meta?: Map<string, Record<string, unknown>>;
  };
}

const ENTITY_COLUMN = { team: 'team_id', tag: 'tag', customer: 'end_user' } as const;

interface Row {
  day: string;
  entity: string;
  api_key: string;
  model: string;
  model_group: string;
  provider: string;
  spend: string;
  prompt_tokens: string;
  completion_tokens: string;
  total_tokens: string;
  cache_read: string;
  cache_creation: string;
  requests: string;
  failed: string;
}

class Metrics {
  spend = new DecimalSum();
  prompt_tokens = 0;
  completion_tokens = 0;
  cache_read_input_tokens = 0;
  cache_creation_input_tokens = 0;
  total_tokens = 0;
  successful_requests = 0;
  failed_requests = 0;
  api_requests = 0;

  add(r: Row): this {
    this.spend.add(r.spend);
    this.prompt_tokens += toInt(r.prompt_tokens);
    this.completion_tokens += toInt(r.completion_tokens);
    this.cache_read_input_tokens += toInt(r.cache_read);
    this.cache_creation_input_tokens += toInt(r.cache_creation);
    this.total_tokens += toInt(r.total_tokens);
    const requests = toInt(r.requests);
    const failed = toInt(r.failed);
    this.api_requests += requests;
    this.failed_requests += failed;
    this.successful_requests += requests - failed;
    return this;
  }

  toJSONShape() {
    return {
      spend: exact(this.spend.toString()),
      prompt_tokens: this.prompt_tokens,
      completion_tokens: this.completion_tokens,
      cache_read_input_tokens: this.cache_read_input_tokens,
      cache_creation_input_tokens: this.cache_creation_input_tokens,
      total_tokens: this.total_tokens,
      successful_requests: this.successful_requests,
      failed_requests: this.failed_requests,
      api_requests: this.api_requests,
    };
  }
}

type KeyMeta = { key_alias: string | null; team_id: string | null; user_id: string | null };

interface Bucket {
  metrics: Metrics;
  keys: Map<string, Metrics>;
}

function bucket(map: Map<string, Bucket>, name: string): Bucket {
  let b = map.get(name);
  if (!b) {
    b = { metrics: new Metrics(), keys: new Map() };
    map.set(name, b);
  }
  return b;
}

function keyMetrics(map: Map<string, Metrics>, key: string): Metrics {
  let m = map.get(key);
  if (!m) {
    m = new Metrics();
    map.set(key, m);
  }
  return m;
}

export async function dailyActivity(db: Db, o: DailyActivityOptions): Promise<ReportResult> {
  const p = new Params();
  const ent = o.entity;
  const tags = ent?.kind === 'tag';
  const src = rollupSource(p, o.range, { tags, needsEndUser: ent?.kind === 'customer' });
  const where = [src.where];
  const col = ent ? ENTITY_COLUMN[ent.kind] : null;
  if (col && ent?.ids?.length) where.push(`${col} = ANY(${p.add(ent.ids)}::text[])`);
  if (col && ent?.exclude?.length) where.push(`NOT (${col} = ANY(${p.add(ent.exclude)}::text[]))`);
  if (col && ent?.kind === 'customer') where.push(`end_user <> ''`);
  if (o.userId !== undefined) where.push(`"user" = ${p.add(o.userId)}`);
  if (o.apiKey !== undefined) where.push(`api_key = ${p.add(o.apiKey)}`);
  if (o.model !== undefined) {
    const m = p.add(o.model);
    where.push(tags ? `model_group = ${m}` : `(model = ${m} OR model_group = ${m})`);
  }
  const sql = tags
    ? `SELECT ${src.day()} AS day, tag AS entity, api_key, model_group AS model, model_group, '' AS provider,
      sum(spend)::text AS spend, sum(prompt_tokens)::text AS prompt_tokens,
      sum(completion_tokens)::text AS completion_tokens, sum(total_tokens)::text AS total_tokens,
      '0' AS cache_read, '0' AS cache_creation, sum(requests)::text AS requests, '0' AS failed
    FROM ${src.table} WHERE ${where.join(' AND ')}
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1 DESC, 2, 3, 4, 5`
    : `SELECT ${src.day()} AS day, ${col ?? `''`} AS entity, api_key, model, model_group, provider,
      sum(spend)::text AS spend, sum(prompt_tokens)::text AS prompt_tokens,
      sum(completion_tokens)::text AS completion_tokens, sum(total_tokens)::text AS total_tokens,
      sum(cache_read_tokens)::text AS cache_read, sum(cache_creation_tokens)::text AS cache_creation,
      sum(requests)::text AS requests, sum(failed_requests)::text AS failed
    FROM ${src.table} WHERE ${where.join(' AND ')}
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1 DESC, 2, 3, 4, 5, 6`;
  const rows = await reportRows<Row>(db, sql, p.values);
  const meta = await keyInfo(
    db,
    rows.map((r) => r.api_key),
  );
  const keyMeta = (k: string): KeyMeta => {
    const i = meta.get(k);
    return { key_alias: i?.key_alias ?? null, team_id: i?.team_id ?? null, user_id: i?.user_id ?? null };
  };

  const totals = new Metrics();
  const days = new Map<
    string,
    {
      metrics: Metrics;
      models: Map<string, Bucket>;
      groups: Map<string, Bucket>;
      providers: Map<string, Bucket>;
      keys: Map<string, Metrics>;
      entities: Map<string, Bucket>;
    }
  >();
  for (const r of rows) {
    totals.add(r);
    let d = days.get(r.day);
    if (!d) {
      d = {
        metrics: new Metrics(),
        models: new Map(),
        groups: new Map(),
        providers: new Map(),
        keys: new Map(),
        entities: new Map(),
      };
      days.set(r.day, d);
    }
    d.metrics.add(r);
    if (r.model) {
      const b = bucket(d.models, r.model);
      b.metrics.add(r);
      keyMetrics(b.keys, r.api_key).add(r);
    }
    const groupName = r.model_group || r.model;
    if (groupName) {
      const b = bucket(d.groups, groupName);
      b.metrics.add(r);
      keyMetrics(b.keys, r.api_key).add(r);
    }
    bucket(d.providers, r.provider || 'unknown').metrics.add(r);
    keyMetrics(d.keys, r.api_key).add(r);
    if (ent) {
      const b = bucket(d.entities, r.entity || 'Unassigned');
      b.metrics.add(r);
      keyMetrics(b.keys, r.api_key).add(r);
    }
  }

  const allDays = [...days.entries()]; // newest first (ORDER BY day DESC)
  const totalPages = Math.max(1, Math.ceil(allDays.length / o.pageSize));
  const pageDays = allDays.slice((o.page - 1) * o.pageSize, o.page * o.pageSize);
  const withKeys = (b: Bucket) => ({
    metrics: b.metrics.toJSONShape(),
    metadata: {},
    api_key_breakdown: Object.fromEntries(
      [...b.keys.entries()].map(([k, m]) => [k, { metrics: m.toJSONShape(), metadata: keyMeta(k) }]),
    ),
  });
  const results = pageDays.map(([day, d]) => ({
    date: day,
    metrics: d.metrics.toJSONShape(),
    breakdown: {
      models: Object.fromEntries([...d.models.entries()].map(([k, b]) => [k, withKeys(b)])),
      model_groups: Object.fromEntries([...d.groups.entries()].map(([k, b]) => [k, withKeys(b)])),
      providers: Object.fromEntries(
        [...d.providers.entries()].map(([k, b]) => [k, { metrics: b.metrics.toJSONShape(), metadata: {} }]),
      ),
      api_keys: Object.fromEntries(
        [...d.keys.entries()].map(([k, m]) => [k, { metrics: m.toJSONShape(), metadata: keyMeta(k) }]),
      ),
      mcp_servers: {},
      endpoints: {},
      entities: Object.fromEntries(
        [...d.entities.entries()].map(([k, b]) => [k, { ...withKeys(b), metadata: ent?.meta?.get(k) ?? {} }]),
      ),
    },
  }));
  const t = totals.toJSONShape();
  const body = {
    results,
    metadata: {
      total_spend: t.spend,
      total_prompt_tokens: t.prompt_tokens,
      total_completion_tokens: t.completion_tokens,
      total_tokens: t.total_tokens,
      total_api_requests: t.api_requests,
      total_successful_requests: t.successful_requests,
      total_failed_requests: t.failed_requests,
      total_cache_read_input_tokens: t.cache_read_input_tokens,
      total_cache_creation_input_tokens: t.cache_creation_input_tokens,
      page: o.page,
      total_pages: totalPages,
      has_more: o.page < totalPages,
    },
  };
  const pageSet = new Set(pageDays.map(([d]) => d));
  return {
    body,
    table: () => ({
      columns: [
        'date',
        'api_key',
        'model',
        'model_group',
        'provider',
        'spend',
        'prompt_tokens',
        'completion_tokens',
        'total_tokens',
        'api_requests',
        'failed_requests',
      ],
      rows: rows
        .filter((r) => pageSet.has(r.day))
        .map((r) => [
          r.day,
          r.api_key,
          r.model,
          r.model_group,
          r.provider,
          exact(r.spend),
          toInt(r.prompt_tokens),
          toInt(r.completion_tokens),
          toInt(r.total_tokens),
          toInt(r.requests),
          toInt(r.failed),
        ]),
    }),
  };
}
