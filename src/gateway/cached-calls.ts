/**
 * @module gateway/cached-calls
 * Calls that use the response cache (litellm_settings.cache), only reached when the cache is on for the
 * call: a hit is answered from the stored body (a stream is replayed in the client's wire format) and
 * recorded with spend 0, the stored answer's tokens and the cost it saved; a miss runs the ordinary call
 * (the engine's retry loop) and stores its answer when it ended cleanly with reported usage.
 */
import { assembleStream } from '../cache/stream-assemble.js';
import { replayAsStream } from '../cache/stream-replay.js';
import type { CacheDirective, CachedAnswer, ResponseCacheHook } from '../cache/types.js';
import type { SpendEvent } from '../ledger/spend-event.js';
import type { Cost, Usage } from '../pricing/index.js';
import type { DeploymentRuntime } from './deployment-runtime.js';
import type { CallPlan, CompletedCall, StreamOutput, StreamSummary } from './engine.js';

export interface CachedCallDeps {
  cache: ResponseCacheHook;
  /** The engine's one recorder (spend event, settlement, callbacks). */
  record(
    plan: CallPlan,
    rt: DeploymentRuntime,
    r: { usage: Usage; cost: Cost; error: null; hit: CachedAnswer },
  ): SpendEvent;
  /** The ordinary calls (the engine's retry loop). */
  complete(plan: CallPlan): Promise<CompletedCall>;
  stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary>;
}

/** A cache hit costs nothing now; what it saved is on the spend event (`savedSpend`). */
export function zeroCost(): Cost {
  return {
    costUsd: 0n,
    source: 'cache_hit',
    unpriced: false,
    tier: null,
    serviceTier: null,
    batch: false,
    lines: [],
    unitPrices: {},
    unpricedParts: [],
    priceVersion: null,
    warnings: [],
  };
}

export function createCachedCalls(deps: CachedCallDeps) {
  const { cache } = deps;

  /** The deployment that produced a cached answer, or the group's first member if it is gone. */
  const runtimeOf = (plan: CallPlan, hit: CachedAnswer): DeploymentRuntime =>
    plan.group.members.find((m) => m.config.id === hit.deploymentId) ?? plan.group.members[0];

  const recordHit = (plan: CallPlan, rt: DeploymentRuntime, hit: CachedAnswer): SpendEvent => {
    const u = hit.usage;
    const usage: Usage = {
      inputTokens: u.inputTokens,
      cacheReadTokens: u.cacheReadTokens,
      cacheWriteTokens: u.cacheWriteTokens,
      audioInputTokens: 0,
      outputTokens: u.outputTokens,
      reasoningTokens: u.reasoningTokens,
      audioOutputTokens: 0,
      durationMs: 0,
      estimated: false,
    };
    return deps.record(plan, rt, { usage, cost: zeroCost(), error: null, hit });
  };

  const answerOf = (plan: CallPlan, body: string, event: SpendEvent): CachedAnswer => ({
    v: 1,
    callType: plan.callType,
    body,
    deploymentId: event.deploymentId ?? '',
    costText: event.spend,
    usage: {
      inputTokens: event.promptTokens,
      outputTokens: event.completionTokens,
      cacheReadTokens: event.cacheReadTokens,
      cacheWriteTokens: event.cacheCreationTokens,
      reasoningTokens: event.reasoningTokens,
    },
    createdAt: Date.now(),
  });

  async function complete(plan: CallPlan): Promise<CompletedCall> {
    const d = plan.cache as CacheDirective;
    const hit = d.read ? await cache.lookup(d) : null;
    if (hit) {
      const rt = runtimeOf(plan, hit);
      const event = recordHit(plan, rt, hit);
      return { body: hit.body, cost: zeroCost(), costText: event.spend, runtime: rt, event, cacheHit: true };
    }
    const r = await deps.complete(plan);
    if (d.write && !r.event.estimated && r.contentType === undefined)
      cache.store(d, answerOf(plan, r.body, r.event));
    return r;
  }

  async function stream(plan: CallPlan, out: StreamOutput): Promise<StreamSummary> {
    const d = plan.cache as CacheDirective;
    const hit = d.read ? await cache.lookup(d) : null;
    if (hit) {
      const text = replayAsStream(plan.callType, hit.body, plan.includeUsage, plan.requestId);
      if (text !== null) {
        const rt = runtimeOf(plan, hit);
        const event = recordHit(plan, rt, hit);
        out.start(rt);
        if (!out.signal.aborted) {
          const w = out.write(text);
          if (w) await w;
        }
        out.end();
        return { cost: zeroCost(), costText: event.spend, runtime: rt, event, error: null };
      }
    }
    if (!d.write) return deps.stream(plan, out);
    // Keep what the client receives, to store the answer once the stream ended cleanly.
    const parts: string[] = [];
    let size = 0;
    let binary = false;
    const capture: StreamOutput = {
      signal: out.signal,
      start: (rt, head) => {
        if (head?.contentType !== undefined) binary = true;
        out.start(rt, head);
      },
      write(chunk) {
        if (typeof chunk === 'string') {
          size += chunk.length;
          if (size <= cache.maxEntryChars) parts.push(chunk);
        } else binary = true;
        return out.write(chunk);
      },
      end: () => out.end(),
    };
    const s = await deps.stream(plan, capture);
    if (!binary && !s.error && !s.event.estimated && !out.signal.aborted && size <= cache.maxEntryChars) {
      const body = assembleStream(plan.callType, parts.join(''));
      if (body !== null) cache.store(d, answerOf(plan, body, s.event));
    }
    return s;
  }

  return { complete, stream };
}
