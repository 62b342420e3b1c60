/**
 * @module access/counters/redis
 * Counters shared by every gateway process through Redis: each reserve/settle is one atomic Lua
 * script (one round trip). Errors propagate; failover.ts decides what to do when Redis is down.
 */
import type { Redis } from 'ioredis';
import type { Money } from '../../pricing/money.js';
import { REBASE_LUA, RESERVE_LUA, RESET_PERIOD_LUA, RESET_SPEND_LUA, SEED_LUA, SETTLE_LUA } from './lua.js';
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

type ScriptFn = (numKeys: number, ...args: (string | number)[]) => Promise<unknown>;
type FixedScriptFn = (...args: (string | number)[]) => Promise<unknown>;

interface ScriptedRedis {
  tgReserve: ScriptFn;
  tgSettle: ScriptFn;
  tgSeed: FixedScriptFn;
  tgResetPeriod: FixedScriptFn;
  tgRebase: FixedScriptFn;
  tgResetSpend: ScriptFn;
}

export class RedisCounters implements CounterBackend {
  readonly name = 'redis' as const;
  private readonly r: Redis & ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    redis.defineCommand('tgReserve', { lua: RESERVE_LUA });
    redis.defineCommand('tgSettle', { lua: SETTLE_LUA });
    redis.defineCommand('tgSeed', { lua: SEED_LUA, numberOfKeys: 1 });
    redis.defineCommand('tgResetPeriod', { lua: RESET_PERIOD_LUA, numberOfKeys: 1 });
    redis.defineCommand('tgRebase', { lua: REBASE_LUA, numberOfKeys: 1 });
    redis.defineCommand('tgResetSpend', { lua: RESET_SPEND_LUA });
    this.r = redis as Redis & ScriptedRedis;
  }

  private keys(ref: string, window: number): string[] {
    const p = this.prefix;
    return [`${p}b:${ref}`, `${p}r:${ref}`, `${p}x:${ref}`, `${p}w:${ref}:${window}`, `${p}p:${ref}`];
  }

  async reserve(input: ReserveInput): Promise<ReserveResult> {
    const window = Math.floor(input.now / MINUTE_MS);
    const keys: string[] = [];
    const args: (string | number)[] = [
      input.now,
      input.requestId,
      input.amount.toString(),
      input.promptTokens,
      input.strict ? '1' : '0',
      input.expiresAt,
      input.entities.length,
      retryAfterForWindow(input.now),
      ceilingOf(input).toString(),
    ];
    for (const e of input.entities) {
      keys.push(...this.keys(e.ref, window));
      args.push(
        e.track ? '1' : '0',
        e.maxBudget === null ? '' : e.maxBudget.toString(),
        e.periodEnd,
        e.rpm ?? -1,
        e.tpm ?? -1,
        e.parallel ?? -1,
      );
    }
    const out = (await this.r.tgReserve(keys.length, ...keys, ...args)) as unknown[];
    const code = Number(out[0]);
    if (code === 0) return { ok: true };
    if (code === 1) return { ok: false, unseeded: out.slice(1).map((i) => Number(i) - 1) };
    const index = Number(out[1]) - 1;
    const kind = String(out[2]) as Failure['kind'];
    if (kind === 'budget') {
      return {
        ok: false,
        failure: { kind, index, spend: BigInt(String(out[3])), reserved: BigInt(String(out[4])) },
      };
    }
    if (kind === 'budget_busy') {
      return {
        ok: false,
        failure: {
          kind,
          index,
          spend: BigInt(String(out[3])),
          ceilings: BigInt(String(out[4])),
          inFlight: Number(out[5]),
          retryAfterMs: 1000,
        },
      };
    }
    return { ok: false, failure: { kind, index, used: Number(out[3]), retryAfterMs: Number(out[4]) } };
  }

  async settle(input: SettleInput): Promise<SettleResult> {
    const window = Math.floor(input.now / MINUTE_MS);
    const keys: string[] = [];
    const args: (string | number)[] = [
      input.requestId,
      input.cost.toString(),
      input.extraTokens,
      input.entities.length,
    ];
    for (const e of input.entities) {
      keys.push(...this.keys(e.ref, window));
      const rate = e.rpm !== null || e.tpm !== null || e.parallel !== null;
      args.push(
        e.track ? '1' : '0',
        e.softBudget === null ? '' : e.softBudget.toString(),
        e.periodEnd,
        rate ? '1' : '0',
      );
    }
    const out = (await this.r.tgSettle(keys.length, ...keys, ...args)) as unknown[];
    const softCrossed: SettleResult['softCrossed'] = [];
    for (let i = 0; i + 1 < out.length; i += 2) {
      softCrossed.push({ index: Number(out[i]) - 1, spend: BigInt(String(out[i + 1])) });
    }
    return { softCrossed };
  }

  async seed(ref: string, spend: Money, periodEnd: number, mode: 'missing' | 'max'): Promise<void> {
    await this.r.tgSeed(`${this.prefix}b:${ref}`, spend.toString(), String(periodEnd), mode);
  }

  async resetPeriod(ref: string, periodEnd: number): Promise<void> {
    await this.r.tgResetPeriod(`${this.prefix}b:${ref}`, String(periodEnd));
  }

  async rebase(ref: string, periodEnd: number): Promise<void> {
    await this.r.tgRebase(`${this.prefix}b:${ref}`, String(periodEnd));
  }

  async resetSpend(types: readonly string[]): Promise<void> {
    for (const type of types) {
      let cursor = '0';
      do {
        const [next, found] = await this.r.scan(cursor, 'MATCH', `${this.prefix}b:${type}:*`, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await this.r.tgResetSpend(found.length, ...found);
      } while (cursor !== '0');
    }
  }

  async read(ref: string): Promise<CounterSnapshot | null> {
    const h = await this.r.hgetall(`${this.prefix}b:${ref}`);
    if (h.s === undefined) return null;
    return { spend: BigInt(h.s), reserved: BigInt(h.r ?? '0'), periodEnd: Number(h.m ?? '0') };
  }

  async drop(ref: string): Promise<void> {
    const p = this.prefix;
    await this.r.del(`${p}b:${ref}`, `${p}r:${ref}`, `${p}x:${ref}`, `${p}p:${ref}`);
  }
}
