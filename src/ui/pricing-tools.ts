/**
 * @module ui/pricing-tools
 * Two read-only pricing endpoints the console's Models & pricing page needs, for any valid key
 * (kind 'info', like /pricing/explain):
 *
 * - GET /pricing/catalog?q=&provider=&mode=&limit= — search the cost map the gateway prices
 *   from (the runtime cost map, else the built-in catalog): entries whose key contains `q`, with
 *   every price as exact decimal text.
 * - POST /pricing/calculate {model, deployment_id?, usage} — prices a usage with each deployment's
 *   resolved prices through the same priceUsage as real requests: exact cost, line by line.
 *
 * Only pricing is imported (pure); the deployments and the catalog are handed in by the server.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import '../access/fastify-types.js';
import { GatewayError } from '../errors.js';
import {
  type Catalog,
  costToJSON,
  emptyUsage,
  explainCost,
  formatMoney,
  isPriceKey,
  parseMoney,
  priceUsage,
  type ResolvedPricing,
  SAMPLE_SPEC_KEY,
  type Usage,
} from '../pricing/index.js';

/** What the tools read of a deployment (the gateway's DeploymentRuntime has these fields). */
export interface PricedDeployment {
  readonly modelName: string;
  readonly pricing: ResolvedPricing;
  readonly config: { readonly id: string; readonly model: string };
}

export interface PricingToolDeps {
  deployments: () => readonly PricedDeployment[];
  catalog: () => Catalog;
}

export const PRICING_TOOL_ROUTES = [
  { method: 'GET', url: '/pricing/catalog', kind: 'info' },
  { method: 'POST', url: '/pricing/calculate', kind: 'info' },
] as const;

const MAX_QUERY = 200;
const MAX_COUNT = 1_000_000_000_000; // far above any real request, far below 2^53

function bad(message: string, param?: string): GatewayError {
  return new GatewayError('TG_ERR_BAD_REQUEST', message, param ? { param } : {});
}

/** Exact decimal text of a catalog price (a JSON number or decimal text); null when not a price. */
function priceText(v: unknown): string | null {
  if (typeof v !== 'number' && typeof v !== 'string') return null;
  try {
    return formatMoney(parseMoney(v));
  } catch {
    return null;
  }
}

function one(q: Record<string, unknown>, name: string): string | undefined {
  let v = q[name];
  if (Array.isArray(v)) v = v[v.length - 1];
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  if (s.length > MAX_QUERY) throw bad(`${name} is too long (at most ${MAX_QUERY} characters).`, name);
  return s === '' ? undefined : s;
}

export function searchCatalog(
  catalog: Catalog,
  opts: { q?: string; provider?: string; mode?: string; limit: number },
): Record<string, unknown> {
  const q = opts.q?.toLowerCase();
  const matches: Array<{ key: string; rank: number }> = [];
  for (const key of catalog.keys()) {
    if (key === SAMPLE_SPEC_KEY) continue;
    const k = key.toLowerCase();
    if (q && !k.includes(q)) continue;
    const e = catalog.get(key)!;
    if (opts.provider && e.litellm_provider !== opts.provider) continue;
    if (opts.mode && e.mode !== opts.mode) continue;
    const rank = !q ? 2 : k === q ? 0 : k.startsWith(q) || k.includes(`/${q}`) ? 1 : 2;
    matches.push({ key, rank });
  }
  matches.sort((a, b) => a.rank - b.rank || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const data = matches.slice(0, opts.limit).map(({ key }) => {
    const e = catalog.get(key)!;
    const prices: Record<string, string> = {};
    for (const [k, v] of Object.entries(e)) {
      if (!isPriceKey(k)) continue;
      const t = priceText(v);
      if (t !== null) prices[k] = t;
    }
    return {
      key,
      litellm_provider: typeof e.litellm_provider === 'string' ? e.litellm_provider : null,
      mode: typeof e.mode === 'string' ? e.mode : null,
      max_input_tokens: typeof e.max_input_tokens === 'number' ? e.max_input_tokens : null,
      max_output_tokens: typeof e.max_output_tokens === 'number' ? e.max_output_tokens : null,
      prices,
    };
  });
  return {
    source: catalog.source,
    snapshot: catalog.snapshot,
    size: catalog.size,
    total_matches: matches.length,
    data,
  };
}

const count = z.number().int().min(0).max(MAX_COUNT);
const CalculateSchema = z.object({
  model: z.string().min(1).max(MAX_QUERY),
  deployment_id: z.string().min(1).max(MAX_QUERY).nullish(),
  usage: z
    .object({
      prompt_tokens: count.optional(),
      completion_tokens: count.optional(),
      cache_read_tokens: count.optional(),
      cache_creation_tokens: count.optional(),
      reasoning_tokens: count.optional(),
      audio_input_tokens: count.optional(),
      audio_output_tokens: count.optional(),
      duration_ms: count.optional(),
      images: z
        .object({
          count: z.number().int().min(0).max(10_000),
          size: z.string().max(64).optional(),
          quality: z.string().max(64).optional(),
        })
        .optional(),
    })
    .strict(),
});

/** The Usage for a calculator body; totals include their parts (the OpenAI convention). */
export function usageFrom(u: z.infer<typeof CalculateSchema>['usage']): Usage {
  const usage: Usage = {
    ...emptyUsage(),
    inputTokens: u.prompt_tokens ?? 0,
    cacheReadTokens: u.cache_read_tokens ?? 0,
    cacheWriteTokens: u.cache_creation_tokens ?? 0,
    audioInputTokens: u.audio_input_tokens ?? 0,
    outputTokens: u.completion_tokens ?? 0,
    reasoningTokens: u.reasoning_tokens ?? 0,
    audioOutputTokens: u.audio_output_tokens ?? 0,
    durationMs: u.duration_ms ?? 0,
  };
  if (u.images) usage.images = { ...u.images };
  const inParts = usage.cacheReadTokens + usage.cacheWriteTokens + usage.audioInputTokens;
  if (inParts > usage.inputTokens) {
    throw bad(
      `prompt_tokens (${usage.inputTokens}) must include cache_read_tokens + cache_creation_tokens + audio_input_tokens (${inParts}): totals include their parts.`,
      'usage.prompt_tokens',
    );
  }
  const outParts = usage.reasoningTokens + usage.audioOutputTokens;
  if (outParts > usage.outputTokens) {
    throw bad(
      `completion_tokens (${usage.outputTokens}) must include reasoning_tokens + audio_output_tokens (${outParts}): totals include their parts.`,
      'usage.completion_tokens',
    );
  }
  return usage;
}

export function registerPricingTools(app: FastifyInstance, deps: PricingToolDeps): void {
  const info = { config: { kind: 'info' as const } };

  app.get('/pricing/catalog', info, async (req) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const limitText = one(q, 'limit');
    let limit = 50;
    if (limitText !== undefined) {
      if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > 500) {
        throw bad(`Invalid limit "${limitText}": expected a whole number from 1 to 500.`, 'limit');
      }
      limit = Number(limitText);
    }
    return searchCatalog(deps.catalog(), {
      q: one(q, 'q'),
      provider: one(q, 'provider'),
      mode: one(q, 'mode'),
      limit,
    });
  });

  app.post('/pricing/calculate', info, async (req) => {
    const r = CalculateSchema.safeParse(req.body ?? {});
    if (!r.success) {
      const issue = r.error.issues[0];
      const path = issue.path.join('.');
      throw bad(`Invalid request${path ? ` field "${path}"` : ''}: ${issue.message}`, path || undefined);
    }
    const body = r.data;
    const usage = usageFrom(body.usage);
    const all = deps.deployments();
    const inGroup = all.filter((d) => d.modelName === body.model);
    if (inGroup.length === 0) {
      const names = [...new Set(all.map((d) => d.modelName))];
      throw new GatewayError(
        'TG_ERR_UNKNOWN_MODEL',
        `Model "${body.model}" is not configured. Available models: ${names.join(', ') || '(none)'}.`,
        { param: 'model' },
      );
    }
    const chosen = body.deployment_id ? inGroup.filter((d) => d.config.id === body.deployment_id) : inGroup;
    if (chosen.length === 0) {
      throw bad(
        `Deployment "${body.deployment_id}" is not in model group "${body.model}": its deployments are ${inGroup.map((d) => d.config.id).join(', ')}.`,
        'deployment_id',
      );
    }
    return {
      model: body.model,
      usage: body.usage,
      data: chosen.map((d) => {
        const cost = priceUsage(d.pricing, usage);
        return {
          deployment_id: d.config.id,
          model: d.config.model,
          cost_usd: formatMoney(cost.costUsd),
          cost: costToJSON(cost),
          explanation: explainCost(cost),
        };
      }),
    };
  });
}
