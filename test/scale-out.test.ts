/**
 * Scale-out: three gateway processes behind no load balancer but one PostgreSQL and one Redis. They
 * hold a strict budget exactly under concurrency, report identical totals, and each sees a key
 * change, a model added through another replica and a cache flush within one second.
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
const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };

function spawnGateway(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TOLLGATE_LOG: 'WARN', ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 90_000);
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
const children: ChildProcess[] = [];
const urls: string[] = [];

beforeAll(async () => {
  prefix = await requireRedis();
  mock = await startMockUpstream({ port: 0 });
  tdb = await createTestDatabase();
  work = mkdtempSync(join(tmpdir(), 'tollgate-scale-'));
  const cfg = join(work, 'config.yaml');
  writeFileSync(
    cfg,
    `model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mock.url}/v1", api_key: sk-mock }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0.001, max_output_tokens: 100 }
litellm_settings:
  cache: true
  cache_params: { type: redis, ttl: 300, mode: default_off }
general_settings:
  master_key: sk-1234
  budget_enforcement: strict
  store_model_in_db: true
`,
  );
  // Started one after the other: three embedded starts at once overload a 2-core machine.
  for (const name of ['a', 'b', 'c']) {
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
    children.push(g.child);
    urls.push(g.url);
  }
}, 300_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
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

const post = (url: string, path: string, body: object, key = 'sk-1234') =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { ...H, authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });

describe('three replicas on one PostgreSQL + Redis', () => {
  it('hold a strict budget exactly and report identical totals', async () => {
    const gen = await post(urls[0], '/key/generate', { key_alias: 'shared-budget', max_budget: 1 });
    const { key } = (await gen.json()) as { key: string };
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(
          urls[i % 3],
          '/v1/chat/completions',
          { model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: ECHO }] },
          key,
        ).then(async (r) => ({
          status: r.status,
          cost: r.headers.get('x-tollgate-response-cost'),
          body: (await r.json()) as any,
        })),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    // Worst case 100 × 0.001 = 0.1 per request, reserved before sending: at least 10 fit in 1 USD.
    // (The model's output limit is 100 too, so the ceiling — the cost if max_tokens were ignored —
    // equals the reservation and calls run side by side instead of one at a time near the budget.)
    expect(ok.length).toBeGreaterThanOrEqual(10);
    for (const r of results.filter((x) => x.status !== 200))
      expect(r.body.error.type).toBe('budget_exceeded');
    const spent = ok.reduce((s, r) => s + parseMoney(r.cost!), 0n);
    expect(spent <= parseMoney('1')).toBe(true);

    // Every replica reports the same totals, equal to the sum of the costs the clients were told.
    const want = formatMoney(spent);
    let seen: string[] = [];
    for (let i = 0; i < 100; i++) {
      seen = await Promise.all(
        urls.map(async (u) => {
          const r = await fetch(`${u}/key/info?key=${encodeURIComponent(key)}`, { headers: H });
          return String(((await r.json()) as any).info.spend);
        }),
      );
      if (seen.every((s) => s === want)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen).toEqual([want, want, want]);
    const db: Db = await openStore({ databaseUrl: tdb.url, migrate: false });
    try {
      let logged = '';
      for (let i = 0; i < 100; i++) {
        const r = await db.query<{ n: string; s: string }>(
          `SELECT count(*)::text AS n, coalesce(sum(spend), 0)::text AS s FROM tg_spend_logs WHERE key_alias = 'shared-budget' AND status = 'success'`,
        );
        if (Number(r.rows[0].n) === ok.length) {
          logged = formatMoney(parseMoney(r.rows[0].s));
          break;
        }
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(logged).toBe(want);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('see a key change, a new model and a cache flush made on another replica within 1 s', async () => {
    const { key } = (await (await post(urls[0], '/key/generate', { key_alias: 'to-block' })).json()) as {
      key: string;
    };
    for (const u of urls)
      expect((await fetch(`${u}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
        200,
      );
    expect((await post(urls[0], '/key/block', { key })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    for (const u of urls.slice(1))
      expect((await fetch(`${u}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(
        403,
      );

    const created = await post(urls[1], '/model/new', {
      model_name: 'added-live',
      litellm_params: {
        model: 'openai/gpt-4o-mini',
        api_base: `${mock.url}/v1`,
        api_key: 'os.environ/NOT_NEEDED_FOR_MOCK',
      },
      model_info: { input_cost_per_token: 0, output_cost_per_token: 0.000001 },
    });
    // An unset env reference is refused exactly like in config.yaml.
    expect(created.status).toBe(400);
    expect(
      (
        await post(urls[1], '/model/new', {
          model_name: 'added-live',
          litellm_params: { model: 'openai/gpt-4o-mini', api_base: `${mock.url}/v1`, api_key: 'sk-live' },
          model_info: { input_cost_per_token: 0, output_cost_per_token: 0.000001 },
        })
      ).status,
    ).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    for (const u of [urls[0], urls[2]]) {
      const r = await post(u, '/v1/chat/completions', {
        model: 'added-live',
        messages: [{ role: 'user', content: 'new model' }],
      });
      expect(r.status).toBe(200);
    }

    const body = {
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'cache across replicas' }],
      cache: { 'use-cache': true },
    };
    await post(urls[0], '/v1/chat/completions', body);
    await new Promise((r) => setTimeout(r, 100));
    expect((await post(urls[1], '/v1/chat/completions', body)).headers.get('x-tollgate-cache-hit')).toBe(
      'true',
    );
    expect((await post(urls[2], '/cache/flushall', {})).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      (await post(urls[0], '/v1/chat/completions', body)).headers.get('x-tollgate-cache-hit'),
    ).toBeNull();
  }, 60_000);
});
