/**
 * Walks the gateway's whole route table × {no key, bad key, expired key, plain key, key with
 * get_spend_routes, master key} and checks who gets in: 401 without a valid key, 403 for a valid
 * key on a route it may not use, anything else (200/400/404…) once authorization passed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteKind } from '../src/access/types.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

type Role = 'none' | 'bad' | 'expired' | 'plain' | 'spend' | 'master';
const ROLES: Role[] = ['none', 'bad', 'expired', 'plain', 'spend', 'master'];

/** 'in' = authorization passed; 401/403 = refused with that status. */
const EXPECTED: Record<RouteKind, Record<Role, 'in' | 401 | 403>> = {
  public: { none: 'in', bad: 'in', expired: 'in', plain: 'in', spend: 'in', master: 'in' },
  llm: { none: 401, bad: 401, expired: 401, plain: 'in', spend: 'in', master: 'in' },
  info: { none: 401, bad: 401, expired: 401, plain: 'in', spend: 'in', master: 'in' },
  key_info: { none: 401, bad: 401, expired: 401, plain: 'in', spend: 'in', master: 'in' },
  spend: { none: 401, bad: 401, expired: 401, plain: 403, spend: 'in', master: 'in' },
  admin: { none: 401, bad: 401, expired: 401, plain: 403, spend: 403, master: 'in' },
};

let t: TestGateway;
const keys: Partial<Record<Role, string>> = { bad: 'sk-this-key-does-not-exist', master: 'sk-1234' };

async function generate(body: object): Promise<string> {
  const r = await fetch(`${t.url}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(r.status).toBe(200);
  return ((await r.json()) as { key: string }).key;
}

beforeAll(async () => {
  t = await startTestGateway(`
model_list:
  - model_name: demo
    litellm_params: { model: openai/gpt-4o, mock_response: "hi" }
general_settings:
  master_key: sk-1234
`);
  keys.plain = await generate({ key_alias: 'plain' });
  keys.spend = await generate({ key_alias: 'spender', permissions: { get_spend_routes: true } });
  keys.expired = await generate({ key_alias: 'short-lived', duration: '1s' });
  await new Promise((r) => setTimeout(r, 1500));
});
afterAll(async () => {
  await t?.close();
});

describe('route table × role', () => {
  it('covers every kind of route', () => {
    const kinds = new Set(t.gw.routes.map((r) => r.kind));
    for (const k of ['public', 'llm', 'info', 'key_info', 'spend', 'admin'] as const)
      expect(kinds).toContain(k);
    expect(t.gw.routes.length).toBeGreaterThan(60);
  });

  it('answers every route × role as the access rules say', async () => {
    const wrong: string[] = [];
    // Master last: admin routes may change state.
    for (const role of ROLES) {
      for (const route of t.gw.routes) {
        if (route.url.startsWith('/ui')) continue; // static files, covered by the dashboard test
        let url = route.url.replace(/:(\w+)/g, 'x');
        if (route.kind === 'key_info' && keys[role]) url += `?key=${encodeURIComponent(keys[role]!)}`;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (keys[role]) headers.authorization = `Bearer ${keys[role]}`;
        const res = await fetch(`${t.url}${url}`, {
          method: route.method,
          headers,
          body: route.method === 'GET' || route.method === 'DELETE' ? undefined : '{}',
        });
        await res.arrayBuffer();
        const want = EXPECTED[route.kind][role];
        const got = res.status === 401 || res.status === 403 ? res.status : 'in';
        if (got !== want)
          wrong.push(`${role} ${route.method} ${route.url} (${route.kind}): want ${want}, got ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('refusals say what is missing', async () => {
    const none = await fetch(`${t.url}/global/spend/report?start_date=2024-01-01&end_date=2024-01-02`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/key/i);
    const plain = await fetch(`${t.url}/global/spend/report?start_date=2024-01-01&end_date=2024-01-02`, {
      headers: { authorization: `Bearer ${keys.plain}` },
    });
    expect(plain.status).toBe(403);
    expect(((await plain.json()) as { error: { message: string } }).error.message).toContain(
      'get_spend_routes',
    );
    const expired = await fetch(`${t.url}/v1/models`, {
      headers: { authorization: `Bearer ${keys.expired}` },
    });
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/i);
  });
});
