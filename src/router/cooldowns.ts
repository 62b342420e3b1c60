/**
 * @module router/cooldowns
 * LiteLLM's deployment cooldown: a deployment that fails more than `allowed_fails` times in a minute (or the
 * per-class `allowed_fails_policy`), or answers 429, is skipped for `cooldown_time` seconds. A model group with
 * one deployment is never cooled down (there would be nothing left to route to), as in LiteLLM. Per process.
 */
import type { RetryErrorClass } from '../config/types.js';

export interface CooldownOptions {
  allowedFails: number;
  allowedFailsPolicy: Readonly<Partial<Record<RetryErrorClass, number>>>;
  cooldownMs: number;
  disabled: boolean;
  now?: () => number;
}

interface FailureWindow {
  minute: number;
  /** Failures this minute, all classes and per class. */
  total: number;
  byClass: Partial<Record<RetryErrorClass, number>>;
}

const MINUTE_MS = 60_000;
/** Forget deployments that have not failed for a while, so the maps stay small. */
const MAX_TRACKED = 10_000;

export class Cooldowns {
  private readonly until = new Map<string, number>();
  private readonly windows = new Map<string, FailureWindow>();
  private readonly now: () => number;

  constructor(private readonly opts: CooldownOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Epoch ms until which `id` is skipped, or 0. */
  coolingUntil(id: string): number {
    const t = this.until.get(id);
    if (t === undefined) return 0;
    if (t <= this.now()) {
      this.until.delete(id);
      return 0;
    }
    return t;
  }

  /**
   * Records a failure the deployment is to blame for. Returns true when the deployment is now cooling down.
   * `groupSize` is the number of deployments of its model group.
   */
  recordFailure(id: string, cls: RetryErrorClass, status: number, groupSize: number): boolean {
    if (this.opts.disabled || groupSize <= 1 || this.opts.cooldownMs <= 0) return false;
    const now = this.now();
    const minute = Math.floor(now / MINUTE_MS);
    let w = this.windows.get(id);
    if (!w || w.minute !== minute) {
      if (this.windows.size >= MAX_TRACKED) this.windows.clear();
      w = { minute, total: 0, byClass: {} };
      this.windows.set(id, w);
    }
    w.total++;
    w.byClass[cls] = (w.byClass[cls] ?? 0) + 1;
    const perClass = this.opts.allowedFailsPolicy[cls];
    const over = perClass !== undefined ? (w.byClass[cls] ?? 0) > perClass : w.total > this.opts.allowedFails;
    // A 429 cools down at once unless allowed_fails_policy sets how many rate-limit errors to tolerate.
    if ((status === 429 && perClass === undefined) || over) {
      this.until.set(id, now + this.opts.cooldownMs);
      return true;
    }
    return false;
  }
}
