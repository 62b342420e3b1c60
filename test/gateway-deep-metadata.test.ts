/**
 * Deep metadata on PostgreSQL with Redis counters: a request whose metadata nests 5,000 levels is
 * refused at the edge (400, nothing reserved, nothing billed), metadata at the documented limits is
 * accepted and stored whole, and the Redis budget counter and the ledger agree afterwards.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/secrets.js';
import { CLIENT_METADATA_LIMITS } from '../src/bounded-json.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createTestDatabase, REDIS_URL, requireRedis } from './support/services.js';

let t: TestGateway;
let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let prefix: string;

beforeAll(async () => {
  prefix = await requireRedis();
  tdb = await createTestDatabase();
  t = await startTestGateway(
    `
model_list:
  - model_name: m
    litellm_params: { model: openai/gpt-4o, mock_response: "fine" }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: sk-1234
`,
    { databaseUrl: tdb.url, redisUrl: REDIS_URL, env: { TOLLGATE_REDIS_PREFIX: prefix } },
  );
}, 60_000);
afterAll(async () => {
  await t?.close();
  await tdb?.drop();
  const r = new Redis(REDIS_URL);
  const keys = await r.keys(`${prefix}*`);
  if (keys.length) await r.del(...keys);
  r.disconnect();
});

const post = (url: string, key: string, body: string) =>
  fetch(`${t.url}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });

describe('deep metadata on PostgreSQL', () => {
  it('5,000 levels → 400 at the edge; metadata at the limits is billed and stored whole; counter and ledger agree', async () => {
    const gen = await post('/key/generate', 'sk-1234', JSON.stringify({ max_budget: 10 }));
    const { key } = (await gen.json()) as { key: string };
    const messages = [{ role: 'user', content: 'hi' }];

    const deep = `{"model":"m","messages":${JSON.stringify(messages)},"metadata":${'{"d":'.repeat(5000)}{}${'}'.repeat(5000)}}`;
    for (const url of ['/v1/chat/completions', '/chat/completions']) {
      const r = await post(url, key, deep);
      expect(r.status).toBe(400);
      const err = ((await r.json()) as { error: { param: string; message: string } }).error;
      expect(err.param).toBe('metadata');
      expect(err.message).toContain(`at most ${CLIENT_METADATA_LIMITS.maxDepth} levels`);
      expect(r.headers.get('x-tollgate-response-cost')).toBeNull();
    }

    // At the limits: maxDepth levels and close to maxBytes of JSON.
    let nested: Record<string, unknown> = { leaf: 'x'.repeat(CLIENT_METADATA_LIMITS.maxBytes - 2000) };
    for (let i = 1; i < CLIENT_METADATA_LIMITS.maxDepth; i++) nested = { d: nested };
    const ids: string[] = [];
    const costs: bigint[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await post(
        '/v1/chat/completions',
        key,
        JSON.stringify({ model: 'm', messages, metadata: nested }),
      );
      expect(r.status).toBe(200);
      ids.push(r.headers.get('x-tollgate-request-id')!);
      costs.push(parseMoney(r.headers.get('x-tollgate-response-cost')!));
      await r.arrayBuffer();
    }
    await t.gw.ledger.flush(20_000);
    const rows = await t.gw.db.query<{ request_id: string; spend: string; ok: boolean }>(
      `SELECT request_id, spend::text AS spend, metadata = $2::jsonb AS ok FROM tg_spend_logs WHERE request_id = ANY($1::text[])`,
      [ids, JSON.stringify(nested)],
    );
    expect(rows.rows).toHaveLength(5);
    expect(rows.rows.every((r) => r.ok)).toBe(true); // stored whole, not flagged
    const total = costs.reduce((a, c) => a + c, 0n);
    const hash = hashKey(key);
    const db = await t.gw.db.query<{ s: string }>(
      `SELECT spend::text AS s FROM tg_spend_totals WHERE entity_type = 'key' AND entity_id = $1`,
      [hash],
    );
    expect(formatMoney(parseMoney(db.rows[0].s))).toBe(formatMoney(total));
    // The Redis counter holds the spend as an integer count of 1e-24 USD.
    const r = new Redis(REDIS_URL);
    try {
      expect(await r.hget(`${prefix}b:key:${hash}`, 's')).toBe(total.toString());
      expect(await r.hget(`${prefix}b:key:${hash}`, 'r')).toBe('0');
    } finally {
      r.disconnect();
    }
  }, 60_000);
});
