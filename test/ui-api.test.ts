/**
 * The read-only API the admin console builds on, over HTTP against a real gateway: who a key is
 * (/auth/whoami, never a secret in the answer), a plain key reading only its own spend and logs
 * (/key/spend/*, scoped by the auth hook and the handler), and unpriced traffic counted
 * (/spend/unpriced, /spend/logs?unpriced=true) so it never looks free.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { exactSum, MASTER, type Sent } from './ui-harness.js';

let t: TestGateway;
const sent: Sent[] = [];
let alice = '';
let bob = '';
let reader = '';

const get = async (path: string, key: string) => {
  const res = await fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await res.text();
  const json = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, text, body: json && text ? JSON.parse(text) : null };
};
const post = (path: string, key: string, body: unknown) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function chat(key: string, model: string) {
  const res = await post('/v1/chat/completions', key, {
    model,
    messages: [{ role: 'user', content: `hello from ${model}` }],
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
  sent.push({
    requestId: res.headers.get('x-tollgate-request-id')!,
    cost: res.headers.get('x-tollgate-response-cost')!,
    model,
    user: '',
    tags: [],
    key,
    status: 200,
  });
}

beforeAll(async () => {
  t = await startTestGateway(`
model_list:
  - model_name: priced
    litellm_params: { model: openai/gpt-4o-mini, mock_response: "A priced answer." }
    model_info: { input_cost_per_token: 0.0000013, output_cost_per_token: 0.0000027 }
  - model_name: private
    litellm_params: { model: openai/acme-private-model, mock_response: "No price for this one." }
general_settings:
  master_key: ${MASTER}
`);
  const gen = async (body: object) =>
    ((await (await post('/key/generate', MASTER, body)).json()) as { key: string }).key;
  alice = await gen({ key_alias: 'alice-app', user_id: 'alice', team_id: 't1' });
  bob = await gen({ key_alias: 'bob-app' });
  reader = await gen({ key_alias: 'reader', permissions: { get_spend_routes: true } });
  await chat(alice, 'priced');
  await chat(alice, 'private');
  await chat(bob, 'priced');
  await chat(MASTER, 'private');
  await t.gw.ledger.flush();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('GET /auth/whoami', () => {
  it('names the role of each kind of key, with the hash and never the key', async () => {
    expect((await get('/auth/whoami', MASTER)).body).toEqual({
      role: 'admin',
      open_mode: false,
      can_manage: true,
      can_read_all_spend: true,
      key: null,
    });
    const a = await get('/auth/whoami', alice);
    expect(a.body).toMatchObject({
      role: 'key',
      can_manage: false,
      can_read_all_spend: false,
      key: { key_alias: 'alice-app', user_id: 'alice', team_id: 't1' },
    });
    expect(a.body.key.token).toMatch(/^[0-9a-f]{64}$/);
    expect(a.text).not.toContain(alice);
    expect((await get('/auth/whoami', reader)).body).toMatchObject({
      role: 'spend_reader',
      can_read_all_spend: true,
      can_manage: false,
    });
    const unknown = await get('/auth/whoami', 'sk-nobody-knows-me');
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('invalid_api_key');
  });
});

describe('a key reading its own spend', () => {
  const range = 'start_date=2020-01-01&end_date=2099-12-31';

  it('gets its own logs and totals, not the others', async () => {
    const mine = sent.filter((s) => s.key === alice);
    const logs = await get('/key/spend/logs?limit=100', alice);
    expect(logs.status).toBe(200);
    expect(logs.body.map((r: { request_id: string }) => r.request_id).sort()).toEqual(
      mine.map((s) => s.requestId).sort(),
    );
    const summary = await get(`/key/spend/summary?${range}&interval=month&group_by=model`, alice);
    expect(summary.status).toBe(200);
    // Exact: the JSON number's text is the exact sum of this key's response costs.
    expect(summary.text).toContain(`"totals":{"spend":${exactSum(mine)},"requests":2`);
    expect((await get(`/spend/summary?${range}`, alice)).status).toBe(403); // the global route still needs get_spend_routes
  });

  it('cannot read another key, by ?key= or by an api_key filter', async () => {
    const other = await get(`/key/spend/logs?key=${encodeURIComponent(bob)}`, alice);
    expect(other.status).toBe(403);
    const filter = await get(`/key/spend/logs?api_key=${encodeURIComponent(bob)}`, alice);
    expect(filter.status).toBe(400);
    expect(filter.body.error.param).toBe('api_key');
    // Its own key named explicitly is fine.
    expect((await get(`/key/spend/logs?key=${encodeURIComponent(alice)}`, alice)).status).toBe(200);
  });

  it('the master key reads one key with ?key=, and is told to pass one otherwise', async () => {
    const bobs = await get(`/key/spend/logs?key=${encodeURIComponent(bob)}`, MASTER);
    expect(bobs.body.map((r: { request_id: string }) => r.request_id)).toEqual(
      sent.filter((s) => s.key === bob).map((s) => s.requestId),
    );
    const none = await get('/key/spend/logs', MASTER);
    expect(none.status).toBe(400);
    expect(none.body.error.message).toContain('?key=');
  });
});

describe('unpriced traffic', () => {
  it('is counted per model group, globally and per key, and filterable in the logs', async () => {
    const all = await get('/spend/unpriced', MASTER);
    expect(all.body).toMatchObject({ requests: 2, model_groups: [{ model_group: 'private', requests: 2 }] });
    expect((await get('/spend/unpriced', reader)).body.requests).toBe(2);
    expect((await get('/spend/unpriced', alice)).status).toBe(403);
    expect((await get('/key/spend/unpriced', alice)).body).toMatchObject({
      requests: 1,
      model_groups: [{ model_group: 'private', requests: 1 }],
    });
    expect((await get('/key/spend/unpriced', bob)).body).toMatchObject({ requests: 0, model_groups: [] });
    const logs = await get('/spend/logs?unpriced=true', MASTER);
    expect(logs.body.map((r: { request_id: string }) => r.request_id).sort()).toEqual(
      sent
        .filter((s) => s.model === 'private')
        .map((s) => s.requestId)
        .sort(),
    );
    for (const r of logs.body)
      expect(r).toMatchObject({ pricing_source: 'unpriced', spend: 0, status: 'success' });
    expect((await get('/spend/logs?unpriced=maybe', MASTER)).status).toBe(400);
    const csv = await get('/spend/unpriced?format=csv', MASTER);
    expect(csv.text.trim().split('\r\n')).toEqual(['model_group,requests', 'private,2']);
  });
});
