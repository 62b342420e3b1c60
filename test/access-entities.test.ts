import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/secrets.js';
import {
  admin,
  auth,
  dbSpend,
  fakeClock,
  type Harness,
  MASTER,
  makeHarness,
  openTestDb,
  recordSpend,
  type TestDb,
} from './access-harness.js';

describe.each(['pglite', 'postgres'] as const)('users, teams and customers on %s', (kind) => {
  let t: TestDb;
  let h: Harness;
  const clock = fakeClock();

  beforeAll(async () => {
    t = await openTestDb(kind);
    h = await makeHarness(t.db, { now: clock.now });
  });
  afterAll(async () => {
    await h.close();
    await t.close();
  });

  const llm = (key: string, payload: Record<string, unknown>) =>
    h.app.inject({ method: 'POST', url: '/test/llm', headers: auth(key), payload });

  it('internal users: new (with auto-created key), info, update, list, delete', async () => {
    await admin(h.app, 'POST', '/team/new', { team_id: 'eng', team_alias: 'Engineering' });
    const u = await admin(h.app, 'POST', '/user/new', {
      user_id: 'ishaan',
      user_email: 'ishaan@example.com',
      user_role: 'internal_user',
      max_budget: 20,
      budget_duration: '1d',
      teams: ['eng'],
      models: ['gpt-4o'],
    });
    expect(u.user_id).toBe('ishaan');
    expect(u.key).toMatch(/^sk-/);
    expect(u.teams).toEqual(['eng']);
    expect(u.max_budget).toBe(20);
    expect(u.budget_duration).toBe('1d');
    expect(u.budget_reset_at).toBe(new Date(clock.now() + 86_400_000).toISOString());

    const dupEmail = await h.app.inject({
      method: 'POST',
      url: '/user/new',
      headers: auth(MASTER),
      payload: { user_email: 'ishaan@example.com' },
    });
    expect(dupEmail.statusCode).toBe(400);
    const badRole = await h.app.inject({
      method: 'POST',
      url: '/user/new',
      headers: auth(MASTER),
      payload: { user_role: 'god' },
    });
    expect(badRole.statusCode).toBe(400);

    const info = await admin(h.app, 'GET', '/user/info?user_id=ishaan');
    expect(info.user_info.user_email).toBe('ishaan@example.com');
    expect(info.keys.map((k: { token: string }) => k.token)).toEqual([hashKey(u.key)]);
    expect(info.teams).toEqual([{ team_id: 'eng', team_alias: 'Engineering' }]);

    const upd = await admin(h.app, 'POST', '/user/update', {
      user_id: 'ishaan',
      max_budget: '25.5',
      user_role: 'proxy_admin_viewer',
    });
    expect(upd.data.max_budget).toBe(25.5);
    expect(upd.data.user_role).toBe('proxy_admin_viewer');

    const list = await admin(h.app, 'GET', '/user/list');
    expect(list.users.map((x: { user_id: string }) => x.user_id)).toContain('ishaan');

    const noKey = await admin(h.app, 'POST', '/user/new', { user_id: 'nokey', auto_create_key: false });
    expect(noKey.key).toBeNull();

    const del = await admin(h.app, 'POST', '/user/delete', { user_ids: ['ishaan'] });
    expect(del.deleted_keys).toEqual([hashKey(u.key)]);
    expect((await llm(u.key, { model: 'gpt-4o' })).statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/user/info?user_id=ishaan', headers: auth(MASTER) }))
        .statusCode,
    ).toBe(404);
  });

  it('teams: new with members, info, update, member_add/member_delete, list, delete', async () => {
    const team = await admin(h.app, 'POST', '/team/new', {
      team_alias: 'QA Bot',
      members_with_roles: [
        { role: 'admin', user_id: 'qa-lead' },
        { role: 'user', user_email: 'tester@example.com' },
      ],
      max_budget: 5,
      budget_duration: '30d',
      models: ['gpt-4o-mini'],
    });
    expect(team.team_id).toMatch(/[0-9a-f-]{36}/);
    expect(team.admins).toEqual(['qa-lead']);
    expect(team.members_with_roles).toHaveLength(2);
    const tid = team.team_id;

    const added = await admin(h.app, 'POST', '/team/member_add', {
      team_id: tid,
      member: { role: 'user', user_id: 'newbie' },
    });
    expect(added.members).toContain('newbie');
    expect(added.updated_users[0].user_id).toBe('newbie');
    const again = await h.app.inject({
      method: 'POST',
      url: '/team/member_add',
      headers: auth(MASTER),
      payload: { team_id: tid, member: { role: 'user', user_id: 'newbie' } },
    });
    expect(again.statusCode).toBe(400);
    const removed = await admin(h.app, 'POST', '/team/member_delete', { team_id: tid, user_id: 'newbie' });
    expect(removed.members).not.toContain('newbie');

    const key = await admin(h.app, 'POST', '/key/generate', { team_id: tid });
    const info = await admin(h.app, 'GET', `/team/info?team_id=${tid}`);
    expect(info.team_info.team_alias).toBe('QA Bot');
    expect(info.keys.map((k: { token: string }) => k.token)).toEqual([hashKey(key.key)]);

    // Team models restrict every key of the team.
    expect((await llm(key.key, { model: 'gpt-4o-mini' })).statusCode).toBe(200);
    const denied = await llm(key.key, { model: 'gpt-4o' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('team "QA Bot"');

    const upd = await admin(h.app, 'POST', '/team/update', { team_id: tid, models: [], max_budget: 6 });
    expect(upd.data.max_budget).toBe(6);
    expect((await llm(key.key, { model: 'gpt-4o' })).statusCode).toBe(200);

    await admin(h.app, 'POST', '/team/block', { team_id: tid });
    const blocked = await llm(key.key, { model: 'gpt-4o' });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.message).toContain('blocked');
    await admin(h.app, 'POST', '/team/unblock', { team_id: tid });

    expect((await admin(h.app, 'GET', '/team/list')).map((x: { team_id: string }) => x.team_id)).toContain(
      tid,
    );
    const del = await admin(h.app, 'POST', '/team/delete', { team_ids: [tid] });
    expect(del.deleted_keys).toEqual([hashKey(key.key)]);
    expect((await llm(key.key, { model: 'gpt-4o' })).statusCode).toBe(401);
  });

  it('a team budget blocks every key of the team', async () => {
    const team = await admin(h.app, 'POST', '/team/new', { team_id: 'budget-team', max_budget: '1' });
    const k1 = await admin(h.app, 'POST', '/key/generate', { team_id: team.team_id });
    const k2 = await admin(h.app, 'POST', '/key/generate', { team_id: team.team_id, max_budget: 100 });
    const other = await admin(h.app, 'POST', '/key/generate', {});
    const r1 = await llm(k1.key, { model: 'gpt-4o', max_cost: '0.6' });
    expect(r1.statusCode).toBe(200);
    await h.held.get(r1.json().request_id)?.settle('0.6', 100);
    await recordSpend(t.db, { key: hashKey(k1.key), team: 'budget-team' }, '0.6', clock.now());
    // k2 has its own large budget, but the team's remaining 0.4 does not fit 0.5.
    const r2 = await llm(k2.key, { model: 'gpt-4o', max_cost: '0.5' });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().error).toMatchObject({
      type: 'budget_exceeded',
      code: 'budget_exceeded',
      param: 'team',
    });
    expect(r2.json().error.message).toContain('team "budget-team"');
    expect(r2.json().error.message).toContain('current spend 0.6 USD');
    expect(r2.json().error.message).toContain('max_budget 1 USD');
    const r3 = await llm(k2.key, { model: 'gpt-4o', max_cost: '0.4' });
    expect(r3.statusCode).toBe(200);
    await h.held.get(r3.json().request_id)?.settle('0.4', 100);
    // Now the team is at its limit: every key of the team is refused, other keys are not.
    for (const k of [k1.key, k2.key]) {
      const r = await llm(k, { model: 'gpt-4o', max_cost: '0' });
      expect(r.statusCode).toBe(400);
      expect(r.json().error.param).toBe('team');
    }
    expect((await llm(other.key, { model: 'gpt-4o', max_cost: '5' })).statusCode).toBe(200);
    const info = await admin(h.app, 'GET', '/team/info?team_id=budget-team');
    expect(info.team_info.spend).toBe(1);
  });

  it('customers: CRUD under /customer and /end_user, budget and block', async () => {
    const c = await admin(h.app, 'POST', '/customer/new', {
      user_id: 'palantir',
      max_budget: 0.001,
      budget_duration: '1d',
    });
    expect(c).toMatchObject({ user_id: 'palantir', blocked: false, spend: 0, max_budget: 0.001 });
    expect(c.litellm_budget_table.max_budget).toBe(0.001);
    const dup = await h.app.inject({
      method: 'POST',
      url: '/customer/new',
      headers: auth(MASTER),
      payload: { user_id: 'palantir' },
    });
    expect(dup.statusCode).toBe(400);
    const key = await admin(h.app, 'POST', '/key/generate', {});

    // Customer budgets apply whatever key is used (also the master key).
    const a = await llm(key.key, { model: 'gpt-4o', user: 'palantir', max_cost: '0.0008' });
    expect(a.statusCode).toBe(200);
    await h.held.get(a.json().request_id)?.settle('0.0008', 10);
    await recordSpend(t.db, { key: hashKey(key.key), endUser: 'palantir' }, '0.0008', clock.now());
    const b = await llm(MASTER, { model: 'gpt-4o', user: 'palantir', max_cost: '0.0005' });
    expect(b.statusCode).toBe(400);
    expect(b.json().error.param).toBe('customer');
    expect(b.json().error.message).toContain('customer "palantir"');
    // Unknown customers have no budget.
    expect((await llm(key.key, { model: 'gpt-4o', user: 'someone-else', max_cost: '100' })).statusCode).toBe(
      200,
    );

    const info = await admin(h.app, 'GET', '/end_user/info?end_user_id=palantir');
    expect(info.spend).toBe(0.0008);
    const upd = await admin(h.app, 'POST', '/customer/update', {
      user_id: 'palantir',
      max_budget: 1,
      alias: 'Palantir',
    });
    expect(upd).toMatchObject({ alias: 'Palantir', max_budget: 1 });
    expect((await llm(key.key, { model: 'gpt-4o', user: 'palantir', max_cost: '0.5' })).statusCode).toBe(200);

    const blocked = await admin(h.app, 'POST', '/customer/block', { user_ids: ['palantir', 'brand-new'] });
    expect(
      blocked.blocked_users.map((x: { user_id: string; blocked: boolean }) => [x.user_id, x.blocked]),
    ).toEqual([
      ['palantir', true],
      ['brand-new', true],
    ]);
    const refused = await llm(key.key, { model: 'gpt-4o', user: 'brand-new' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('customer_blocked');
    await admin(h.app, 'POST', '/end_user/unblock', { user_ids: ['brand-new'] });
    expect((await llm(key.key, { model: 'gpt-4o', user: 'brand-new' })).statusCode).toBe(200);

    const list = await admin(h.app, 'GET', '/customer/list');
    expect(list.map((x: { user_id: string }) => x.user_id).sort()).toEqual(['brand-new', 'palantir']);
    const del = await admin(h.app, 'POST', '/customer/delete', { user_ids: ['palantir', 'brand-new'] });
    expect(del.deleted_customers).toBe(2);
    expect(
      (
        await h.app.inject({
          method: 'GET',
          url: '/customer/info?end_user_id=palantir',
          headers: auth(MASTER),
        })
      ).statusCode,
    ).toBe(404);
    expect(await dbSpend(t.db, 'end_user', 'palantir')).toBe('0.0008');
  });

  it('internal user budgets cover all of the user’s keys', async () => {
    await admin(h.app, 'POST', '/user/new', { user_id: 'bob', max_budget: '0.02', auto_create_key: false });
    const k1 = await admin(h.app, 'POST', '/key/generate', { user_id: 'bob' });
    const k2 = await admin(h.app, 'POST', '/key/generate', { user_id: 'bob' });
    const a = await llm(k1.key, { model: 'gpt-4o', max_cost: '0.015' });
    expect(a.statusCode).toBe(200);
    const b = await llm(k2.key, { model: 'gpt-4o', max_cost: '0.01' });
    expect(b.statusCode).toBe(400);
    expect(b.json().error.param).toBe('user');
    expect(b.json().error.message).toContain('reserved by requests in flight 0.015 USD');
    await h.held.get(a.json().request_id)?.settle('0.005', 10);
    expect((await llm(k2.key, { model: 'gpt-4o', max_cost: '0.01' })).statusCode).toBe(200);
  });
});
