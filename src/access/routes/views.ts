/**
 * @module access/routes/views
 * LiteLLM-shaped JSON for keys (LiteLLM_VerificationToken), internal users, teams and customers
 * (LiteLLM_EndUserTable), with exact money and live spend.
 */
import type { Money } from '../../pricing/money.js';
import type { AccessCore } from '../core.js';
import { money } from '../json.js';
import type { CustomerRecord, KeyRecord, TeamRecord, UserRecord } from '../records.js';
import { iso } from './common.js';

function dur(d: { text: string } | null): string | null {
  return d ? d.text : null;
}

export async function keyView(
  core: AccessCore,
  k: KeyRecord,
  spend?: Money,
): Promise<Record<string, unknown>> {
  const s = spend ?? (await core.spendOf('key', k.tokenHash, k));
  return {
    token: k.tokenHash,
    key_name: k.keyName,
    key_alias: k.keyAlias,
    spend: money(s),
    max_budget: money(k.maxBudget),
    soft_budget: money(k.softBudget),
    expires: iso(k.raw.expires_at),
    models: k.models,
    aliases: {},
    config: {},
    user_id: k.userId,
    team_id: k.teamId,
    permissions: k.permissions,
    max_parallel_requests: k.maxParallelRequests,
    metadata: k.metadata,
    tags: k.tags,
    tpm_limit: k.tpmLimit,
    rpm_limit: k.rpmLimit,
    budget_duration: dur(k.budgetDuration) ?? (k.raw.budget_duration as string | null) ?? null,
    budget_reset_at: iso(k.raw.budget_reset_at),
    allowed_cache_controls: [],
    model_spend: {},
    model_max_budget: {},
    blocked: k.blocked,
    created_by: k.createdBy,
    created_at: iso(k.raw.created_at),
    updated_at: iso(k.raw.updated_at),
  };
}

export async function userView(
  core: AccessCore,
  u: UserRecord,
  teams: string[],
): Promise<Record<string, unknown>> {
  const spend = await core.spendOf('user', u.userId, u);
  return {
    user_id: u.userId,
    user_email: u.userEmail,
    user_alias: (u.metadata.user_alias as string | undefined) ?? null,
    user_role: u.userRole,
    teams,
    spend: money(spend),
    max_budget: money(u.maxBudget),
    soft_budget: money(u.softBudget),
    budget_duration: dur(u.budgetDuration),
    budget_reset_at: iso(u.raw.budget_reset_at),
    models: u.models,
    tpm_limit: u.tpmLimit,
    rpm_limit: u.rpmLimit,
    max_parallel_requests: u.maxParallelRequests,
    metadata: u.metadata,
    created_at: iso(u.raw.created_at),
    updated_at: iso(u.raw.updated_at),
  };
}

export interface MemberView {
  user_id: string;
  role: string;
  user_email: string | null;
}

export async function teamView(
  core: AccessCore,
  t: TeamRecord,
  members: MemberView[],
): Promise<Record<string, unknown>> {
  const spend = await core.spendOf('team', t.teamId, t);
  return {
    team_id: t.teamId,
    team_alias: t.teamAlias,
    members_with_roles: members.map((m) => ({ user_id: m.user_id, role: m.role, user_email: m.user_email })),
    admins: members.filter((m) => m.role === 'admin').map((m) => m.user_id),
    members: members.map((m) => m.user_id),
    metadata: t.metadata,
    spend: money(spend),
    max_budget: money(t.maxBudget),
    soft_budget: money(t.softBudget),
    budget_duration: dur(t.budgetDuration),
    budget_reset_at: iso(t.raw.budget_reset_at),
    models: t.models,
    tpm_limit: t.tpmLimit,
    rpm_limit: t.rpmLimit,
    max_parallel_requests: t.maxParallelRequests,
    blocked: t.blocked,
    created_at: iso(t.raw.created_at),
    updated_at: iso(t.raw.updated_at),
  };
}

export async function customerView(core: AccessCore, c: CustomerRecord): Promise<Record<string, unknown>> {
  const spend = await core.spendOf('end_user', c.userId, c);
  const hasBudget = c.maxBudget !== null || c.budgetDuration !== null;
  return {
    user_id: c.userId,
    alias: c.alias,
    blocked: c.blocked,
    spend: money(spend),
    max_budget: money(c.maxBudget),
    budget_duration: dur(c.budgetDuration),
    budget_reset_at: iso(c.raw.budget_reset_at),
    allowed_model_region: null,
    default_model: null,
    budget_id: null,
    metadata: c.metadata,
    litellm_budget_table: hasBudget
      ? {
          max_budget: money(c.maxBudget),
          budget_duration: dur(c.budgetDuration),
          budget_reset_at: iso(c.raw.budget_reset_at),
          soft_budget: null,
          tpm_limit: null,
          rpm_limit: null,
          max_parallel_requests: null,
        }
      : null,
    created_at: iso(c.raw.created_at),
    updated_at: iso(c.raw.updated_at),
  };
}
