/**
 * @module access/admission
 * admit(): blocked checks, model access, then one atomic reserve across every entity the request
 * is charged to (key, internal user, team, customer): rate limits, parallel slots and, in strict
 * mode, a reservation of the request's worst-case cost against each max_budget. settle() swaps the
 * reservation for the real cost and raises soft-budget alerts.
 */
import { GatewayError } from '../errors.js';
import { formatMoney, type Money, parseMoney } from '../pricing/money.js';
import { checkUsable } from './auth.js';
import type { AccessCore } from './core.js';
import type { CounterBackend, EntityLimits, Failure } from './counters/types.js';
import type { ExtraType } from './extra-limits.js';
import { money } from './json.js';
import type { BudgetFields, EntityType, KeyRecord } from './records.js';
import type { Admission, AdmissionRequest, AuthContext } from './types.js';

/** What a budget/limit error calls an entity, and its limits. */
interface Label {
  type: EntityType | ExtraType;
  id: string;
  name: string;
  /** key | user | team | customer | model_max_budget | max_budget_in_team | tag */
  param: string;
  rec: BudgetFields;
}

/** Admission whose settle can be awaited (the contract's void return is satisfied by a Promise). */
export interface SettleableAdmission extends Admission {
  settle(costUsd: string, totalTokens: number): Promise<void>;
}

const NOOP: SettleableAdmission = Object.freeze({ settle: async () => {} });

export async function admit(
  core: AccessCore,
  auth: AuthContext,
  req: AdmissionRequest,
): Promise<SettleableAdmission> {
  const now = core.now();
  const entities: EntityLimits[] = [];
  const labels: Label[] = [];
  const add = (label: Label & { type: EntityType }) => {
    const l = core.limitsFor(label.type, label.id, label.rec, now);
    if (l) {
      entities.push(l);
      labels.push(label);
    }
  };

  let keyRec: KeyRecord | null = null;
  // The master key has no key record (its hash is only what spend logs show), so no key limits apply to it.
  if (auth.keyHash !== '' && !auth.isMaster) {
    const key = await core.keys.get(auth.keyHash);
    keyRec = key;
    if (!key) throw new GatewayError('TG_ERR_BAD_KEY', 'Invalid API key: the key was deleted.');
    checkUsable(key, now);
    const team = key.teamId ? await core.teams.get(key.teamId) : null;
    const user = key.userId ? await core.users.get(key.userId) : null;
    if (team?.blocked) {
      throw new GatewayError(
        'TG_ERR_FORBIDDEN',
        `Team "${team.teamAlias ?? team.teamId}" is blocked: every key of the team is refused (unblock with /team/unblock).`,
      );
    }
    checkModel(key.models, req.modelGroup, `this key (${keyName(key)})`);
    if (team) checkModel(team.models, req.modelGroup, `team "${team.teamAlias ?? team.teamId}"`);
    add({ type: 'key', id: key.tokenHash, name: `key ${keyName(key)}`, param: 'key', rec: key });
    if (user)
      add({
        type: 'user',
        id: user.userId,
        name: `internal user "${user.userId}"`,
        param: 'user',
        rec: user,
      });
    if (team)
      add({
        type: 'team',
        id: team.teamId,
        name: `team "${team.teamAlias ?? team.teamId}"`,
        param: 'team',
        rec: team,
      });
  }
  if (req.endUser) {
    const c = await core.customer(req.endUser);
    if (c) {
      if (c.blocked) {
        throw new GatewayError(
          'TG_ERR_CUSTOMER_BLOCKED',
          `Customer "${c.userId}" is blocked: requests with "user": "${c.userId}" are refused (unblock with /customer/unblock).`,
        );
      }
      add({ type: 'end_user', id: c.userId, name: `customer "${c.userId}"`, param: 'customer', rec: c });
    }
  }
  const tags = req.tags ?? [];
  const extra = core.extra.needs(keyRec, tags)
    ? await core.extra.forRequest(keyRec, req.modelGroup, tags, now)
    : [];
  for (const x of extra) {
    entities.push(x.limits);
    labels.push({ type: x.type, id: x.id, name: x.name, param: x.param, rec: x.rec });
  }
  if (entities.length === 0) return NOOP;

  let amount: Money;
  try {
    amount = parseMoney(req.maxCostUsd);
  } catch (err) {
    throw new GatewayError('TG_ERR_INTERNAL', 'Invalid worst-case cost for budget reservation.', {
      cause: err,
    });
  }
  if (amount < 0n) amount = 0n;
  let ceiling = amount;
  if (core.opts.strict && req.ceilingCostUsd !== undefined) {
    try {
      const c = parseMoney(req.ceilingCostUsd);
      if (c > ceiling) ceiling = c;
    } catch {
      // keep the reservation amount: the ceiling only ever tightens admission
    }
  }
  const strict = core.opts.strict;
  const input = {
    requestId: req.requestId,
    now,
    amount,
    ceiling,
    promptTokens: Math.max(0, Math.floor(req.promptTokens || 0)),
    strict,
    expiresAt: now + core.opts.reservationTtlMs,
    entities,
  };
  for (let attempt = 0; attempt < 4; attempt++) {
    const { backend, value } = await core.counters.run((b) => b.reserve(input));
    if (value.ok) return makeAdmission(core, backend, req, input.promptTokens, entities, labels);
    if ('unseeded' in value) {
      await Promise.all(value.unseeded.map((i) => core.seedFromDb(backend, entities[i])));
      continue;
    }
    const f = value.failure;
    if (f.kind === 'budget') {
      const l = labels[f.index];
      const pe = entities[f.index].periodEnd;
      core.alerter.send({
        type: 'budget_alerts',
        dedupeKey: `budget:${l.type}:${l.id}:${pe}`,
        event: 'budget_crossed',
        message: `Budget reached for ${l.name}: spend ${formatMoney(f.spend)} USD, max_budget ${formatMoney(l.rec.maxBudget ?? 0n)} USD; requests are refused${pe > 0 ? ` until ${new Date(pe).toISOString()}` : ''}.`,
        fields: {
          entity_type: l.type,
          entity_id: l.id,
          spend: money(f.spend),
          max_budget: money(l.rec.maxBudget),
        },
      });
    }
    throw limitError(f, labels[f.index], amount, strict);
  }
  throw new GatewayError('TG_ERR_INTERNAL', 'Budget counters could not be initialised.');
}

function makeAdmission(
  core: AccessCore,
  backend: CounterBackend,
  req: AdmissionRequest,
  promptTokens: number,
  entities: EntityLimits[],
  labels: Label[],
): SettleableAdmission {
  let settled = false;
  return {
    async settle(costUsd: string, totalTokens: number): Promise<void> {
      if (settled) return;
      settled = true;
      try {
        let cost: Money;
        try {
          cost = parseMoney(costUsd);
        } catch {
          core.logger.error({ requestId: req.requestId }, 'settle called with an invalid cost; counting 0');
          cost = 0n;
        }
        const input = {
          requestId: req.requestId,
          now: core.now(),
          cost: cost < 0n ? 0n : cost,
          extraTokens: Math.floor((totalTokens || 0) - promptTokens),
          entities,
        };
        const res = await core.counters.settle(backend, input);
        for (const { index, spend } of res.softCrossed) {
          const l = labels[index];
          const e = entities[index];
          core.alerter.softBudget({
            entity_type: l.type,
            entity_id: l.id,
            entity: l.name,
            spend,
            soft_budget: e.softBudget ?? 0n,
            max_budget: e.maxBudget,
            period_end: e.periodEnd > 0 ? new Date(e.periodEnd).toISOString() : null,
          });
        }
      } catch (err) {
        core.logger.error({ err, requestId: req.requestId }, 'budget settle failed');
      }
    },
  };
}

function keyName(k: KeyRecord): string {
  return k.keyAlias
    ? `"${k.keyAlias}" (${k.keyName ?? k.tokenHash.slice(0, 12)})`
    : (k.keyName ?? k.tokenHash.slice(0, 12));
}

/** Empty = all models. Supports `*`, `all-proxy-models`, `all-team-models` and `prefix/*` wildcards. */
export function modelAllowed(models: readonly string[], model: string): boolean {
  if (models.length === 0) return true;
  for (const m of models) {
    if (m === model || m === '*' || m === 'all-proxy-models' || m === 'all-team-models') return true;
    if (m.endsWith('*') && model.startsWith(m.slice(0, -1))) return true;
  }
  return false;
}

function checkModel(models: readonly string[], model: string, who: string): void {
  if (modelAllowed(models, model)) return;
  throw new GatewayError(
    'TG_ERR_MODEL_NOT_ALLOWED',
    `Model "${model}" is not allowed for ${who}. Allowed models: ${models.join(', ')}.`,
    { param: 'model' },
  );
}

function limitError(f: Failure, l: Label, amount: Money, strict: boolean): GatewayError {
  if (f.kind === 'budget') {
    const max = l.rec.maxBudget ?? 0n;
    const parts = [`current spend ${formatMoney(f.spend)} USD`];
    if (strict) {
      if (f.reserved > 0n) parts.push(`reserved by requests in flight ${formatMoney(f.reserved)} USD`);
      parts.push(`this request may cost up to ${formatMoney(amount)} USD`);
    }
    return new GatewayError(
      'TG_ERR_BUDGET_EXCEEDED',
      `Budget has been exceeded for ${l.name}: ${parts.join(', ')}; max_budget ${formatMoney(max)} USD.`,
      { param: l.param },
    );
  }
  const retryS = Math.max(1, Math.ceil(f.retryAfterMs / 1000));
  const headers = { 'retry-after': String(retryS) };
  if (f.kind === 'budget_busy') {
    const max = l.rec.maxBudget ?? 0n;
    return new GatewayError(
      'TG_ERR_RATE_LIMITED',
      `Budget nearly used for ${l.name}: current spend ${formatMoney(f.spend)} USD and ${f.inFlight} request${f.inFlight === 1 ? '' : 's'} in flight that may cost up to ${formatMoney(f.ceilings)} USD leave no room next to them for this one; max_budget ${formatMoney(max)} USD. Requests near the budget run one at a time: retry after ${retryS} s.`,
      { headers, param: 'max_budget' },
    );
  }
  if (f.kind === 'parallel') {
    return new GatewayError(
      'TG_ERR_RATE_LIMITED',
      `Rate limit exceeded for ${l.name}: max_parallel_requests ${l.rec.maxParallelRequests} reached (${f.used} requests in flight). Retry after ${retryS} s.`,
      { headers, param: 'max_parallel_requests' },
    );
  }
  const limit = f.kind === 'rpm' ? l.rec.rpmLimit : l.rec.tpmLimit;
  const unit = f.kind === 'rpm' ? 'requests' : 'tokens';
  return new GatewayError(
    'TG_ERR_RATE_LIMITED',
    `Rate limit exceeded for ${l.name}: ${f.kind}_limit ${limit} reached (${f.used} ${unit} this minute). Retry after ${retryS} s.`,
    { headers, param: `${f.kind}_limit` },
  );
}
