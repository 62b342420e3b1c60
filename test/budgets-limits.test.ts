/**
 * The budgets and limits LiteLLM has beyond key/user/team/customer, on PostgreSQL + Redis: budget
 * objects linked by budget_id, model_max_budget and model_rpm_limit on a key, team-member budgets
 * (/team/member_update max_budget_in_team) and tag budgets.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createTestDatabase, REDIS_URL, requireRedis } from './support/services.js';

const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };
let t: TestGateway;
let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let prefix: string;

beforeAll(async () => {
  prefix = await requireRedis();
  tdb = await createTestDatabase();
  t = await startTestGateway(
    `
model_list:
  - model_name: gpt-4o
    litellm_params: { model: openai/gpt-4o, mock_response: "ok" }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0.001 }
  - model_name: other
    litellm_params: { model: openai/gpt-4o-mini, mock_response: "ok" }
    model_info: { input_cost_per_token: 0, output_cost_per_token: 0.001 }
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

const admin = async (path: string, body: object) => {
  const r = await fetch(`${t.url}${path}`, { method: 'POST', headers: H, body: JSON.stringify(body) });
  const json = (await r.json()) as any;
  expect(r.status, JSON.stringify(json)).toBe(200);
  return json;
};
const chat = async (key: string, model: string, extra: object = {}) => {
  const r = await fetch(`${t.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...H, authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra }),
  });
  return { status: r.status, json: (await r.json()) as any };
};

describe('budgets and limits', () => {
  it('a budget object linked by budget_id limits a customer', async () => {
    const b = await admin('/budget/new', { budget_id: 'starter', max_budget: 0 });
    expect(b).toMatchObject({ budget_id: 'starter', max_budget: 0 });
    await admin('/customer/new', { user_id: 'cust-starter', budget_id: 'starter' });
    const r = await chat('sk-1234', 'gpt-4o', { user: 'cust-starter' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: 'budget_exceeded', param: 'customer' });
    // /budget/update re-applies the limits to linked customers.
    await admin('/budget/update', { budget_id: 'starter', max_budget: 10 });
    expect((await chat('sk-1234', 'gpt-4o', { user: 'cust-starter' })).status).toBe(200);
    const list = (await (await fetch(`${t.url}/budget/list`, { headers: H })).json()) as any[];
    expect(list.map((x) => x.budget_id)).toEqual(['starter']);
  });

  it('model_max_budget on a key holds per model, strictly', async () => {
    const { key } = await admin('/key/generate', {
      key_alias: 'per-model',
      model_max_budget: { 'gpt-4o': { budget_limit: 0.02, time_period: '30d' } },
    });
    // Worst case per request: 10 max_tokens × 0.001 = 0.01; each answer ("ok", 1 token) costs 0.001.
    // Admitted while spend + 0.01 <= 0.02: spend 0, 0.001, …, 0.010 → 11 requests, the 12th is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await chat(key, 'gpt-4o')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(11);
    const refused = await chat(key, 'gpt-4o');
    expect(refused.json.error).toMatchObject({ type: 'budget_exceeded', param: 'model_max_budget' });
    expect(refused.json.error.message).toContain('model "gpt-4o" on key "per-model"');
    expect((await chat(key, 'other')).status).toBe(200); // other models are not limited
    const bad = await fetch(`${t.url}/key/generate`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ model_max_budget: { 'gpt-4o': { budget_limit: -1 } } }),
    });
    expect(bad.status).toBe(400);
  });

  it('model_rpm_limit on a key', async () => {
    const { key } = await admin('/key/generate', { key_alias: 'rpm', model_rpm_limit: { 'gpt-4o': 2 } });
    // A minute boundary between the requests would open a new window: retry in that case.
    for (let attempt = 0; attempt < 3; attempt++) {
      const k =
        attempt === 0 ? key : (await admin('/key/generate', { model_rpm_limit: { 'gpt-4o': 2 } })).key;
      const m0 = Math.floor(Date.now() / 60_000);
      const s = [await chat(k, 'gpt-4o'), await chat(k, 'gpt-4o'), await chat(k, 'gpt-4o')];
      if (Math.floor(Date.now() / 60_000) !== m0) continue;
      expect(s.map((x) => x.status)).toEqual([200, 200, 429]);
      expect(s[2].json.error.param).toBe('rpm_limit');
      expect((await chat(k, 'other')).status).toBe(200);
      return;
    }
    throw new Error('three minute boundaries in a row');
  });

  it('a member budget inside a team (/team/member_update max_budget_in_team)', async () => {
    await admin('/team/new', {
      team_id: 'team-m',
      members_with_roles: [{ role: 'user', user_id: 'member-1' }],
    });
    const { key } = await admin('/key/generate', { team_id: 'team-m', user_id: 'member-1' });
    expect((await chat(key, 'gpt-4o')).status).toBe(200);
    const u = await admin('/team/member_update', {
      team_id: 'team-m',
      user_id: 'member-1',
      max_budget_in_team: 0.001,
    });
    expect(u).toMatchObject({ max_budget_in_team: 0.001 });
    // The member spent 0.001 (one answer) in the team: at its budget, refused.
    let r = await chat(key, 'gpt-4o');
    for (let i = 0; i < 20 && r.status === 200; i++) r = await chat(key, 'gpt-4o'); // cache refresh ≤ 1 s
    expect(r.json.error).toMatchObject({ type: 'budget_exceeded', param: 'max_budget_in_team' });
    const missing = await fetch(`${t.url}/team/member_update`, {
      method: 'POST',
      headers: H,
      body: JSON.stringify({ team_id: 'team-m', user_id: 'nobody', max_budget_in_team: 1 }),
    });
    expect(missing.status).toBe(404);
  });

  it('a tag budget limits every request carrying the tag', async () => {
    const tag = await admin('/tag/new', { name: 'project-x', max_budget: 0, description: 'frozen' });
    expect(tag).toMatchObject({ name: 'project-x', max_budget: 0 });
    const r = await chat('sk-1234', 'gpt-4o', { metadata: { tags: ['project-x'] } });
    expect(r.json.error).toMatchObject({ type: 'budget_exceeded', param: 'tag' });
    expect((await chat('sk-1234', 'gpt-4o', { metadata: { tags: ['project-y'] } })).status).toBe(200);
    await admin('/tag/update', { name: 'project-x', max_budget: 1 });
    let ok = await chat('sk-1234', 'gpt-4o', { metadata: { tags: ['project-x'] } });
    for (let i = 0; i < 20 && ok.status !== 200; i++)
      ok = await chat('sk-1234', 'gpt-4o', { metadata: { tags: ['project-x'] } });
    expect(ok.status).toBe(200);
    const info = await admin('/tag/info', { names: ['project-x'] });
    expect(info['project-x'].description).toBe('frozen');
  });
});
