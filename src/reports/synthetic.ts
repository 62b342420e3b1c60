/**
 * @module reports/synthetic
 * Deterministic, realistic synthetic spend events (seeded PRNG) for the seed script, the
 * benchmark and the report tests: teams with keys and owners, customers behind some keys, a
 * handful of models with real-looking per-token prices (exact Money arithmetic), tags, failures.
 */
import { createHash } from 'node:crypto';
import type { SpendEvent } from '../ledger/spend-event.js';
import { formatMoney, parseMoney } from '../pricing/money.js';
import type { Db } from '../store/db.js';

/** mulberry32: small, fast, good enough for test data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface ModelSpec {
  group: string;
  model: string;
  provider: string;
  input: bigint;
  output: bigint;
  embedding?: boolean;
}

const MODELS: ModelSpec[] = [
  ['gpt-4o', 'gpt-4o-2024-08-06', 'openai', '0.0000025', '0.00001'],
  ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'openai', '0.00000015', '0.0000006'],
  ['claude-sonnet', 'claude-sonnet-4-20250514', 'anthropic', '0.000003', '0.000015'],
  ['claude-haiku', 'claude-3-5-haiku-20241022', 'anthropic', '0.0000008', '0.000004'],
  ['gemini-flash', 'gemini-2.0-flash', 'vertex_ai', '0.0000001', '0.0000004'],
  ['llama-70b', 'llama-3.3-70b-versatile', 'groq', '0.00000059', '0.00000079'],
  ['mistral-large', 'mistral-large-latest', 'mistral', '0.000002', '0.000006'],
  ['embed-small', 'text-embedding-3-small', 'openai', '0.00000002', '0'],
].map(([group, model, provider, i, o]) => ({
  group,
  model,
  provider,
  input: parseMoney(i),
  output: parseMoney(o),
  embedding: group.startsWith('embed'),
}));

const TAGS = [
  'env:prod',
  'env:staging',
  'feature:chat',
  'feature:search',
  'feature:summarize',
  'batch:nightly',
  'ui',
];

export interface SyntheticKey {
  token: string;
  hash: string;
  alias: string;
  userId: string;
  teamId: string | null;
  models: ModelSpec[];
  customers: string[];
}

export interface SyntheticWorld {
  teams: { id: string; alias: string }[];
  users: string[];
  keys: SyntheticKey[];
}

export interface WorldOptions {
  seed?: number;
  teams?: number;
  keys?: number;
  users?: number;
  customers?: number;
}

export function buildWorld(o: WorldOptions = {}): SyntheticWorld {
  const rnd = prng((o.seed ?? 1) ^ 0x5eed);
  const nTeams = o.teams ?? 20;
  const nKeys = o.keys ?? 300;
  const nUsers = o.users ?? 80;
  const nCustomers = o.customers ?? 2000;
  const teams = Array.from({ length: nTeams }, (_, i) => ({ id: `team-${i + 1}`, alias: `Team ${i + 1}` }));
  const users = Array.from({ length: nUsers }, (_, i) => `user-${i + 1}@example.com`);
  const keys: SyntheticKey[] = [];
  for (let i = 0; i < nKeys; i++) {
    const token = `sk-synthetic-${o.seed ?? 1}-${i}`;
    const nModels = 1 + Math.floor(rnd() * 3);
    const models: ModelSpec[] = [];
    while (models.length < nModels) {
      const m = MODELS[Math.floor(rnd() * MODELS.length)];
      if (!models.includes(m)) models.push(m);
    }
    const customers: string[] = [];
    if (rnd() < 0.4) {
      const base = Math.floor(rnd() * nCustomers);
      const n = 3 + Math.floor(rnd() * 20);
      for (let c = 0; c < n; c++) customers.push(`customer-${(base + c) % nCustomers}`);
    }
    keys.push({
      token,
      hash: createHash('sha256').update(token).digest('hex'),
      alias: `key-${i + 1}`,
      userId: users[Math.floor(rnd() * users.length)],
      teamId: rnd() < 0.9 ? teams[Math.floor(rnd() * teams.length)].id : null,
      models,
      customers,
    });
  }
  return { teams, users, keys };
}

export interface EventOptions {
  seed?: number;
  /** Events are spread uniformly over [endMs - days, endMs). */
  days?: number;
  endMs?: number;
  /** Prefix of request ids (unique per run). */
  idPrefix?: string;
  /**
   * Events arrive in time order (event `offset + i` of `total` sits at that fraction of the span), as a live
   * gateway writes them, instead of uniformly at random. Physical order matters to anything that walks the
   * logs by time (re-pricing): rows of one hour share pages, as in a real ledger.
   */
  inTimeOrder?: { total: number };
}

/** Generates `count` events starting at index `offset` (so batches can be generated lazily). */
export function syntheticEvents(
  world: SyntheticWorld,
  count: number,
  offset = 0,
  o: EventOptions = {},
): SpendEvent[] {
  const rnd = prng(((o.seed ?? 1) * 7919 + offset) >>> 0);
  const days = o.days ?? 60;
  const endMs = o.endMs ?? Date.now();
  const span = days * 86_400_000;
  const out: SpendEvent[] = [];
  for (let i = 0; i < count; i++) {
    // Skewed key choice: a few keys carry most traffic, like real deployments.
    const key = world.keys[Math.floor(rnd() ** 2 * world.keys.length)];
    const m = key.models[Math.floor(rnd() * key.models.length)];
    const failed = rnd() < 0.02;
    const prompt = failed ? 0 : 20 + Math.floor(rnd() ** 2 * 8000);
    const completion = failed || m.embedding ? 0 : 5 + Math.floor(rnd() * 1200);
    const cacheRead = !failed && rnd() < 0.2 ? Math.floor(prompt * rnd() * 0.5) : 0;
    const spend = failed ? '0' : formatMoney(m.input * BigInt(prompt) + m.output * BigInt(completion));
    const start = o.inTimeOrder
      ? endMs - span + Math.floor(((offset + i + rnd()) * span) / o.inTimeOrder.total)
      : endMs - 1 - Math.floor(rnd() * span);
    const duration = 150 + Math.floor(rnd() * 6000);
    const tags: string[] = [];
    const nTags = Math.floor(rnd() * 3);
    for (let t = 0; t < nTags; t++) {
      const tag = TAGS[Math.floor(rnd() * TAGS.length)];
      if (!tags.includes(tag)) tags.push(tag);
    }
    const endUser =
      key.customers.length && rnd() < 0.8 ? key.customers[Math.floor(rnd() * key.customers.length)] : null;
    out.push({
      requestId: `${o.idPrefix ?? 'synthetic'}-${offset + i}`,
      callType: m.embedding ? 'embedding' : 'chat',
      apiKey: key.hash,
      keyAlias: key.alias,
      user: key.userId,
      teamId: key.teamId,
      endUser,
      requestTags: tags,
      metadata: { user_api_key_alias: key.alias },
      modelGroup: m.group,
      model: m.model,
      provider: m.provider,
      apiBase: null,
      deploymentId: `${m.provider}-${m.group}`,
      spend,
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: prompt + completion,
      cacheReadTokens: cacheRead,
      cacheCreationTokens: 0,
      reasoningTokens: 0,
      durationMs: duration,
      startTime: start,
      endTime: start + duration,
      status: failed ? 'failure' : 'success',
      errorType: failed ? 'upstream_error' : null,
      errorMessage: failed ? 'Upstream returned 503' : null,
      httpStatus: failed ? 503 : 200,
      stream: rnd() < 0.3,
      estimated: false,
      pricingSource: 'catalog:synthetic',
      unitPrices: {
        input_cost_per_token: formatMoney(m.input),
        output_cost_per_token: formatMoney(m.output),
      },
      // The explanation the gateway stores with each priced row (costToJSON's shape and size).
      costBreakdown: failed ? null : syntheticBreakdown(m, prompt, completion, spend),
    });
  }
  return out;
}

function syntheticBreakdown(
  m: { input: bigint; output: bigint },
  prompt: number,
  completion: number,
  spend: string,
): Record<string, unknown> {
  const line = (kind: string, quantity: number, priceKey: string, unit: bigint) => ({
    kind,
    quantity,
    unit: 'token',
    priceKey,
    unitPrice: formatMoney(unit),
    amount: formatMoney(unit * BigInt(quantity)),
  });
  const unitPrices = {
    input_cost_per_token: formatMoney(m.input),
    output_cost_per_token: formatMoney(m.output),
  };
  return {
    costUsd: spend,
    source: 'catalog:synthetic',
    unpriced: false,
    tier: null,
    lines: [
      line('input', prompt, 'input_cost_per_token', m.input),
      ...(completion > 0 ? [line('output', completion, 'output_cost_per_token', m.output)] : []),
    ],
    unitPrices,
    serviceTier: null,
    batch: false,
    unpricedParts: [],
    priceVersion: null,
  };
}

/** Inserts the world's teams and keys (aliases shown by reports). Existing rows are left alone. */
export async function insertWorld(db: Db, world: SyntheticWorld): Promise<void> {
  await db.query(
    `INSERT INTO tg_teams (team_id, team_alias)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (team_id) DO NOTHING`,
    [world.teams.map((t) => t.id), world.teams.map((t) => t.alias)],
  );
  await db.query(
    `INSERT INTO tg_keys (token_hash, key_name, key_alias, user_id, team_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT DO NOTHING`,
    [
      world.keys.map((k) => k.hash),
      world.keys.map((k) => `sk-...${k.token.slice(-4)}`),
      world.keys.map((k) => k.alias),
      world.keys.map((k) => k.userId),
      world.keys.map((k) => k.teamId),
    ],
  );
}

let eventCounter = 0;

/** One event with plausible defaults, for tests. */
export function makeEvent(p: Partial<SpendEvent> = {}): SpendEvent {
  const start = p.startTime ?? Date.parse('2024-05-01T12:00:00Z');
  return {
    requestId: `evt-${Date.now().toString(36)}-${++eventCounter}`,
    callType: 'chat',
    apiKey: '',
    keyAlias: null,
    user: null,
    teamId: null,
    endUser: null,
    requestTags: [],
    metadata: {},
    modelGroup: 'gpt-4o',
    model: 'gpt-4o-2024-08-06',
    provider: 'openai',
    apiBase: null,
    deploymentId: null,
    spend: '0',
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cacheReadTokens: 0,
    cacheCreationTokens: 0,
    reasoningTokens: 0,
    durationMs: 100,
    startTime: start,
    endTime: start + 100,
    status: 'success',
    errorType: null,
    errorMessage: null,
    httpStatus: 200,
    stream: false,
    estimated: false,
    pricingSource: 'custom',
    unitPrices: {},
    costBreakdown: null,
    ...p,
  };
}
