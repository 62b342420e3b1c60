import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashKey } from '../src/access/secrets.js';
import { ACCESS_ROUTES } from '../src/access/service.js';
import {
  admin,
  auth,
  fakeClock,
  type Harness,
  MASTER,
  makeHarness,
  openTestDb,
  type TestDb,
} from './access-harness.js';

describe.each(['pglite', 'postgres'] as const)('virtual keys on %s', (kind) => {
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

  it('generates a key shown once, stored only as its sha256 hash', async () => {
    const res = await admin(h.app, 'POST', '/key/generate', {
      key_alias: 'prod-app',
      models: ['gpt-4o'],
      max_budget: 10.5,
      metadata: { app: 'billing' },
      tags: ['prod'],
      tpm_limit: 1000,
      rpm_limit: 60,
      user_id: 'alice',
      duration: '1h',
    });
    expect(res.key).toMatch(/^sk-[A-Za-z0-9_-]{20,}$/);
    expect(res.token_id).toBe(hashKey(res.key));
    expect(res.key_name).toBe(`sk-...${res.key.slice(-4)}`);
    expect(res.max_budget).toBe(10.5);
    expect(res.models).toEqual(['gpt-4o']);
    expect(res.expires).toBe(new Date(clock.now() + 3_600_000).toISOString());
    // The raw key appears nowhere in the database.
    const dump = await t.db.query<{ row: string }>('SELECT row_to_json(k)::text AS row FROM tg_keys k');
    const all = dump.rows.map((r) => r.row).join('\n');
    expect(all).toContain(hashKey(res.key));
    expect(all).not.toContain(res.key);
  });

  it('key lifecycle: info, update, list, regenerate, delete', async () => {
    const g = await admin(h.app, 'POST', '/key/generate', { key_alias: 'life', max_budget: '2', models: [] });
    const hash = hashKey(g.key);

    const info = await admin(h.app, 'GET', `/key/info?key=${encodeURIComponent(g.key)}`);
    expect(info.key).toBe(hash);
    expect(info.info.key_alias).toBe('life');
    expect(info.info.spend).toBe(0);
    expect(info.info.max_budget).toBe(2);
    expect(JSON.stringify(info)).not.toContain(g.key);

    const upd = await admin(h.app, 'POST', '/key/update', {
      key: g.key,
      max_budget: 0.000000000000000000000001,
      metadata: { x: 1 },
    });
    expect(upd.key).toBe(hash);
    expect(upd.metadata).toEqual({ x: 1 });
    // Exact money all the way through (1e-24 USD).
    const rawInfo = await h.app.inject({
      method: 'GET',
      url: `/key/info?key=${hash}`,
      headers: auth(MASTER),
    });
    expect(rawInfo.body).toContain('"max_budget":0.000000000000000000000001');

    const list = await admin(h.app, 'GET', '/key/list?key_alias=life');
    expect(list).toEqual({ keys: [hash], total_count: 1, current_page: 1, total_pages: 1 });
    const full = await admin(h.app, 'GET', '/key/list?return_full_object=true&size=100');
    expect(full.keys.some((k: { token: string }) => k.token === hash)).toBe(true);

    // The key works before regeneration…
    expect(
      (
        await h.app.inject({
          method: 'POST',
          url: '/test/llm',
          headers: auth(g.key),
          payload: { model: 'gpt-4o' },
        })
      ).statusCode,
    ).toBe(200);
    const regen = await admin(h.app, 'POST', '/key/regenerate', { key: g.key });
    expect(regen.key).not.toBe(g.key);
    expect(regen.key_alias).toBe('life');
    expect(regen.max_budget).toBe(0.000000000000000000000001);
    // …the old secret stops working at once, the new one works with the same settings.
    const old = await h.app.inject({
      method: 'POST',
      url: '/test/llm',
      headers: auth(g.key),
      payload: { model: 'gpt-4o' },
    });
    expect(old.statusCode).toBe(401);
    const regenInfo = await admin(h.app, 'GET', `/key/info?key=${regen.key}`);
    expect(regenInfo.info.key_alias).toBe('life');

    // Path form of regenerate (LiteLLM /key/{key}/regenerate).
    const regen2 = await admin(h.app, 'POST', `/key/${regen.key}/regenerate`, {});
    expect(regen2.key).toMatch(/^sk-/);

    const del = await admin(h.app, 'POST', '/key/delete', { keys: [regen2.key] });
    expect(del.deleted_keys).toEqual([hashKey(regen2.key)]);
    const after = await h.app.inject({
      method: 'POST',
      url: '/test/llm',
      headers: auth(regen2.key),
      payload: { model: 'gpt-4o' },
    });
    expect(after.statusCode).toBe(401);
    const gone = await h.app.inject({
      method: 'GET',
      url: `/key/info?key=${regen2.key}`,
      headers: auth(MASTER),
    });
    expect(gone.statusCode).toBe(404);
  });

  it('deletes by key_aliases and rejects duplicate aliases', async () => {
    await admin(h.app, 'POST', '/key/generate', { key_alias: 'dup' });
    const dup = await h.app.inject({
      method: 'POST',
      url: '/key/generate',
      headers: auth(MASTER),
      payload: { key_alias: 'dup' },
    });
    expect(dup.statusCode).toBe(400);
    expect(dup.json().error.message).toContain('key_alias');
    const del = await admin(h.app, 'POST', '/key/delete', { key_aliases: ['dup'] });
    expect(del.deleted_keys).toHaveLength(1);
  });

  it('accepts a custom key value and validates models against the config', async () => {
    const g = await admin(h.app, 'POST', '/key/generate', { key: `sk-custom-${kind}-0001` });
    expect(g.key).toBe(`sk-custom-${kind}-0001`);
    const bad = await h.app.inject({
      method: 'POST',
      url: '/key/generate',
      headers: auth(MASTER),
      payload: { models: ['nope'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('gpt-4o');
  });

  it('expired key → 401, blocked key → 403, model not allowed → 403', async () => {
    const g = await admin(h.app, 'POST', '/key/generate', { duration: '30s', models: ['gpt-4o-mini'] });
    const call = (model: string) =>
      h.app.inject({ method: 'POST', url: '/test/llm', headers: auth(g.key), payload: { model } });
    expect((await call('gpt-4o-mini')).statusCode).toBe(200);
    const denied = await call('gpt-4o');
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.code).toBe('model_not_allowed');
    await admin(h.app, 'POST', '/key/block', { key: g.key });
    const blocked = await call('gpt-4o-mini');
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.message).toContain('blocked');
    await admin(h.app, 'POST', '/key/unblock', { key: g.key });
    expect((await call('gpt-4o-mini')).statusCode).toBe(200);
    clock.advance(31_000);
    const expired = await call('gpt-4o-mini');
    expect(expired.statusCode).toBe(401);
    expect(expired.json().error.code).toBe('expired_api_key');
  });

  it('authorizes by route kind: no key, bad key, plain key, spend key, master', async () => {
    const plain = await admin(h.app, 'POST', '/key/generate', {});
    const spender = await admin(h.app, 'POST', '/key/generate', { permissions: { get_spend_routes: true } });
    const none = await h.app.inject({ method: 'GET', url: '/key/list' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.message).toContain('Missing API key');
    const bad = await h.app.inject({ method: 'GET', url: '/key/list', headers: auth('sk-not-a-real-key') });
    expect(bad.statusCode).toBe(401);
    expect(
      (await h.app.inject({ method: 'GET', url: '/key/list', headers: auth(plain.key) })).statusCode,
    ).toBe(403);
    expect(
      (await h.app.inject({ method: 'GET', url: '/key/list', headers: auth(spender.key) })).statusCode,
    ).toBe(403);
    // Own /key/info (with or without ?key=), never another key's.
    const own = await h.app.inject({ method: 'GET', url: '/key/info', headers: auth(plain.key) });
    expect(own.statusCode).toBe(200);
    expect(own.json().key).toBe(hashKey(plain.key));
    expect(
      (await h.app.inject({ method: 'GET', url: `/key/info?key=${plain.key}`, headers: auth(plain.key) }))
        .statusCode,
    ).toBe(200);
    const other = await h.app.inject({
      method: 'GET',
      url: `/key/info?key=${spender.key}`,
      headers: auth(plain.key),
    });
    expect(other.statusCode).toBe(403);
    // Spend routes: authorizeRoute directly (the reports helper registers them).
    const req = { query: {} } as never;
    const plainCtx = await h.service.authenticate(plain.key);
    const spendCtx = await h.service.authenticate(spender.key);
    expect(() => h.service.authorizeRoute(plainCtx, 'spend', req)).toThrow(/get_spend_routes/);
    expect(() => h.service.authorizeRoute(spendCtx, 'spend', req)).not.toThrow();
    expect(() => h.service.authorizeRoute(spendCtx, 'admin', req)).toThrow(/master key/);
    expect(() => h.service.authorizeRoute(plainCtx, 'llm', req)).not.toThrow();
    expect(() => h.service.authorizeRoute(plainCtx, 'info', req)).not.toThrow();
    const master = await h.service.authenticate(MASTER);
    expect(master.isMaster).toBe(true);
    for (const k of ['admin', 'spend', 'key_info', 'llm'] as const) {
      expect(() => h.service.authorizeRoute(master, k, req)).not.toThrow();
    }
    // x-api-key works too (Anthropic clients).
    expect(
      (await h.app.inject({ method: 'GET', url: '/key/list', headers: { 'x-api-key': MASTER } })).statusCode,
    ).toBe(200);
  });

  it('authenticates a known key without a database round trip', async () => {
    const g = await admin(h.app, 'POST', '/key/generate', { models: ['gpt-4o'] });
    await h.service.authenticate(g.key); // first sight loads it
    const before = t.queries.count;
    for (let i = 0; i < 20; i++) {
      const ctx = await h.service.authenticate(g.key);
      expect(ctx.keyHash).toBe(hashKey(g.key));
      expect(ctx.allowedModels).toEqual(['gpt-4o']);
      await h.service.admit(ctx, {
        requestId: `nodb-${i}`,
        callType: 'chat',
        modelGroup: 'gpt-4o',
        endUser: `stranger-${i}`, // end users that are not customers cost no lookup either
        maxCostUsd: '0.01',
        promptTokens: 10,
      });
    }
    expect(t.queries.count).toBe(before);
    // Unknown keys are negatively cached briefly.
    await expect(Promise.resolve().then(() => h.service.authenticate('sk-unknown-xyz-1'))).rejects.toThrow(
      /Invalid API key/,
    );
    const afterMiss = t.queries.count;
    await expect(Promise.resolve().then(() => h.service.authenticate('sk-unknown-xyz-1'))).rejects.toThrow(
      /Invalid API key/,
    );
    expect(t.queries.count).toBe(afterMiss);
  });

  it('exports an enumerable route table', () => {
    expect(ACCESS_ROUTES).toContainEqual({ method: 'POST', url: '/key/generate', kind: 'admin' });
    expect(ACCESS_ROUTES).toContainEqual({ method: 'GET', url: '/key/info', kind: 'key_info' });
    expect(ACCESS_ROUTES).toContainEqual({ method: 'POST', url: '/end_user/new', kind: 'admin' });
    expect(ACCESS_ROUTES.filter((r) => r.kind !== 'admin')).toEqual([
      { method: 'GET', url: '/key/info', kind: 'key_info' },
      { method: 'GET', url: '/auth/whoami', kind: 'info' },
    ]);
  });
});

describe('open mode', () => {
  it('allows everything without a master key and still applies a known key', async () => {
    const t = await openTestDb('pglite');
    const h = await makeHarness(t.db, { masterKey: undefined });
    try {
      const g = await admin(h.app, 'POST', '/key/generate', { models: ['gpt-4o'] }).catch(async () => {
        const r = await h.app.inject({
          method: 'POST',
          url: '/key/generate',
          payload: { models: ['gpt-4o'] },
        });
        return r.json();
      });
      expect((await h.app.inject({ method: 'GET', url: '/key/list' })).statusCode).toBe(200);
      const ctx = await h.service.authenticate(g.key);
      expect(ctx.openMode).toBe(true);
      expect(ctx.keyHash).toBe(hashKey(g.key));
      const anon = await h.service.authenticate(undefined);
      expect(anon.openMode).toBe(true);
    } finally {
      await h.close();
      await t.close();
    }
  });
});
