/**
 * @module access/extra-limits
 * The budgets and limits LiteLLM has beyond key/user/team/customer, checked in the same atomic
 * reserve as those: per-model budgets and rpm/tpm on a key (`model_max_budget`, `model_rpm_limit`,
 * `model_tpm_limit`), a member's budget inside a team (`max_budget_in_team`), and tag budgets
 * (tg_tags). Each is one more counter entity:
 *
 *   key_model:<key hash>:<model group>   team_member:<team>:<user>   tag:<name>
 *
 * Their counters are seeded from the rollups for the current period (tg_spend_hourly /
 * tg_spend_hourly_tags, hour >= period start: exact for hour-aligned periods, and never lower than
 * the real spend otherwise), and reset lazily at each period boundary by the counter scripts.
 * Lookups never wait on the database on the hot path: tag names are a known set refreshed every
 * second, memberships are cached (refreshed in the background after 1 s).
 */
import { type Money, parseMoney } from '../pricing/money.js';
import { RecordCache } from './cache.js';
import type { AccessCore } from './core.js';
import { periodEndOf } from './core.js';
import type { CounterBackend, EntityLimits } from './counters/types.js';
import { addDuration, currentPeriodEnd, type Duration, parseDuration } from './duration.js';
import type { BudgetFields, KeyRecord } from './records.js';

export type ExtraType = 'key_model' | 'team_member' | 'tag';

export interface ExtraLimit {
  limits: EntityLimits;
  type: ExtraType;
  id: string;
  name: string;
  param: string;
  rec: BudgetFields;
}

const NO_LIMITS: BudgetFields = {
  maxBudget: null,
  softBudget: null,
  budgetDuration: null,
  budgetResetAt: null,
  tpmLimit: null,
  rpmLimit: null,
  maxParallelRequests: null,
};

interface MemberRecord extends BudgetFields {
  teamId: string;
  userId: string;
}

interface TagRecord extends BudgetFields {
  tagName: string;
}

function money(v: unknown): Money | null {
  if (v === null || v === undefined) return null;
  try {
    return parseMoney(String(v));
  } catch {
    return null;
  }
}

function duration(v: unknown): Duration | null {
  if (typeof v !== 'string' || v === '') return null;
  try {
    return parseDuration(v);
  } catch {
    return null;
  }
}

function int(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.floor(n) : null;
}

function json(v: unknown): Record<string, unknown> | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') {
    try {
      return JSON.parse(v) as Record<string, unknown>;
    } catch {
      return null;
    }
  }
  return typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The period grid of a budget without a stored anchor: whole durations since the epoch (UTC). */
function epochPeriodEnd(d: Duration, now: number): number {
  if (d.months === 0) return (Math.floor(now / d.ms) + 1) * d.ms;
  return currentPeriodEnd(0, d, now);
}

function periodStart(end: number, d: Duration): number {
  if (d.months === 0) return end - d.ms;
  const x = new Date(end);
  x.setUTCMonth(x.getUTCMonth() - d.months);
  return x.getTime();
}

export class ExtraLimits {
  private tagNames: Set<string> | null = null;
  readonly tags: RecordCache<TagRecord>;
  readonly members: RecordCache<MemberRecord>;
  private timer: NodeJS.Timeout | null = null;
  /** Durations of the extra entities seen, by counter ref (for seeding). */
  private readonly periods = new Map<string, Duration | null>();

  constructor(private readonly core: AccessCore) {
    const opts = {
      ttlMs: 1_000,
      negativeTtlMs: 1_000,
      maxEntries: 100_000,
      now: core.now,
      staleNegative: true,
      onError: (err: unknown) => core.logger.warn({ err }, 'limit cache refresh failed'),
    };
    this.tags = new RecordCache((name) => this.loadTag(name), opts);
    this.members = new RecordCache((id) => this.loadMember(id), opts);
  }

  async start(): Promise<void> {
    // Without the database (allow_requests_on_db_unavailable) the gateway still starts: tag limits
    // apply from the first refresh that reaches it (every second below).
    await this.refreshTagNames().catch((err) =>
      this.core.logger.warn(
        { err: String(err) },
        'tag names not loaded; tag limits apply once the database answers',
      ),
    );
    this.timer = setInterval(() => {
      this.refreshTagNames().catch((err) => this.core.logger.debug({ err }, 'tag name refresh failed'));
    }, 1_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async refreshTagNames(): Promise<void> {
    const r = await this.core.db.query<{ tag_name: string }>('SELECT tag_name FROM tg_tags');
    this.tagNames = new Set(r.rows.map((x) => x.tag_name));
  }

  /** A tag created or changed on this replica: visible here at once (others within a second). */
  touchTag(name: string): void {
    this.tagNames?.add(name);
    this.tags.invalidate(name);
  }

  touchMember(teamId: string, userId: string): void {
    this.members.invalidate(`${teamId}\0${userId}`);
  }

  private async loadTag(name: string): Promise<TagRecord | null> {
    const r = await this.core.db.query<Record<string, unknown>>('SELECT * FROM tg_tags WHERE tag_name = $1', [
      name,
    ]);
    const row = r.rows[0];
    if (!row) return null;
    return {
      tagName: name,
      maxBudget: money(row.max_budget),
      softBudget: money(row.soft_budget),
      budgetDuration: duration(row.budget_duration),
      budgetResetAt: row.budget_reset_at ? new Date(String(row.budget_reset_at)).getTime() : null,
      tpmLimit: int(row.tpm_limit),
      rpmLimit: int(row.rpm_limit),
      maxParallelRequests: int(row.max_parallel_requests),
    };
  }

  private async loadMember(id: string): Promise<MemberRecord | null> {
    const [teamId, userId] = id.split('\0');
    const r = await this.core.db.query<Record<string, unknown>>(
      'SELECT * FROM tg_team_members WHERE team_id = $1 AND user_id = $2',
      [teamId, userId],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      ...NO_LIMITS,
      teamId,
      userId,
      maxBudget: money(row.max_budget_in_team),
      budgetDuration: duration(row.budget_duration),
      tpmLimit: int(row.tpm_limit),
      rpmLimit: int(row.rpm_limit),
    };
  }

  private limits(ref: string, rec: BudgetFields, periodEnd: number, d: Duration | null): EntityLimits | null {
    const track = rec.maxBudget !== null || rec.softBudget !== null;
    if (!track && rec.rpmLimit === null && rec.tpmLimit === null && rec.maxParallelRequests === null)
      return null;
    this.periods.set(ref, d);
    if (this.periods.size > 200_000) this.periods.clear();
    return {
      ref,
      track,
      maxBudget: rec.maxBudget,
      softBudget: rec.softBudget,
      periodEnd,
      rpm: rec.rpmLimit,
      tpm: rec.tpmLimit,
      parallel: rec.maxParallelRequests,
    };
  }

  /** Cheap, synchronous: whether forRequest can find anything (most requests: no). */
  needs(key: KeyRecord | null, tags: readonly string[]): boolean {
    if (key) {
      const raw = key.raw;
      if (raw.model_max_budget || raw.model_rpm_limit || raw.model_tpm_limit) return true;
      if (key.teamId && key.userId) return true;
    }
    if (tags.length && this.tagNames) for (const t of tags) if (this.tagNames.has(t)) return true;
    return false;
  }

  /** The extra limits a request is charged to (key per model, team membership, tags). */
  async forRequest(
    key: KeyRecord | null,
    modelGroup: string,
    tags: readonly string[],
    now: number,
  ): Promise<ExtraLimit[]> {
    const out: ExtraLimit[] = [];
    if (key) {
      const raw = key.raw;
      const mmb = json(raw.model_max_budget)?.[modelGroup] as Record<string, unknown> | undefined;
      const rpm = int(json(raw.model_rpm_limit)?.[modelGroup]);
      const tpm = int(json(raw.model_tpm_limit)?.[modelGroup]);
      if (mmb || rpm !== null || tpm !== null) {
        const d = duration(mmb?.time_period);
        const rec: BudgetFields = {
          ...NO_LIMITS,
          maxBudget: money(mmb?.budget_limit),
          rpmLimit: rpm,
          tpmLimit: tpm,
        };
        const ref = `key_model:${key.tokenHash}:${modelGroup}`;
        const l = this.limits(ref, rec, d ? epochPeriodEnd(d, now) : 0, d);
        if (l) {
          const name = `model "${modelGroup}" on key ${key.keyAlias ? `"${key.keyAlias}"` : (key.keyName ?? key.tokenHash.slice(0, 12))}`;
          out.push({
            limits: l,
            type: 'key_model',
            id: `${key.tokenHash}:${modelGroup}`,
            name,
            param: 'model_max_budget',
            rec,
          });
        }
      }
      if (key.teamId && key.userId) {
        const m = await this.members.get(`${key.teamId}\0${key.userId}`);
        if (m) {
          const ref = `team_member:${key.teamId}:${key.userId}`;
          const d = m.budgetDuration;
          const l = this.limits(ref, m, d ? epochPeriodEnd(d, now) : 0, d);
          if (l)
            out.push({
              limits: l,
              type: 'team_member',
              id: `${key.teamId}:${key.userId}`,
              name: `member "${key.userId}" of team "${key.teamId}"`,
              param: 'max_budget_in_team',
              rec: m,
            });
        }
      }
    }
    if (tags.length && this.tagNames) {
      for (const tag of tags) {
        if (!this.tagNames.has(tag)) continue;
        const t = await this.tags.get(tag);
        if (!t) continue;
        const end = periodEndOf(t, now);
        const l = this.limits(`tag:${tag}`, t, end, t.budgetDuration);
        if (l) out.push({ limits: l, type: 'tag', id: tag, name: `tag "${tag}"`, param: 'tag', rec: t });
      }
    }
    return out;
  }

  isExtraRef(ref: string): boolean {
    return ref.startsWith('key_model:') || ref.startsWith('team_member:') || ref.startsWith('tag:');
  }

  /** Seeds a counter from the rollups of its current period. */
  async seed(backend: CounterBackend, e: EntityLimits): Promise<void> {
    const d = this.periods.get(e.ref) ?? null;
    const start = e.periodEnd > 0 && d ? periodStart(e.periodEnd, d) : 0;
    const since = new Date(start);
    let sql: string;
    let params: unknown[];
    if (e.ref.startsWith('tag:')) {
      sql = `SELECT coalesce(sum(spend), 0)::text AS s FROM tg_spend_hourly_tags WHERE tag = $1 AND hour >= date_trunc('hour', $2::timestamptz)`;
      params = [e.ref.slice(4), since];
    } else if (e.ref.startsWith('team_member:')) {
      const [team, user] = e.ref.slice('team_member:'.length).split(':');
      sql = `SELECT coalesce(sum(spend), 0)::text AS s FROM tg_spend_hourly WHERE team_id = $1 AND "user" = $2 AND hour >= date_trunc('hour', $3::timestamptz)`;
      params = [team, user, since];
    } else {
      const rest = e.ref.slice('key_model:'.length);
      const i = rest.indexOf(':');
      sql = `SELECT coalesce(sum(spend), 0)::text AS s FROM tg_spend_hourly WHERE api_key = $1 AND model_group = $2 AND hour >= date_trunc('hour', $3::timestamptz)`;
      params = [rest.slice(0, i), rest.slice(i + 1), since];
    }
    const r = await this.core.db.query<{ s: string }>(sql, params);
    await backend.seed(e.ref, parseMoney(r.rows[0]?.s ?? '0'), e.periodEnd, 'missing');
  }
}

/** Used by tests and docs: the end of a `time_period` budget period containing `now`. */
export function modelBudgetPeriodEnd(timePeriod: string, now: number): number {
  return epochPeriodEnd(parseDuration(timePeriod), now);
}

export { addDuration };
