/**
 * @module access/records
 * The in-process shape of keys, internal users, teams and customers as read from tg_keys,
 * tg_users, tg_teams and tg_customers, with money parsed to exact Money and times to epoch ms.
 */
import { type Money, parseMoney } from '../pricing/money.js';
import { type Duration, parseDuration } from './duration.js';

/** Counter/budget entity types, as in tg_spend_totals.entity_type. */
export type EntityType = 'key' | 'user' | 'team' | 'end_user';

/** What budgets and limits need from any entity. */
export interface BudgetFields {
  maxBudget: Money | null;
  softBudget: Money | null;
  budgetDuration: Duration | null;
  /** Epoch ms; end of the current budget period as stored. */
  budgetResetAt: number | null;
  tpmLimit: number | null;
  rpmLimit: number | null;
  maxParallelRequests: number | null;
}

export interface KeyRecord extends BudgetFields {
  tokenHash: string;
  keyName: string | null;
  keyAlias: string | null;
  userId: string | null;
  teamId: string | null;
  models: string[];
  metadata: Record<string, unknown>;
  tags: string[];
  permissions: Record<string, boolean>;
  blocked: boolean;
  expiresAt: number | null;
  createdBy: string | null;
  createdAt: number;
  updatedAt: number;
  raw: Record<string, unknown>;
}

export interface UserRecord extends BudgetFields {
  userId: string;
  userEmail: string | null;
  userRole: string;
  models: string[];
  metadata: Record<string, unknown>;
  raw: Record<string, unknown>;
}

export interface TeamRecord extends BudgetFields {
  teamId: string;
  teamAlias: string | null;
  models: string[];
  metadata: Record<string, unknown>;
  blocked: boolean;
  raw: Record<string, unknown>;
}

export interface CustomerRecord extends BudgetFields {
  userId: string;
  alias: string | null;
  blocked: boolean;
  metadata: Record<string, unknown>;
  raw: Record<string, unknown>;
}

type Row = Record<string, unknown>;

export function toMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  const t = new Date(String(v)).getTime();
  return Number.isNaN(t) ? null : t;
}

function money(v: unknown): Money | null {
  return v === null || v === undefined ? null : parseMoney(String(v));
}

function int(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as T;
    } catch {
      return fallback;
    }
  }
  return v as T;
}

function duration(v: unknown): Duration | null {
  if (typeof v !== 'string' || v === '') return null;
  try {
    return parseDuration(v);
  } catch {
    return null;
  }
}

function budgetFields(r: Row): BudgetFields {
  return {
    maxBudget: money(r.max_budget),
    softBudget: money(r.soft_budget),
    budgetDuration: duration(r.budget_duration),
    budgetResetAt: toMs(r.budget_reset_at),
    tpmLimit: int(r.tpm_limit),
    rpmLimit: int(r.rpm_limit),
    maxParallelRequests: int(r.max_parallel_requests),
  };
}

export function keyFromRow(r: Row): KeyRecord {
  const metadata = json<Record<string, unknown>>(r.metadata, {});
  const tags = json<string[]>(r.tags, []);
  return {
    ...budgetFields(r),
    tokenHash: String(r.token_hash),
    keyName: (r.key_name as string | null) ?? null,
    keyAlias: (r.key_alias as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    teamId: (r.team_id as string | null) ?? null,
    models: json<string[]>(r.models, []),
    metadata,
    tags,
    permissions: json<Record<string, boolean>>(r.permissions, {}),
    blocked: Boolean(r.blocked),
    expiresAt: toMs(r.expires_at),
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: toMs(r.created_at) ?? 0,
    updatedAt: toMs(r.updated_at) ?? 0,
    raw: r,
  };
}

export function userFromRow(r: Row): UserRecord {
  return {
    ...budgetFields(r),
    userId: String(r.user_id),
    userEmail: (r.user_email as string | null) ?? null,
    userRole: String(r.user_role ?? 'internal_user'),
    models: json<string[]>(r.models, []),
    metadata: json<Record<string, unknown>>(r.metadata, {}),
    raw: r,
  };
}

export function teamFromRow(r: Row): TeamRecord {
  return {
    ...budgetFields(r),
    teamId: String(r.team_id),
    teamAlias: (r.team_alias as string | null) ?? null,
    models: json<string[]>(r.models, []),
    metadata: json<Record<string, unknown>>(r.metadata, {}),
    blocked: Boolean(r.blocked),
    raw: r,
  };
}

export function customerFromRow(r: Row): CustomerRecord {
  return {
    ...budgetFields({
      ...r,
      soft_budget: null,
      tpm_limit: null,
      rpm_limit: null,
      max_parallel_requests: null,
    }),
    userId: String(r.user_id),
    alias: (r.alias as string | null) ?? null,
    blocked: Boolean(r.blocked),
    metadata: json<Record<string, unknown>>(r.metadata, {}),
    raw: r,
  };
}

/** `key:<hash>`, `user:<id>`… — the counter reference of an entity. */
export function entityRef(type: EntityType, id: string): string {
  return `${type}:${id}`;
}

export function splitRef(ref: string): { type: EntityType; id: string } {
  const i = ref.indexOf(':');
  return { type: ref.slice(0, i) as EntityType, id: ref.slice(i + 1) };
}

/** Table, id column and tg_spend_totals entity_type per entity type. */
export const ENTITY_TABLES: Record<EntityType, { table: string; id: string }> = {
  key: { table: 'tg_keys', id: 'token_hash' },
  user: { table: 'tg_users', id: 'user_id' },
  team: { table: 'tg_teams', id: 'team_id' },
  end_user: { table: 'tg_customers', id: 'user_id' },
};
