/**
 * @module reports/focus
 * FinOps FOCUS 1.0 export: one charge row per hourly rollup row (UTC hour × key × user × team ×
 * customer × model × provider) so LLM spend loads into FinOps tools next to cloud bills. Costs are
 * exact decimals; every cost column carries the gateway-computed list-price cost (no discounts are
 * known to the gateway). Columns and values are listed in docs/REPORTS.md.
 */

import { exact } from '../pricing/exact-json.js';
import type { Db } from '../store/db.js';
import type { Table } from './csv.js';
import type { DayRange } from './params.js';
import { keyInfo, teamAliases } from './spend-report.js';
import { hourBounds, isoUtc, Params, toInt } from './sql.js';

export const FOCUS_VERSION = '1.0';

export const FOCUS_COLUMNS = [
  'AvailabilityZone',
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargeFrequency',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedCost',
  'ContractedUnitPrice',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'ListUnitPrice',
  'PricingCategory',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ServiceCategory',
  'ServiceName',
  'SkuId',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'Tags',
  'x_ApiKeyHash',
  'x_KeyAlias',
  'x_InternalUser',
  'x_Customer',
  'x_ModelGroup',
  'x_InputTokens',
  'x_OutputTokens',
  'x_CacheReadTokens',
  'x_CacheCreationTokens',
  'x_Requests',
  'x_FailedRequests',
] as const;

interface Row {
  start: string;
  end: string;
  bp_start: string;
  bp_end: string;
  api_key: string;
  user: string;
  team_id: string;
  end_user: string;
  model_group: string;
  model: string;
  provider: string;
  spend: string;
  prompt_tokens: string;
  completion_tokens: string;
  total_tokens: string;
  cache_read_tokens: string;
  cache_creation_tokens: string;
  requests: string;
  failed_requests: string;
}

/** FOCUS rows for the UTC days in `range` (time zone ignored: FOCUS periods are UTC instants). */
export async function focusExport(db: Db, range: DayRange): Promise<Table> {
  const p = new Params();
  const sql = `SELECT ${isoUtc('hour')} AS start, ${isoUtc("hour + interval '1 hour'")} AS end,
      ${isoUtc("date_trunc('month', hour, 'UTC')")} AS bp_start,
      ${isoUtc("date_trunc('month', hour, 'UTC') + interval '1 month'")} AS bp_end,
      api_key, "user", team_id, end_user, model_group, model, provider, spend::text AS spend,
      prompt_tokens::text AS prompt_tokens, completion_tokens::text AS completion_tokens,
      total_tokens::text AS total_tokens, cache_read_tokens::text AS cache_read_tokens,
      cache_creation_tokens::text AS cache_creation_tokens, requests::text AS requests,
      failed_requests::text AS failed_requests
    FROM tg_spend_hourly WHERE ${hourBounds(p, { ...range, timezone: 'UTC' })}
    ORDER BY hour, api_key, "user", team_id, end_user, model_group, model, provider`;
  const rows = (await db.query<Row>(sql, p.values)).rows;
  const teams = await teamAliases(
    db,
    rows.map((r) => r.team_id),
  );
  const keys = await keyInfo(
    db,
    rows.map((r) => r.api_key),
  );
  const iso = (t: string) => t.replace(/\.000000Z$/, 'Z');
  return {
    columns: [...FOCUS_COLUMNS],
    rows: rows.map((r) => {
      const cost = exact(r.spend);
      const keyAlias = keys.get(r.api_key)?.key_alias ?? null;
      const tags: Record<string, string> = {};
      if (r.api_key) tags['tollgate/api_key'] = r.api_key;
      if (keyAlias) tags['tollgate/key_alias'] = keyAlias;
      if (r.user) tags['tollgate/user'] = r.user;
      if (r.team_id) tags['tollgate/team_id'] = r.team_id;
      if (r.end_user) tags['tollgate/customer'] = r.end_user;
      if (r.model_group) tags['tollgate/model_group'] = r.model_group;
      const requests = toInt(r.requests);
      const input = toInt(r.prompt_tokens);
      const output = toInt(r.completion_tokens);
      const record: Record<(typeof FOCUS_COLUMNS)[number], unknown> = {
        AvailabilityZone: null,
        BilledCost: cost,
        BillingAccountId: 'tollgate',
        BillingAccountName: 'Tollgate LLM gateway',
        BillingCurrency: 'USD',
        BillingPeriodEnd: iso(r.bp_end),
        BillingPeriodStart: iso(r.bp_start),
        ChargeCategory: 'Usage',
        ChargeClass: null,
        ChargeDescription: `${r.model_group || r.model} via ${r.provider}: ${requests} requests, ${input} input + ${output} output tokens`,
        ChargeFrequency: 'Usage-Based',
        ChargePeriodEnd: iso(r.end),
        ChargePeriodStart: iso(r.start),
        CommitmentDiscountCategory: null,
        CommitmentDiscountId: null,
        CommitmentDiscountName: null,
        CommitmentDiscountStatus: null,
        CommitmentDiscountType: null,
        ConsumedQuantity: toInt(r.total_tokens),
        ConsumedUnit: 'Tokens',
        ContractedCost: cost,
        ContractedUnitPrice: null,
        EffectiveCost: cost,
        InvoiceIssuerName: r.provider,
        ListCost: cost,
        ListUnitPrice: null,
        PricingCategory: 'Standard',
        PricingQuantity: toInt(r.total_tokens),
        PricingUnit: 'Tokens',
        ProviderName: r.provider,
        PublisherName: r.provider,
        RegionId: null,
        RegionName: null,
        ResourceId: r.model,
        ResourceName: r.model,
        ResourceType: 'LLM Model',
        ServiceCategory: 'AI and Machine Learning',
        ServiceName: 'LLM Inference',
        SkuId: `${r.provider}/${r.model}`,
        SkuPriceId: null,
        SubAccountId: r.team_id || null,
        SubAccountName: r.team_id ? (teams.get(r.team_id) ?? r.team_id) : null,
        Tags: tags,
        x_ApiKeyHash: r.api_key || null,
        x_KeyAlias: keyAlias,
        x_InternalUser: r.user || null,
        x_Customer: r.end_user || null,
        x_ModelGroup: r.model_group || null,
        x_InputTokens: input,
        x_OutputTokens: output,
        x_CacheReadTokens: toInt(r.cache_read_tokens),
        x_CacheCreationTokens: toInt(r.cache_creation_tokens),
        x_Requests: requests,
        x_FailedRequests: toInt(r.failed_requests),
      };
      return FOCUS_COLUMNS.map((c) => record[c] as never);
    }),
  };
}
