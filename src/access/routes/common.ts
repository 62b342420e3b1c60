/**
 * @module access/routes/common
 * Request parsing for the management routes: zod fields with LiteLLM's names, exact money in and
 * out, durations, and the errors they answer with.
 */
import { z } from 'zod';
import { boundJson, CLIENT_METADATA_LIMITS } from '../../bounded-json.js';
import { GatewayError } from '../../errors.js';
import { formatMoney, type Money, parseMoney } from '../../pricing/money.js';
import { addDuration, parseDuration } from '../duration.js';

/** Ids, aliases, emails, raw keys: far below what a PostgreSQL index row can hold. */
export const MAX_ID_CHARS = 1024;
/** rpm/tpm limits (bigint columns, compared as doubles in Lua): exact up to 2^53. */
export const MAX_RATE_LIMIT = Number.MAX_SAFE_INTEGER;
/** max_parallel_requests (integer column). */
export const MAX_PARALLEL = 1_000_000;

export const moneyField = z.union([z.number(), z.string().max(64)]).nullish();
export const intField = z.number().int().min(0).max(MAX_RATE_LIMIT).nullish();
export const parallelField = z.number().int().min(0).max(MAX_PARALLEL).nullish();
export const durationField = z.string().max(64).nullish();
export const stringList = z.array(z.string().max(MAX_ID_CHARS)).max(10_000).nullish();
export const optString = z.string().max(MAX_ID_CHARS).nullish();

/** Metadata (and permissions) objects, bounded like request metadata (CLIENT_METADATA_LIMITS). */
export const record = z
  .record(z.string(), z.unknown())
  .nullish()
  .superRefine((v, ctx) => {
    if (v === null || v === undefined) return;
    const b = boundJson(v, CLIENT_METADATA_LIMITS);
    if (b.cuts.length === 0) return;
    const l = CLIENT_METADATA_LIMITS;
    ctx.addIssue({
      code: 'custom',
      message: b.cuts.includes('depth')
        ? `nested too deeply (at most ${l.maxDepth} levels)`
        : b.cuts.includes('keys')
          ? `too many keys (at most ${l.maxKeys} in all)`
          : `too large (at most ${l.maxBytes} bytes of JSON)`,
    });
  });

/**
 * LiteLLM fields that Tollgate does not enforce: refused by name (never accepted and silently ignored, which
 * would let a user believe a limit is in force). Per-model budgets and limits and budget objects are enforced
 * (access/extra-limits.ts) where the route's schema accepts them.
 */
const NOT_ENFORCED: Readonly<Record<string, string>> = {
  allowed_routes: 'per-key route restrictions are not enforced by Tollgate',
  enforced_params: 'enforced request parameters are not supported by Tollgate',
  guardrails: 'guardrails are not supported by Tollgate',
  aliases: 'per-key model aliases are not supported by Tollgate',
  config: 'per-key config is not supported by Tollgate',
  allowed_cache_controls:
    'per-key cache controls are not supported by Tollgate (the cache follows cache_params)',
  soft_budget_cooldown: 'not supported by Tollgate',
  object_permission: 'MCP / vector-store permissions are not supported by Tollgate',
  organization_id: 'organizations are not supported by Tollgate',
  prompts: 'prompt management is not supported by Tollgate',
  rotation_interval: 'automatic key rotation is not supported by Tollgate',
  auto_rotate: 'automatic key rotation is not supported by Tollgate',
  enforce_rbac: 'not supported by Tollgate',
  allowed_passthrough_routes: 'pass-through routes are not supported by Tollgate',
};

function unknownFieldError(fields: string[], known: string[]): GatewayError {
  const first = fields[0];
  const reasons = fields.map((f) => `"${f}" (${NOT_ENFORCED[f] ?? 'not a field this route supports'})`);
  return new GatewayError(
    'TG_ERR_BAD_REQUEST',
    `Unsupported field${fields.length > 1 ? 's' : ''} ${reasons.join(', ')}: refused rather than ignored. Supported fields: ${known.join(', ')}.`,
    { param: first },
  );
}

/**
 * Parses a body with a zod object schema. A field the schema does not know is refused with a 400 naming it:
 * Tollgate never accepts a field and ignores it.
 */
export function parseBody<T extends z.ZodTypeAny>(schema: T, body: unknown): z.infer<T> {
  const strict = schema instanceof z.ZodObject ? schema.strict() : schema;
  const r = strict.safeParse(body ?? {});
  if (!r.success) {
    const unknown = r.error.issues.find((i) => i.code === 'unrecognized_keys');
    if (unknown && 'keys' in unknown && schema instanceof z.ZodObject) {
      throw unknownFieldError([...(unknown.keys as string[])], Object.keys(schema.shape));
    }
    const issue = r.error.issues[0];
    const path = issue.path.join('.');
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      `Invalid request${path ? ` field "${path}"` : ''}: ${issue.message}`,
      {
        param: path || undefined,
      },
    );
  }
  return r.data as z.infer<T>;
}

/** Money from JSON (number or decimal text), >= 0. undefined/null → undefined (not set). */
export function toMoney(v: number | string | null | undefined, field: string): Money | undefined {
  if (v === null || v === undefined) return undefined;
  let m: Money;
  try {
    m = parseMoney(v);
  } catch {
    throw new GatewayError(
      'TG_ERR_BAD_REQUEST',
      `Invalid ${field}: expected a number of USD, got ${JSON.stringify(v)}.`,
      {
        param: field,
      },
    );
  }
  if (m < 0n)
    throw new GatewayError('TG_ERR_BAD_REQUEST', `Invalid ${field}: must not be negative.`, { param: field });
  return m;
}

/** Validates a duration and returns now + duration as a Date. */
export function durationEnd(text: string, now: number, field: string): Date {
  try {
    return new Date(addDuration(now, parseDuration(text)));
  } catch (err) {
    throw new GatewayError('TG_ERR_BAD_REQUEST', `Invalid ${field}: ${(err as Error).message}.`, {
      param: field,
    });
  }
}

export function badRequest(message: string, param?: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST', message, { param });
}

export function notFound(message: string): GatewayError {
  return new GatewayError('TG_ERR_NOT_FOUND', message);
}

export function iso(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Validates model names against the configured model groups (skipped when none are configured). */
export function checkModels(
  models: readonly string[] | null | undefined,
  known: string[],
  field = 'models',
): void {
  if (!models || models.length === 0 || known.length === 0) return;
  const special = new Set(['*', 'all-proxy-models', 'all-team-models', 'no-default-models']);
  // A configured wildcard model_name ("*", "openai/*", "claude-*") serves every name it matches.
  const patterns = known
    .filter((k) => k.includes('*'))
    .map(
      (k) =>
        new RegExp(
          `^${k
            .split('*')
            .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
            .join('.*')}$`,
          's',
        ),
    );
  const unknown = models.filter(
    (m) => !special.has(m) && !m.endsWith('*') && !known.includes(m) && !patterns.some((re) => re.test(m)),
  );
  if (unknown.length > 0) {
    throw badRequest(
      `Unknown model${unknown.length > 1 ? 's' : ''} in ${field}: ${unknown.join(', ')}. Configured model groups: ${known.join(', ')}.`,
      field,
    );
  }
}

/** Budget columns shared by keys, users, teams (and customers without soft budget / limits). */
export interface BudgetInput {
  max_budget?: number | string | null;
  soft_budget?: number | string | null;
  budget_duration?: string | null;
  tpm_limit?: number | null;
  rpm_limit?: number | null;
  max_parallel_requests?: number | null;
}

/** Columns to write for the budget fields present (null/absent = leave as is, like LiteLLM). */
export function budgetColumns(
  input: BudgetInput,
  now: number,
  opts: { soft?: boolean; limits?: boolean } = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const max = toMoney(input.max_budget, 'max_budget');
  if (max !== undefined) out.max_budget = formatMoney(max);
  if (opts.soft !== false) {
    const soft = toMoney(input.soft_budget, 'soft_budget');
    if (soft !== undefined) out.soft_budget = formatMoney(soft);
  }
  if (input.budget_duration) {
    out.budget_reset_at = durationEnd(input.budget_duration, now, 'budget_duration');
    out.budget_duration = input.budget_duration;
  }
  if (opts.limits !== false) {
    if (input.tpm_limit !== null && input.tpm_limit !== undefined) out.tpm_limit = input.tpm_limit;
    if (input.rpm_limit !== null && input.rpm_limit !== undefined) out.rpm_limit = input.rpm_limit;
    if (input.max_parallel_requests !== null && input.max_parallel_requests !== undefined) {
      out.max_parallel_requests = input.max_parallel_requests;
    }
  }
  return out;
}

export const budgetSchema = {
  max_budget: moneyField,
  soft_budget: moneyField,
  budget_duration: durationField,
  tpm_limit: intField,
  rpm_limit: intField,
  max_parallel_requests: parallelField,
};
