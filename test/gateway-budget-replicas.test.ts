/**
 * Budgets hold under concurrency across replicas: two real gateway processes share PostgreSQL and
 * Redis; 50 concurrent requests on a key whose max_budget fits 10 worst-case requests. Recorded
 * spend never exceeds the budget and every refused request gets a budget_exceeded error.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream } from '../src/mock-upstream/server.js';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { createTestDatabase, REDIS_URL, requireRedis } from './support/services.js';

const ROOT = join(import.meta.dirname, '..');
const ECHO = Array.from({ length: 70 }, (_, i) => `w${i % 10}`).join(' ');

function spawnGateway(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TOLLGATE_LOG: 'WARN', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 40_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code}): ${out}`));
    });
  });
}

let mock: Awaited<ReturnType<typeof startMockUpstream>>;
let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let prefix: string;
let work: string;
const gateways: ChildProcess[] = [];
const urls: string[] = [];

beforeAll(async () => {
  prefix = await requireRedis();
  mock = await startMockUpstream({ port: 0, record: false });
  tdb = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'tollgate-replicas-'));
  const cfg = join(work, 'config.yaml');
  // Output price only, so the worst case is exactly max_tokens × 0.001 = 0.1 per request; the
  // model's output limit is 100 too, so the ceiling (upstream ignoring max_tokens) is the same.
  writeFileSync(
    cfg,
    `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0.001, max_output_tokens: 100 }
general_settings:
  master_key: sk-1234
  budget_enforcement: strict
`,
  );
  for (const name of ['a', 'b']) {
    const g = await spawnGateway(
      [
        '--config',
        cfg,
        '--port',
        '0',
        '--host',
        '127.0.0.1',
        '--data-dir',
        join(work, name),
        '--database-url',
        tdb.url,
      ],
      { REDIS_URL, TOLLGATE_REDIS_PREFIX: prefix },
    );
    gateways.push(g.child);
    urls.push(g.url);
  }
}, 120_000);

afterAll(async () => {
  for (const g of gateways) g.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await mock?.close();
  await tdb?.drop();
  if (work) rmSync(work, { recursive: true, force: true });
  if (prefix) {
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  }
});

describe('strict budgets across two gateway processes (shared PostgreSQL + Redis)', () => {
  it('50 concurrent requests on a key that fits 10: spend never exceeds max_budget', async () => {
    const gen = await fetch(`${urls[0]}/key/generate`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ key_alias: 'ten-requests', max_budget: 1 }),
    });
    expect(gen.status).toBe(200);
    const { key } = (await gen.json()) as { key: string };

    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        fetch(`${urls[i % 2]}/v1/chat/completions`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          // The mock echoes the message: ~70 completion tokens, close to the 100-token worst case, so
          // a plain "spend < budget" check would let all 50 through (≈ $3.5 on a $1 budget).
          body: JSON.stringify({
            model: 'gpt-4o',
            max_tokens: 100,
            messages: [{ role: 'user', content: ECHO }],
          }),
        }).then(async (r) => ({
          status: r.status,
          cost: r.headers.get('x-tollgate-response-cost'),
          body: await r.json(),
        })),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    // At least the 10 worst cases fit; real costs are lower, so a few late requests may fit too.
    expect(ok.length).toBeGreaterThanOrEqual(10);
    expect(ok.length).toBeLessThan(16);
    for (const r of ok) expect(parseMoney(r.cost!) > parseMoney('0.05')).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(400);
      expect((r.body as { error: { type: string; message: string } }).error.type).toBe('budget_exceeded');
    }
    const spent = ok.reduce((s, r) => s + parseMoney(r.cost!), 0n);
    expect(spent <= parseMoney('1')).toBe(true);

    // The ledger agrees: recorded spend for the key never exceeds its budget.
    const db: Db = await openStore({ databaseUrl: tdb.url, migrate: false });
    try {
      let recorded = '';
      for (let i = 0; i < 50; i++) {
        const r = await db.query<{ n: string; s: string }>(
          `SELECT count(*)::text AS n, coalesce(sum(spend), 0)::text AS s FROM tg_spend_logs WHERE key_alias = 'ten-requests' AND status = 'success'`,
        );
        if (Number(r.rows[0].n) === ok.length) {
          recorded = r.rows[0].s;
          break;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(formatMoney(parseMoney(recorded))).toBe(formatMoney(spent));
      expect(parseMoney(recorded) <= parseMoney('1')).toBe(true);
    } finally {
      await db.close();
    }
  }, 60_000);
});
