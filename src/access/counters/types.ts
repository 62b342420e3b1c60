/**
 * @module access/counters/types
 * The budget and rate-limit counter backend: one atomic `reserve` per request (checks every
 * entity's limits, then applies all of them, or nothing) and one `settle`. Implemented in-process
 * (memory.ts) and in Redis with Lua scripts (redis.ts), so several gateway processes share them.
 *
 * Counter scheme: per budgeted entity the backend holds the running spend of the current budget
 * period (seeded once from tg_spend_totals, then advanced by `settle`), the sum of open
 * reservations, and the period marker (end of the period, epoch ms; 0 = no period). The counter is
 * the authority for budget checks; the ledger's tg_spend_totals is the durable record it is seeded
 * and reconciled from.
 */
import type { Money } from '../../pricing/money.js';

export interface EntityLimits {
  /** `key:<hash>`, `user:<id>`, `team:<id>`, `end_user:<id>`. */
  ref: string;
  /** Keep a spend counter for this entity (it has a max or soft budget). */
  track: boolean;
  maxBudget: Money | null;
  softBudget: Money | null;
  /** End of the current budget period (epoch ms), 0 when the budget never resets. */
  periodEnd: number;
  rpm: number | null;
  tpm: number | null;
  parallel: number | null;
}

export interface ReserveInput {
  requestId: string;
  now: number;
  /** Worst-case cost, reserved against every tracked entity with a max budget (strict mode). */
  amount: Money;
  /**
   * What the request could cost if the upstream ignored max_tokens (>= amount). A request is
   * admitted next to others on an entity only while spend + the ceilings of everything in flight
   * + this ceiling fit the max budget; alone it needs only its amount. So the final spend exceeds
   * max_budget by at most one request's true overshoot (settle, then block).
   */
  ceiling: Money;
  promptTokens: number;
  /** strict: spend + reservations + amount <= max; soft: spend < max, nothing reserved. */
  strict: boolean;
  /** Reservations and parallel slots not settled by then are dropped. */
  expiresAt: number;
  entities: EntityLimits[];
}

export type Failure =
  | { kind: 'budget'; index: number; spend: Money; reserved: Money }
  /** The budget fits this request alone, not next to the ones in flight: retry when they end. */
  | {
      kind: 'budget_busy';
      index: number;
      spend: Money;
      ceilings: Money;
      inFlight: number;
      retryAfterMs: number;
    }
  | { kind: 'rpm' | 'tpm'; index: number; used: number; retryAfterMs: number }
  | { kind: 'parallel'; index: number; used: number; retryAfterMs: number };

export type ReserveResult =
  | { ok: true }
  | { ok: false; failure: Failure }
  /** These entities have no counter yet: seed them from the database and retry. */
  | { ok: false; unseeded: number[] };

export interface SettleInput {
  requestId: string;
  now: number;
  cost: Money;
  /** totalTokens - promptTokens (the prompt was counted at reserve time). */
  extraTokens: number;
  entities: EntityLimits[];
}

export interface SettleResult {
  /** Entities whose spend crossed their soft budget for the first time this period. */
  softCrossed: Array<{ index: number; spend: Money }>;
}

export interface CounterSnapshot {
  spend: Money;
  reserved: Money;
  periodEnd: number;
}

export interface CounterBackend {
  readonly name: 'memory' | 'redis';
  reserve(input: ReserveInput): Promise<ReserveResult>;
  settle(input: SettleInput): Promise<SettleResult>;
  /**
   * Seeds a counter with database spend for the period ending at periodEnd. `missing`: only when
   * the counter does not exist; `max`: also raise an existing counter of the same period to `spend`.
   */
  seed(ref: string, spend: Money, periodEnd: number, mode: 'missing' | 'max'): Promise<void>;
  /** A new period (ending at periodEnd) began: spend → 0 unless the counter is already there. */
  resetPeriod(ref: string, periodEnd: number): Promise<void>;
  /** The period grid changed (budget_duration updated): move the marker without touching spend. */
  rebase(ref: string, periodEnd: number): Promise<void>;
  /** Spend → 0 for every counter of these entity types (global reset). */
  resetSpend(types: readonly string[]): Promise<void>;
  read(ref: string): Promise<CounterSnapshot | null>;
  /** Drops a counter (entity deleted). */
  drop(ref: string): Promise<void>;
}

export const MINUTE_MS = 60_000;

/** The ceiling a reservation holds: never below its amount. */
export function ceilingOf(input: ReserveInput): Money {
  if (input.ceiling > input.amount) return input.ceiling;
  return input.amount;
}

export function retryAfterForWindow(now: number): number {
  return MINUTE_MS - (now % MINUTE_MS);
}
