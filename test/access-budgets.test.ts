import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/secrets.js';
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

describe.each(['pglite', 'postgres'] as const)('budgets and limits on %s', (kind) => {
  let t: TestDb;
  let h: Harness;
  let server: Server;
  const alerts: Array<Record<string, unknown>> = [];
  const clock = fakeClock(Date.UTC(2031, 5, 1, 12, 0, 0));
  const logs = captureLogger();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        alerts.push(JSON.parse(body));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    t = await openTestDb(kind);
    h = await makeHarness(t.db, {
      now: clock.now,
      logger: logs.logger,
      alertWebhookUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`,
    });
  });
  afterAll(async () => {
    await h.close();
    await t.close();
    await new Promise((r) => server.close(r));
  });

  const llm = (key: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: '/test/llm', headers: auth(key), payload });

  /** One request through admit → settle → ledger write. */
  async function spend(key: string, cost: string, maxCost = cost) {
    const r = await llm(key, { model: 'gpt-4o', max_cost: maxCost });
    if (r.statusCode !== 200) return r;
    await h.held.get(r.json().request_id)?.settle(cost, 100);
    await recordSpend(t.db, { key: hashKey(key) }, cost, clock.now());
    return r;
  }

  it('resets the running spend at the budget_duration boundary (logs stay)', async () => {
    const k = await admin(h.app, 'POST', '/key/generate', { max_budget: 1, budget_duration: '30s' });
    const hash = hashKey(k.key);
    const start = clock.now();
    expect(k.budget_reset_at).toBe(new Date(start + 30_000).toISOString());
    expect((await spend(k.key, '0.7')).statusCode).toBe(200);
    expect((await spend(k.key, '0.3')).statusCode).toBe(200);
    const over = await spend(k.key, '0.01');
    expect(over.statusCode).toBe(400);
    expect(over.json().error.message).toContain('current spend 1 USD');
    expect((await admin(h.app, 'GET', `/key/info?key=${hash}`)).info.spend).toBe(1);

    clock.advance(29_999);
    expect((await spend(k.key, '0.01')).statusCode).toBe(400);
    expect(await h.service.runMaintenance()).toBe(0);

    clock.advance(1);
    // Admission already sees the new period before the background reset ran…
    expect((await spend(k.key, '0.25')).statusCode).toBe(200);
    // …and the reset restarts tg_spend_totals once (keeping what the ledger already wrote for the
    // new period), records it, and advances budget_reset_at. The logs stay.
    expect(await h.service.runMaintenance()).toBe(1);
    expect(await h.service.runMaintenance()).toBe(0);
    expect(await dbSpend(t.db, 'key', hash)).toBe('0.25');
    const logs = await t.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM tg_spend_logs WHERE api_key = $1',
      [hash],
    );
    expect(logs.rows[0].n).toBe('3');
    const resets = await t.db.query<{ scope: string; reset_by: string; details: Record<string, unknown> }>(
      'SELECT scope, reset_by, details FROM tg_spend_resets WHERE scope = $1',
      [`key:${hash}`],
    );
    expect(resets.rows).toHaveLength(1);
    expect(resets.rows[0].reset_by).toBe('budget_duration');
    expect(resets.rows[0].details.previous_spend).toBe('1.25');
    const info = await admin(h.app, 'GET', `/key/info?key=${hash}`);
    expect(info.info.budget_reset_at).toBe(new Date(start + 60_000).toISOString());
    expect(info.info.spend).toBe(0.25);
    expect((await spend(k.key, '0.75')).statusCode).toBe(200);
    expect((await spend(k.key, '0.000001')).statusCode).toBe(400);

    // Several periods later: one reset, to the next boundary on the same grid.
    clock.advance(95_000);
    expect((await spend(k.key, '0.5')).statusCode).toBe(200);
    expect(await h.service.runMaintenance()).toBe(1);
    expect((await admin(h.app, 'GET', `/key/info?key=${hash}`)).info.budget_reset_at).toBe(
      new Date(start + 150_000).toISOString(),
    );
  });

  it('sends one soft-budget alert per period (log line + webhook)', async () => {
    alerts.length = 0;
    const k = await admin(h.app, 'POST', '/key/generate', {
      key_alias: `soft-${kind}`,
      soft_budget: 0.5,
      max_budget: 10,
      budget_duration: '1h',
    });
    await spend(k.key, '0.3');
    await h.service.flushAlerts();
    expect(alerts).toHaveLength(0);
    await spend(k.key, '0.3');
    await spend(k.key, '0.3');
    await h.service.flushAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      event: 'soft_budget_crossed',
      entity_type: 'key',
      entity_id: hashKey(k.key),
      spend: 0.6,
      soft_budget: 0.5,
      max_budget: 10,
    });
    expect(JSON.stringify(alerts[0])).not.toContain(k.key);
    expect(
      logs.lines.filter((l) => l.alert === 'soft_budget_crossed' && l.entity_id === hashKey(k.key)),
    ).toHaveLength(1);
    clock.advance(3_600_000);
    await h.service.runMaintenance();
    await spend(k.key, '0.4');
    await spend(k.key, '0.4');
    await spend(k.key, '0.4');
    await h.service.flushAlerts();
    expect(alerts).toHaveLength(2);
    expect(alerts[1].spend).toBe(0.8);
  });

  it('rpm limit → 429 with retry-after and the limit named', async () => {
    const k = await admin(h.app, 'POST', '/key/generate', { rpm_limit: 3 });
    // Align to the start of a minute for a predictable retry-after.
    clock.advance(60_000 - (clock.now() % 60_000) + 20_000);
    for (let i = 0; i < 3; i++) expect((await llm(k.key, { model: 'gpt-4o' })).statusCode).toBe(200);
    const r = await llm(k.key, { model: 'gpt-4o' });
    expect(r.statusCode).toBe(429);
    expect(r.headers['retry-after']).toBe('40');
    expect(r.json().error).toMatchObject({
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      param: 'rpm_limit',
    });
    expect(r.json().error.message).toContain('rpm_limit 3');
    clock.advance(40_000);
    expect((await llm(k.key, { model: 'gpt-4o' })).statusCode).toBe(200);
  });

  it('max_parallel_requests → 429 until a request settles', async () => {
    const k = await admin(h.app, 'POST', '/key/generate', { max_parallel_requests: 2 });
    const a = await llm(k.key, { model: 'gpt-4o' });
    const b = await llm(k.key, { model: 'gpt-4o' });
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    const c = await llm(k.key, { model: 'gpt-4o' });
    expect(c.statusCode).toBe(429);
    expect(c.headers['retry-after']).toBe('1');
    expect(c.json().error.param).toBe('max_parallel_requests');
    await h.held.get(a.json().request_id)?.settle('0', 0);
    expect((await llm(k.key, { model: 'gpt-4o' })).statusCode).toBe(200);
  });

  it('tpm limit counts prompt tokens at admission and the rest at settle', async () => {
    await admin(h.app, 'POST', '/team/new', { team_id: `tpm-${kind}`, tpm_limit: 1000 });
    const k = await admin(h.app, 'POST', '/key/generate', { team_id: `tpm-${kind}` });
    clock.advance(60_000 - (clock.now() % 60_000));
    const a = await llm(k.key, { model: 'gpt-4o', prompt_tokens: 400 });
    expect(a.statusCode).toBe(200);
    await h.held.get(a.json().request_id)?.settle('0', 1000);
    const b = await llm(k.key, { model: 'gpt-4o', prompt_tokens: 1 });
    expect(b.statusCode).toBe(429);
    expect(b.json().error.message).toContain('team "tpm-');
    expect(b.json().error.message).toContain('tpm_limit 1000');
  });

  it('global spend reset zeroes key and team spend (DB and counters) and records it', async () => {
    const k = await admin(h.app, 'POST', '/key/generate', { max_budget: 1 });
    await spend(k.key, '1');
    expect((await spend(k.key, '0.1')).statusCode).toBe(400);
    await recordSpend(t.db, { user: 'someone' }, '3', clock.now());
    await h.service.resetAllSpend('master_key');
    expect(await dbSpend(t.db, 'key', hashKey(k.key))).toBe('0');
    expect(await dbSpend(t.db, 'user', 'someone')).toBe('3');
    expect((await spend(k.key, '0.1')).statusCode).toBe(200);
    const r = await t.db.query<{ reset_by: string }>(
      `SELECT reset_by FROM tg_spend_resets WHERE scope = 'global'`,
    );
    expect(r.rows.map((x) => x.reset_by)).toEqual(['master_key']);
  });

  it('soft enforcement: classic check (spend < budget), no reservation', async () => {
    const soft = await makeHarness(t.db, { now: clock.now, budgetEnforcement: 'soft' });
    try {
      const k = await admin(soft.app, 'POST', '/key/generate', { max_budget: 1 });
      const call = () =>
        soft.app.inject({
          method: 'POST',
          url: '/test/llm',
          headers: auth(k.key),
          payload: { model: 'gpt-4o', max_cost: '5' },
        });
      const first = await call();
      expect(first.statusCode).toBe(200);
      expect((await call()).statusCode).toBe(200); // nothing reserved
      await soft.held.get(first.json().request_id)?.settle('1', 10);
      expect((await call()).statusCode).toBe(400);
    } finally {
      await soft.close();
    }
  });
});
