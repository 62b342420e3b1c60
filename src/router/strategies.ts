/**
 * @module router/strategies
 * LiteLLM's routing strategies, choosing one deployment among the available members of a model group:
 *
 *   simple-shuffle          weighted random: by `weight` when a member sets it, else by rpm, else tpm, else uniform
 *   least-busy              fewest requests in flight
 *   latency-based-routing   lowest recent latency per output token (unknown first); `lowest_latency_buffer`
 *                           picks at random among those within that fraction of the fastest
 *   usage-based-routing(-v2) lowest tokens used this minute among members still under their tpm/rpm
 *   cost-based-routing      cheapest prices (input + output per token)
 *
 * `order` comes first: only the lowest order among the candidates is considered, as in LiteLLM.
 */
import type { RoutingStrategyName } from '../config/types.js';
import type { RoutingStats } from './routing-stats.js';

export interface Candidate {
  readonly id: string;
  readonly rpm?: number;
  readonly tpm?: number;
  readonly weight?: number;
  readonly order?: number;
}

export interface PickContext<D> {
  strategy: RoutingStrategyName;
  stats: RoutingStats;
  latencyBuffer: number;
  /** This request's estimated tokens (usage-based routing checks they fit in the tpm left). */
  estimatedTokens: number;
  /** Price rank of a deployment (exact, for cost-based routing). */
  costOf?: (d: D) => bigint;
  random: () => number;
}

function weightedRandom<D>(items: readonly D[], weightOf: (d: D) => number, random: () => number): D {
  const total = items.reduce((s, d) => s + weightOf(d), 0);
  if (!(total > 0)) return items[Math.floor(random() * items.length)];
  let r = random() * total;
  for (const d of items) {
    r -= weightOf(d);
    if (r < 0) return d;
  }
  return items[items.length - 1];
}

function shuffle<D extends Candidate>(items: readonly D[], random: () => number): D {
  if (items.length === 1) return items[0];
  if (items.some((d) => d.weight !== undefined)) return weightedRandom(items, (d) => d.weight ?? 0, random);
  if (items.every((d) => (d.rpm ?? 0) > 0)) return weightedRandom(items, (d) => d.rpm ?? 0, random);
  if (items.every((d) => (d.tpm ?? 0) > 0)) return weightedRandom(items, (d) => d.tpm ?? 0, random);
  return items[Math.floor(random() * items.length)];
}

function lowest<D>(items: readonly D[], score: (d: D) => number, random: () => number): D {
  let best: D[] = [];
  let min = Number.POSITIVE_INFINITY;
  for (const d of items) {
    const s = score(d);
    if (s < min) {
      min = s;
      best = [d];
    } else if (s === min) best.push(d);
  }
  return best[Math.floor(random() * best.length)];
}

/** The members whose `order` is the lowest present (unset = after every set order). */
export function lowestOrder<D extends Candidate>(items: readonly D[]): D[] {
  let min = Number.POSITIVE_INFINITY;
  for (const d of items) if (d.order !== undefined && d.order < min) min = d.order;
  return min === Number.POSITIVE_INFINITY ? [...items] : items.filter((d) => d.order === min);
}

/** One deployment, or null when none can take the request (usage-based: every one is at its rpm/tpm). */
export function pickByStrategy<D extends Candidate>(candidates: readonly D[], ctx: PickContext<D>): D | null {
  if (candidates.length === 0) return null;
  const items = lowestOrder(candidates);
  if (
    items.length === 1 &&
    ctx.strategy !== 'usage-based-routing' &&
    ctx.strategy !== 'usage-based-routing-v2'
  )
    return items[0];
  const { stats, random } = ctx;
  switch (ctx.strategy) {
    case 'least-busy':
      return lowest(items, (d) => stats.inFlight(d.id), random);
    case 'latency-based-routing': {
      // Unknown latency first (LiteLLM tries every deployment once), then the fastest within the buffer.
      const unknown = items.filter((d) => stats.latency(d.id) === undefined);
      if (unknown.length > 0) return unknown[Math.floor(random() * unknown.length)];
      const lat = (d: D) => stats.latency(d.id) as number;
      const min = Math.min(...items.map(lat));
      const within = items.filter((d) => lat(d) <= min * (1 + ctx.latencyBuffer));
      return within[Math.floor(random() * within.length)];
    }
    case 'usage-based-routing':
    case 'usage-based-routing-v2': {
      const fits = items.filter((d) => {
        const u = stats.usage(d.id);
        if (d.rpm !== undefined && u.requests + 1 > d.rpm) return false;
        if (d.tpm !== undefined && u.tokens + ctx.estimatedTokens > d.tpm) return false;
        return true;
      });
      if (fits.length === 0) return null;
      return lowest(fits, (d) => stats.usage(d.id).tokens, random);
    }
    case 'cost-based-routing': {
      const costOf = ctx.costOf;
      if (!costOf) return shuffle(items, random);
      let best: D[] = [];
      let min: bigint | null = null;
      for (const d of items) {
        const c = costOf(d);
        if (min === null || c < min) {
          min = c;
          best = [d];
        } else if (c === min) best.push(d);
      }
      return best[Math.floor(random() * best.length)];
    }
    default:
      return shuffle(items, random);
  }
}
