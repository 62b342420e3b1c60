import { connect, createServer, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/secrets.js';
import { registry } from '../src/metrics.js';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import {
  admin,
  auth,
  captureLogger,
  dbSpend,
  fakeClock,
  type Harness,
  makeHarness,
  openTestDb,
  recordSpend,
  type TestDb,
} from './access-harness.js';
import { REDIS_URL, requireRedis } from './support/services.js';

const WORST = '0.1';
const BUDGET = '1'; // fits exactly 10 worst-case requests

async function burst(targets: Harness[], key: string, n: number, maxCost = WORST) {
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      targets[i % targets.length].app.inject({
        method: 'POST',
        url: '/test/llm',
        headers: auth(key),
        payload: { model: 'gpt-4o', max_cost: maxCost, prompt_tokens: 5 },
      }),
    ),
  );
  const admitted: Array<{ h: Harness; id: string }> = [];
  results.forEach((r, i) => {
    if (r.statusCode === 200) admitted.push({ h: targets[i % targets.length], id: r.json().request_id });
    else {
      expect(r.statusCode).toBe(400);
      expect(r.json().error.code).toBe('budget_exceeded');
      expect(r.json().error.param).toBe('key');
    }
  });
  return admitted;
}

/** Settles admitted requests with a real cost and writes the spend as the ledger would. */
async function settleAll(t: TestDb, key: string, admitted: Array<{ h: Harness; id: string }>, cost: string) {
  await Promise.all(
    admitted.map(async ({ h, id }) => {
      await h.held.get(id)?.settle(cost, 20);
      await recordSpend(t.db, { key: hashKey(key) }, cost);
    }),
  );
}

async function proveBudgetHolds(t: TestDb, targets: Harness[]) {
  const k = await admin(targets[0].app, 'POST', '/key/generate', { max_budget: BUDGET });
  const first = await burst(targets, k.key, 50);
  expect(first).toHaveLength(10);
  // Until settled, nothing else fits.
  expect(await burst(targets, k.key, 20)).toHaveLength(0);
  await settleAll(t, k.key, first, '0.07'); // real cost below the worst case: 0.3 left
  const second = await burst(targets, k.key, 50);
  expect(second).toHaveLength(3);
  await settleAll(t, k.key, second, WORST);
  expect(parseMoney(await dbSpend(t.db, 'key', hashKey(k.key)))).toBe(parseMoney('1'));
  expect(await burst(targets, k.key, 30, '0')).toHaveLength(0);
  expect(parseMoney(await dbSpend(t.db, 'key', hashKey(k.key))) <= parseMoney(BUDGET)).toBe(true);
  const info = await admin(targets[1 % targets.length].app, 'GET', `/key/info?key=${hashKey(k.key)}`);
  expect(info.info.spend).toBe(1);
}

describe.each(['pglite', 'postgres'] as const)('budget under concurrency, one process on %s', (kind) => {
  let t: TestDb;
  let h: Harness;
  beforeAll(async () => {
    t = await openTestDb(kind);
    h = await makeHarness(t.db);
  });
  afterAll(async () => {
    await h.close();
    await t.close();
  });

  it('50 concurrent admissions on a budget that fits 10 → exactly 10, spend never exceeds max_budget', async () => {
    expect(h.service.counterBackend).toBe('memory');
    await proveBudgetHolds(t, [h]);
  });
});

describe('budget under concurrency, two processes sharing PostgreSQL and Redis', () => {
  let t: TestDb;
  let t2: TestDb;
  let a: Harness;
  let b: Harness;
  let prefix: string;
  const clock = fakeClock();
  beforeAll(async () => {
    prefix = await requireRedis();
    t = await openTestDb('postgres');
    t2 = await openTestDb('postgres', t.url); // a second pool: a second process's view of the database
    a = await makeHarness(t.db, { redisUrl: REDIS_URL, redisPrefix: prefix, now: clock.now });
    b = await makeHarness(t2.db, { redisUrl: REDIS_URL, redisPrefix: prefix, now: clock.now });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await t2.db.close();
    await t.close();
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('exactly 10 of 50 admitted across both processes; spend never exceeds max_budget', async () => {
    expect(a.service.counterBackend).toBe('redis');
    expect(b.service.counterBackend).toBe('redis');
    await proveBudgetHolds(t, [a, b]);
  });

  it('invalidates cached keys in the other process (pub/sub)', async () => {
    const k = await admin(a.app, 'POST', '/key/generate', {});
    const call = (h: Harness) =>
      h.app.inject({ method: 'POST', url: '/test/llm', headers: auth(k.key), payload: { model: 'gpt-4o' } });
    expect((await call(b)).statusCode).toBe(200); // b caches the key
    await admin(a.app, 'POST', '/key/block', { key: k.key });
    await expect.poll(async () => (await call(b)).statusCode, { timeout: 3000 }).toBe(403);
    await admin(a.app, 'POST', '/key/delete', { keys: [k.key] });
    await expect.poll(async () => (await call(b)).statusCode, { timeout: 3000 }).toBe(401);
  });

  it('shares rate limits across processes', async () => {
    const k = await admin(a.app, 'POST', '/key/generate', { max_parallel_requests: 3 });
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 ? a : b).app.inject({
          method: 'POST',
          url: '/test/llm',
          headers: auth(k.key),
          payload: { model: 'gpt-4o' },
        }),
      ),
    );
    expect(results.filter((r) => r.statusCode === 200)).toHaveLength(3);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(7);
  });

  it('a budget reset runs exactly once even when both processes try', async () => {
    const k = await admin(a.app, 'POST', '/key/generate', { max_budget: 1, budget_duration: '30s' });
    const scope = `key:${hashKey(k.key)}`;
    for (let period = 1; period <= 3; period++) {
      clock.advance(30_000);
      const runs = await Promise.all([a, b].map((h) => h.service.runMaintenance()));
      expect(runs.reduce((x, y) => x + y, 0)).toBe(1);
      const resets = await t.db.query('SELECT 1 FROM tg_spend_resets WHERE scope = $1', [scope]);
      expect(resets.rows).toHaveLength(period);
    }
  });
});

/** A TCP proxy to Redis that the test can cut and restore, to simulate Redis going down at run time. */
class CuttableProxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  port = 0;
  async start(port = 0): Promise<void> {
    const target = new URL(REDIS_URL);
    this.server = createServer((client) => {
      const upstream = connect(Number(target.port || 6379), target.hostname);
      this.sockets.add(client).add(upstream);
      client.pipe(upstream).pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => this.server?.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise((r) => this.server?.close(r));
    this.server = null;
  }
}

describe('Redis unavailable', () => {
  let t: TestDb;
  let prefix: string;
  beforeAll(async () => {
    prefix = await requireRedis();
    t = await openTestDb('pglite');
  });
  afterAll(async () => {
    await t.close();
    const r = new Redis(REDIS_URL);
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    r.disconnect();
  });

  it('Redis down from the start: in-process counters still hold the budget', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as { port: number }).port;
    await new Promise((r) => closed.close(r));
    const logs = captureLogger();
    const h = await makeHarness(t.db, {
      redisUrl: `redis://127.0.0.1:${port}`,
      redisPrefix: prefix,
      logger: logs.logger,
    });
    try {
      expect(h.service.counterBackend).toBe('memory');
      expect(logs.lines.some((l) => String(l.msg).includes('falling back to in-process'))).toBe(true);
      await proveBudgetHolds(t, [h]);
    } finally {
      await h.close();
    }
  });

  it('Redis lost at run time: falls back with a warning, then shares counters again when it is back', async () => {
    const proxy = new CuttableProxy();
    await proxy.start();
    const logs = captureLogger();
    const h = await makeHarness(t.db, {
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      redisPrefix: `${prefix}rt:`,
      logger: logs.logger,
    });
    try {
      expect(h.service.counterBackend).toBe('redis');
      const k = await admin(h.app, 'POST', '/key/generate', { max_budget: BUDGET });
      const first = await burst([h], k.key, 4);
      expect(first).toHaveLength(4);
      await settleAll(t, k.key, first, WORST);

      await proxy.cut();
      // Admissions keep working on in-process counters seeded from the recorded spend (0.4).
      const during = await burst([h], k.key, 20);
      expect(h.service.counterBackend).toBe('memory');
      expect(during).toHaveLength(6);
      expect(logs.lines.some((l) => String(l.msg).includes('Redis unavailable'))).toBe(true);
      await settleAll(t, k.key, during, '0.05'); // 0.4 + 0.3 = 0.7 recorded

      await proxy.start(proxy.port);
      await expect.poll(() => h.service.counterBackend, { timeout: 5000 }).toBe('redis');
      // The Redis counter still says 0.4; reconciliation raises it to the recorded 0.7.
      await h.service.reconcile();
      const after = await burst([h], k.key, 20);
      expect(after).toHaveLength(3);
      await settleAll(t, k.key, after, WORST);
      expect(formatMoney(parseMoney(await dbSpend(t.db, 'key', hashKey(k.key))))).toBe('1');
      await proxy.cut();
    } finally {
      await h.close();
    }
  });

  it('settles that cannot reach Redis leave orphaned reservations: a metric says so, and they are released when Redis is back', async () => {
    const proxy = new CuttableProxy();
    await proxy.start();
    const h = await makeHarness(t.db, {
      redisUrl: `redis://127.0.0.1:${proxy.port}`,
      redisPrefix: `${prefix}orph:`,
      logger: captureLogger().logger,
    });
    const gauge = async () =>
      Number(
        /tollgate_budget_reservations_orphaned (\d+)/.exec(
          await registry.getSingleMetricAsString('tollgate_budget_reservations_orphaned'),
        )?.[1],
      );
    try {
      const k = await admin(h.app, 'POST', '/key/generate', { max_budget: BUDGET, max_parallel_requests: 5 });
      const inFlight = await burst([h], k.key, 5); // admitted on Redis: 0.5 reserved, 5 slots taken
      expect(inFlight).toHaveLength(5);
      await proxy.cut();
      await settleAll(t, k.key, inFlight, '0.01'); // settled in-process: Redis never hears of it
      expect(await gauge()).toBe(5);

      await proxy.start(proxy.port);
      await expect.poll(() => h.service.counterBackend, { timeout: 5000 }).toBe('redis');
      await expect.poll(gauge, { timeout: 5000 }).toBe(0);
      const r = new Redis(REDIS_URL);
      try {
        const ref = `key:${hashKey(k.key)}`;
        expect(await r.hget(`${prefix}orph:b:${ref}`, 'r')).toBe('0'); // nothing reserved any more
        expect(await r.zcard(`${prefix}orph:p:${ref}`)).toBe(0); // no slot held
      } finally {
        r.disconnect();
      }
      // All 5 slots and the whole remaining budget are usable at once.
      await h.service.reconcile();
      expect(await burst([h], k.key, 5)).toHaveLength(5);
      await proxy.cut();
    } finally {
      await h.close();
    }
  });
});
