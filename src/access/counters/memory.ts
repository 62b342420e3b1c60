/**
 * @module access/counters/memory
 * In-process counters: exact bigint money, fixed one-minute rpm/tpm windows, parallel slots and
 * reservations with expiry. JavaScript runs one reserve at a time, so each call is atomic.
 */
import type { Money } from '../../pricing/money.js';
import {
  type CounterBackend,
  type CounterSnapshot,
  ceilingOf,
  type Failure,
  MINUTE_MS,
  type ReserveInput,
  type ReserveResult,
  retryAfterForWindow,
  type SettleInput,
  type SettleResult,
} from './types.js';

interface Budget {
  spend: Money;
  reserved: Money;
  /** Sum of the ceilings of the open reservations. */
  ceilings: Money;
  periodEnd: number;
  alertedPeriod: number;
  reservations: Map<string, { amount: Money; ceiling: Money; expiresAt: number }>;
}

interface Rate {
  window: number;
  count: number;
  tokens: number;
  inflight: Map<string, number>;
}

export class MemoryCounters implements CounterBackend {
  readonly name = 'memory' as const;
  private readonly budgets = new Map<string, Budget>();
  private readonly rates = new Map<string, Rate>();

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    return this.reserveSync(input);
  }

  reserveSync(input: ReserveInput): ReserveResult {
    const { now, entities } = input;
    const window = Math.floor(now / MINUTE_MS);
    const unseeded: number[] = [];
    for (let i = 0; i < entities.length; i++) {
      const e = entities[i];
      if (e.track && !this.budgets.has(e.ref)) unseeded.push(i);
    }
    if (unseeded.length > 0) return { ok: false, unseeded };

    // Phase 1: check everything.
    for (let i = 0; i < entities.length; i++) {
      const e = entities[i];
      if (e.parallel !== null || e.rpm !== null || e.tpm !== null) {
        const r = this.rate(e.ref, window);
        if (e.parallel !== null) {
          for (const [id, exp] of r.inflight) if (exp <= now) r.inflight.delete(id);
          if (r.inflight.size >= e.parallel)
            return fail({ kind: 'parallel', index: i, used: r.inflight.size, retryAfterMs: 1000 });
        }
        if (e.rpm !== null && r.count >= e.rpm) {
          return fail({ kind: 'rpm', index: i, used: r.count, retryAfterMs: retryAfterForWindow(now) });
        }
        if (e.tpm !== null && r.tokens >= e.tpm) {
          return fail({ kind: 'tpm', index: i, used: r.tokens, retryAfterMs: retryAfterForWindow(now) });
        }
      }
      if (e.track) {
        const b = this.budgets.get(e.ref) as Budget;
        if (e.periodEnd > b.periodEnd) {
          b.spend = 0n;
          b.periodEnd = e.periodEnd;
        }
        for (const [id, res] of b.reservations) {
          if (res.expiresAt <= now) {
            b.reserved -= res.amount;
            b.ceilings -= res.ceiling;
            b.reservations.delete(id);
          }
        }
        if (b.reserved < 0n) b.reserved = 0n;
        if (b.ceilings < 0n) b.ceilings = 0n;
        if (e.maxBudget !== null) {
          const over =
            b.spend >= e.maxBudget || (input.strict && b.spend + b.reserved + input.amount > e.maxBudget);
          if (over) return fail({ kind: 'budget', index: i, spend: b.spend, reserved: b.reserved });
          const ceiling = ceilingOf(input);
          if (input.strict && b.reservations.size > 0 && b.spend + b.ceilings + ceiling > e.maxBudget) {
            return fail({
              kind: 'budget_busy',
              index: i,
              spend: b.spend,
              ceilings: b.ceilings,
              inFlight: b.reservations.size,
              retryAfterMs: 1000,
            });
          }
        }
      }
    }
    // Phase 2: apply.
    for (const e of entities) {
      if (e.parallel !== null || e.rpm !== null || e.tpm !== null) {
        const r = this.rate(e.ref, window);
        if (e.parallel !== null) r.inflight.set(input.requestId, input.expiresAt);
        r.count += 1;
        r.tokens += input.promptTokens;
      }
      if (e.track && e.maxBudget !== null && input.strict) {
        const b = this.budgets.get(e.ref) as Budget;
        const ceiling = ceilingOf(input);
        b.reserved += input.amount;
        b.ceilings += ceiling;
        b.reservations.set(input.requestId, { amount: input.amount, ceiling, expiresAt: input.expiresAt });
      }
    }
    return { ok: true };
  }

  async settle(input: SettleInput): Promise<SettleResult> {
    return this.settleSync(input);
  }

  settleSync(input: SettleInput): SettleResult {
    const window = Math.floor(input.now / MINUTE_MS);
    const softCrossed: SettleResult['softCrossed'] = [];
    input.entities.forEach((e, index) => {
      if (e.parallel !== null || e.rpm !== null || e.tpm !== null) {
        const r = this.rate(e.ref, window);
        r.inflight.delete(input.requestId);
        r.tokens += input.extraTokens;
      }
      if (!e.track) return;
      const b = this.budgets.get(e.ref);
      if (!b) return; // counter gone (dropped): the database total will include this cost
      const res = b.reservations.get(input.requestId);
      if (res) {
        b.reservations.delete(input.requestId);
        b.reserved = b.reserved > res.amount ? b.reserved - res.amount : 0n;
        b.ceilings = b.ceilings > res.ceiling ? b.ceilings - res.ceiling : 0n;
      }
      if (e.periodEnd > b.periodEnd) {
        b.spend = 0n;
        b.periodEnd = e.periodEnd;
      }
      b.spend += input.cost;
      if (e.softBudget !== null && b.spend >= e.softBudget && b.alertedPeriod !== b.periodEnd) {
        b.alertedPeriod = b.periodEnd;
        softCrossed.push({ index, spend: b.spend });
      }
    });
    return { softCrossed };
  }

  async seed(ref: string, spend: Money, periodEnd: number, mode: 'missing' | 'max'): Promise<void> {
    const b = this.budgets.get(ref);
    if (!b) {
      this.budgets.set(ref, {
        spend,
        reserved: 0n,
        ceilings: 0n,
        periodEnd,
        alertedPeriod: -1,
        reservations: new Map(),
      });
      return;
    }
    if (mode === 'max' && b.periodEnd === periodEnd && spend > b.spend) b.spend = spend;
  }

  async resetPeriod(ref: string, periodEnd: number): Promise<void> {
    const b = this.budgets.get(ref);
    if (b && periodEnd > b.periodEnd) {
      b.spend = 0n;
      b.periodEnd = periodEnd;
    }
  }

  async rebase(ref: string, periodEnd: number): Promise<void> {
    const b = this.budgets.get(ref);
    if (b) b.periodEnd = periodEnd;
  }

  async resetSpend(types: readonly string[]): Promise<void> {
    for (const [ref, b] of this.budgets) {
      if (types.includes(ref.slice(0, ref.indexOf(':')))) {
        b.spend = 0n;
        b.alertedPeriod = -1;
      }
    }
  }

  async read(ref: string): Promise<CounterSnapshot | null> {
    const b = this.budgets.get(ref);
    return b ? { spend: b.spend, reserved: b.reserved, periodEnd: b.periodEnd } : null;
  }

  /** Forgets every budget counter (they are re-seeded from the database when next needed). */
  clearBudgets(): void {
    this.budgets.clear();
  }

  async drop(ref: string): Promise<void> {
    this.budgets.delete(ref);
    this.rates.delete(ref);
  }

  private rate(ref: string, window: number): Rate {
    let r = this.rates.get(ref);
    if (!r) {
      r = { window, count: 0, tokens: 0, inflight: new Map() };
      this.rates.set(ref, r);
    } else if (r.window !== window) {
      r.window = window;
      r.count = 0;
      r.tokens = 0;
    }
    return r;
  }
}

function fail(failure: Failure): ReserveResult {
  return { ok: false, failure };
}
