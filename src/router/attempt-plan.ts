/**
 * @module router/attempt-plan
 * The routing policy of one request, which the engine's single retry loop asks "which deployment next?":
 *
 * 1. Pick a deployment of the model group with the routing strategy, skipping deployments that are cooling down
 *    and preferring ones not tried yet.
 * 2. On an error, retry inside the group while the retry budget allows (router num_retries or the deployment's
 *    max_retries for errors that may succeed elsewhere; `retry_policy` / `model_group_retry_policy` per error
 *    class), with a short backoff.
 * 3. Then fall back, in order, through the requested group's fallbacks: `context_window_fallbacks` for a prompt
 *    that does not fit, `content_policy_fallbacks` for a content refusal, else `fallbacks` (or the `*` entry, or
 *    `default_fallbacks`), at most `max_fallbacks` groups, each with its own retries. A request error the client
 *    made (a plain 400) does not fall back: every model would refuse it.
 *
 * Failures the deployment is to blame for feed its cooldown; every step is kept for the spend log (the
 * deployment that answered and the path taken). Only one attempt is ever billed: the one the call ends with.
 */
import type { RetryErrorClass, RouterPolicyConfig } from '../config/types.js';
import { GatewayError } from '../errors.js';
import type { Cooldowns } from './cooldowns.js';
import { blamesDeployment, errorClassOf, fallbackKindOf } from './error-classes.js';
import { backoffMs } from './retry-policy.js';
import type { RoutingStats } from './routing-stats.js';
import { type Candidate, pickByStrategy } from './strategies.js';

export interface RouterOptions<D extends Candidate> {
  policy: RouterPolicyConfig;
  stats: RoutingStats;
  cooldowns: Cooldowns;
  /** router_settings.num_retries (or litellm_settings.num_retries). */
  numRetries: number;
  /** A deployment's own max_retries, which wins for its group. */
  retriesOf?: (d: D) => number | undefined;
  costOf?: (d: D) => bigint;
  random?: () => number;
  now?: () => number;
  /** Told about fallback names that are no model group (once each). */
  onUnknownFallback?: (from: string, name: string) => void;
}

export interface AttemptStep<D> {
  deployment: D;
  group: string;
  /** Wait this long before the attempt (retry backoff; 0 for the first attempt and for fallbacks). */
  delayMs: number;
  /** The attempt is in a fallback group. */
  fallback: boolean;
}

export interface AttemptRecord {
  deployment_id: string;
  model_group: string;
  /** The stable code of the error this attempt ended with; absent for the attempt that answered. */
  error?: string;
  status?: number;
}

/** What the spend log keeps about routing. */
export interface RouteSummary {
  attempts: AttemptRecord[];
  /** Model groups in the order tried, when a fallback was used (e.g. ["gpt-4", "gpt-3.5-turbo"]). */
  fallback_path?: string[];
}

interface PlanInput<D> {
  group: string;
  members: readonly D[];
  /** Members of another model group that can serve this call type, or undefined. */
  lookup: (name: string) => readonly D[] | undefined;
  estimatedTokens: number;
  /** Per attempt set: the group's timeout; retries stop once it is spent. */
  timeoutMs: number;
}

export class RoutePlan<D extends Candidate> {
  private group: string;
  private members: readonly D[];
  private readonly tried = new Set<D>();
  private retries = 0;
  private deadline: number;
  private fallbacksUsed = 0;
  private readonly groupsUsed: string[];
  private readonly attempts: AttemptRecord[] = [];
  private readonly begun = new Set<D>();

  constructor(
    private readonly r: RouterOptions<D>,
    private readonly input: PlanInput<D>,
  ) {
    this.group = input.group;
    this.members = input.members;
    this.groupsUsed = [input.group];
    this.deadline = this.now() + input.timeoutMs;
  }

  private now(): number {
    return this.r.now ? this.r.now() : Date.now();
  }

  /** The first deployment; throws TG_ERR_NO_DEPLOYMENT_AVAILABLE when neither the group nor a fallback has one. */
  first(): AttemptStep<D> {
    const step = this.pickIn(0, false);
    if (step) return step;
    const err = this.noDeployment();
    const fb = this.fallBack(err);
    if (fb) return fb;
    throw err;
  }

  /** After a failed attempt: the next step, or null to give up with `err`. */
  failed(d: D, err: GatewayError, started: boolean): AttemptStep<D> | null {
    this.finish(d);
    this.attempts.push({ deployment_id: d.id, model_group: this.group, error: err.code, status: err.status });
    if (blamesDeployment(err)) {
      this.r.cooldowns.recordFailure(d.id, errorClassOf(err), err.status, this.members.length);
    }
    if (started) return null;
    const allowed = this.retriesFor(err);
    if (this.retries < allowed && this.now() < this.deadline) {
      const retryAfter = err.headers?.['retry-after'];
      const step = this.pickIn(backoffMs(this.retries + 1, retryAfter), this.groupsUsed.length > 1);
      if (step) {
        this.retries++;
        return step;
      }
    }
    return this.fallBack(err);
  }

  succeeded(d: D, ms: number, outputTokens: number, totalTokens: number): void {
    this.finish(d);
    this.r.stats.recordLatency(d.id, ms, outputTokens);
    this.r.stats.recordUsage(d.id, totalTokens);
  }

  /**
   * The attempts so far plus, when given, the one the call ends with (`answered`, with the error it ended with
   * after its stream started, if any). A call given up after `failed` passes null: its last attempt is recorded.
   */
  summary(answered: D | null, error: GatewayError | null = null): RouteSummary {
    const attempts = [...this.attempts];
    if (answered) {
      const a: AttemptRecord = { deployment_id: answered.id, model_group: this.group };
      if (error) {
        a.error = error.code;
        a.status = error.status;
      }
      attempts.push(a);
    }
    const out: RouteSummary = { attempts };
    if (this.groupsUsed.length > 1) out.fallback_path = [...this.groupsUsed];
    return out;
  }

  private finish(d: D): void {
    if (this.begun.delete(d)) this.r.stats.end(d.id);
  }

  private retriesFor(err: GatewayError): number {
    if (err.code === 'TG_ERR_NO_DEPLOYMENT_AVAILABLE') return 0;
    const cls: RetryErrorClass = errorClassOf(err);
    const policy = this.r.policy.modelGroupRetryPolicy[this.group] ?? this.r.policy.retryPolicy;
    const explicit = policy?.[cls];
    if (explicit !== undefined) return explicit;
    if (!err.retryable) return 0;
    const own = this.members.length > 0 ? this.r.retriesOf?.(this.members[0]) : undefined;
    return own ?? this.r.numRetries;
  }

  private pickIn(delayMs: number, fallback: boolean): AttemptStep<D> | null {
    const available = this.members.filter((m) => this.r.cooldowns.coolingUntil(m.id) === 0);
    if (available.length === 0) return null;
    const untried = available.filter((m) => !this.tried.has(m));
    const pool = untried.length > 0 ? untried : available;
    this.r.stats.refresh?.(pool.map((m) => m.id));
    const d = pickByStrategy(pool, {
      strategy: this.r.policy.routingStrategy,
      stats: this.r.stats,
      latencyBuffer: this.r.policy.latencyBuffer,
      estimatedTokens: this.input.estimatedTokens,
      costOf: this.r.costOf,
      random: this.r.random ?? Math.random,
    });
    if (!d) return null;
    this.tried.add(d);
    this.begun.add(d);
    this.r.stats.begin(d.id);
    return { deployment: d, group: this.group, delayMs, fallback };
  }

  /** The requested group's fallback list for this error, in order. */
  private fallbackNames(err: GatewayError): readonly string[] {
    const kind = fallbackKindOf(err);
    if (kind === null) return [];
    const p = this.r.policy;
    const origin = this.input.group;
    const listOf = (m: Readonly<Record<string, readonly string[]>>) => m[origin] ?? m['*'];
    const specific =
      kind === 'context_window'
        ? listOf(p.contextWindowFallbacks)
        : kind === 'content_policy'
          ? listOf(p.contentPolicyFallbacks)
          : undefined;
    return specific ?? listOf(p.fallbacks) ?? p.defaultFallbacks;
  }

  private fallBack(err: GatewayError): AttemptStep<D> | null {
    for (const name of this.fallbackNames(err)) {
      if (this.groupsUsed.includes(name)) continue;
      if (this.fallbacksUsed >= this.r.policy.maxFallbacks) return null;
      const members = this.input.lookup(name);
      if (!members || members.length === 0) {
        this.r.onUnknownFallback?.(this.input.group, name);
        continue;
      }
      this.fallbacksUsed++;
      this.groupsUsed.push(name);
      this.group = name;
      this.members = members;
      this.retries = 0;
      this.deadline = this.now() + this.input.timeoutMs;
      const step = this.pickIn(0, true);
      if (step) return step;
    }
    return null;
  }

  private noDeployment(): GatewayError {
    const now = this.now();
    const cooling = this.members.map((m) => this.r.cooldowns.coolingUntil(m.id)).filter((t) => t > now);
    if (cooling.length === this.members.length && cooling.length > 0) {
      const retryS = Math.max(1, Math.ceil((Math.min(...cooling) - now) / 1000));
      return new GatewayError(
        'TG_ERR_NO_DEPLOYMENT_AVAILABLE',
        `No deployment of model "${this.group}" is available: all ${this.members.length} are cooling down after failures (router_settings.cooldown_time ${this.r.policy.cooldownSeconds}s). Retry after ${retryS} s.`,
        { headers: { 'retry-after': String(retryS) } },
      );
    }
    return new GatewayError(
      'TG_ERR_NO_DEPLOYMENT_AVAILABLE',
      `No deployment of model "${this.group}" is available: every one is at its rpm/tpm limit for this minute (usage-based routing). Retry after 60 s.`,
      { headers: { 'retry-after': '60' } },
    );
  }
}

/** The router shared by every request of one gateway: strategy state, cooldowns, policy. */
export class Router<D extends Candidate> {
  constructor(readonly options: RouterOptions<D>) {}

  plan(input: PlanInput<D>): RoutePlan<D> {
    return new RoutePlan(this.options, input);
  }

  get policy(): RouterPolicyConfig {
    return this.options.policy;
  }
}
