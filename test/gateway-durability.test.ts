/**
 * Nothing lost, nothing doubled — through the real gateway, against the machine's PostgreSQL:
 *  - kill -9 of the gateway process under load, then restart: every request that got a 2xx has
 *    exactly one spend-log row with the cost its response header announced;
 *  - the database unreachable for a while under load (TCP relay cut): requests keep succeeding,
 *    and once it is back every request has exactly one row;
 *  - after randomized load, spend-log rows, rollups and per-entity totals agree exactly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream } from '../src/mock-upstream/server.js';
import { warmTokenizer } from '../src/providers/token-count.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { startTestGateway } from './support/gateway.js';
import { ledgerMismatches, prng, rowCounts } from './support/ledger-events.js';
import { startTcpRelay } from './support/ledger-relay.js';
import { createTestDatabase } from './support/services.js';

const ROOT = join(import.meta.dirname, '..');

const config = (mockUrl: string) => `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, api_base: "${mockUrl}/v1", api_key: sk-mock }
  - model_name: claude
    litellm_params: { model: anthropic/claude-3-5-sonnet-20241022-cache-300, api_base: "${mockUrl}", api_key: sk-mock }
  - model_name: broken
    litellm_params: { model: openai/fail-500, api_base: "${mockUrl}/v1", api_key: sk-mock, max_retries: 0 }
general_settings:
  master_key: sk-1234
`;

interface Sent {
  id: string;
  cost: string;
}

async function chat(url: string, body: object): Promise<Sent | null> {
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await res.arrayBuffer();
    if (res.status !== 200) return null;
    return {
      id: res.headers.get('x-tollgate-request-id')!,
      cost: res.headers.get('x-tollgate-response-cost')!,
    };
  } catch {
    return null; // connection reset by the kill
  }
}

/** Runs `workers` request loops until stop() resolves; returns every acknowledged request. */
function load(url: string, workers: number, body: (i: number) => object) {
  const acked: Sent[] = [];
  let running = true;
  let n = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (running) {
      const r = await chat(url, body(n++));
      if (r) acked.push(r);
    }
  });
  return {
    acked,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

function spawnGateway(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, TOLLGATE_LOG: 'WARN' },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] });
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${code ?? signal}): ${out}`));
    });
  });
}

async function expectExactlyOnce(db: Db, acked: Sent[]): Promise<void> {
  const counts = await rowCounts(
    db,
    acked.map((a) => a.id),
  );
  const wrong = [...counts].filter(([, n]) => n !== 1);
  expect(wrong).toEqual([]);
  const r = await db.query<{ request_id: string; spend: string }>(
    'SELECT request_id, spend::text AS spend FROM tg_spend_logs WHERE request_id = ANY($1::text[])',
    [acked.map((a) => a.id)],
  );
  const spend = new Map(r.rows.map((x) => [x.request_id, x.spend]));
  const costMismatch = acked.filter((a) => spend.get(a.id) !== a.cost);
  expect(costMismatch).toEqual([]);
}

let mock: Awaited<ReturnType<typeof startMockUpstream>>;
beforeAll(async () => {
  mock = await startMockUpstream({ port: 0, record: false });
  warmTokenizer('gpt-4o');
  warmTokenizer('claude');
});
afterAll(async () => {
  await mock?.close();
});

describe('gateway durability (PostgreSQL)', () => {
  it('kill -9 under load, restart: every 2xx has exactly one row with the announced cost', async () => {
    const tdb = await createTestDatabase();
    const work = mkdtempSync(join(tmpdir(), 'tollgate-kill-'));
    const cfg = join(work, 'config.yaml');
    writeFileSync(cfg, config(mock.url));
    const args = [
      '--config',
      cfg,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'data'),
      '--database-url',
      tdb.url,
    ];
    let db: Db | undefined;
    let second: ChildProcess | undefined;
    try {
      const first = await spawnGateway(args);
      const l = load(first.url, 8, (i) => ({
        model: i % 3 ? 'gpt-4o' : 'claude',
        messages: [{ role: 'user', content: `request ${i}` }],
        user: `customer-${i % 5}`,
        metadata: { tags: [`job:${i % 4}`] },
      }));
      await new Promise((r) => setTimeout(r, 2500));
      first.child.kill('SIGKILL');
      await l.stop();
      expect(l.acked.length).toBeGreaterThan(50);

      // Restart on the same spool and database: un-committed events are replayed.
      second = (await spawnGateway(args)).child;
      db = await openStore({ databaseUrl: tdb.url, migrate: false });
      const ids = l.acked.map((a) => a.id);
      for (let i = 0; i < 100; i++) {
        const c = await rowCounts(db, ids);
        if ([...c.values()].every((n) => n >= 1)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await expectExactlyOnce(db, l.acked);
      expect(await ledgerMismatches(db)).toEqual([]);
    } finally {
      second?.kill('SIGKILL');
      await db?.close();
      await tdb.drop();
      rmSync(work, { recursive: true, force: true });
    }
  }, 90_000);

  it('database unreachable under load: requests succeed, and afterwards every request has exactly one row', async () => {
    const tdb = await createTestDatabase();
    const relay = await startTcpRelay(5432);
    const t = await startTestGateway(config('{{MOCK}}'), {
      databaseUrl: relay.urlFor(tdb.url),
      ledger: { flushIntervalMs: 50 },
    });
    try {
      const l = load(t.url, 4, (i) => ({ model: 'gpt-4o', messages: [{ role: 'user', content: `q${i}` }] }));
      await new Promise((r) => setTimeout(r, 300));
      relay.cut();
      const atCut = l.acked.length;
      await new Promise((r) => setTimeout(r, 1500));
      const duringCut = l.acked.length - atCut;
      relay.restore();
      await new Promise((r) => setTimeout(r, 300));
      await l.stop();
      expect(duringCut).toBeGreaterThan(20); // served while the database was unreachable
      expect(relay.refused).toBeGreaterThan(0); // the writer really tried and failed meanwhile
      for (let i = 0; i < 100 && t.gw.ledger.stats().pending > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      await t.gw.ledger.flush();
      const db = await openStore({ databaseUrl: tdb.url, migrate: false });
      try {
        await expectExactlyOnce(db, l.acked);
        expect(await ledgerMismatches(db)).toEqual([]);
      } finally {
        await db.close();
      }
    } finally {
      await t.close();
      await relay.close();
      await tdb.drop();
    }
  }, 90_000);

  it('randomized load: sum of rows == rollups == per-entity totals, exactly', async () => {
    const tdb = await createTestDatabase();
    const t = await startTestGateway(config('{{MOCK}}'), { databaseUrl: tdb.url });
    try {
      const rand = prng(42);
      const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
      const bodies = Array.from({ length: 150 }, () => ({
        model: pick(['gpt-4o', 'claude', 'broken']),
        messages: [{ role: 'user', content: 'x '.repeat(1 + Math.floor(rand() * 200)) }],
        user: pick(['acme', 'globex', undefined]),
        metadata: { tags: [pick(['a', 'b', 'c']), pick(['x', 'y'])] },
        stream: rand() < 0.3,
      }));
      await Promise.all(
        bodies.map((b) =>
          fetch(`${t.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
            body: JSON.stringify(b),
          }).then((r) => r.arrayBuffer()),
        ),
      );
      await t.gw.ledger.flush();
      const n = await t.gw.db.query<{ n: string }>('SELECT count(*)::text AS n FROM tg_spend_logs');
      expect(Number(n.rows[0].n)).toBe(150);
      expect(await ledgerMismatches(t.gw.db)).toEqual([]);
    } finally {
      await t.close();
      await tdb.drop();
    }
  }, 90_000);
});
