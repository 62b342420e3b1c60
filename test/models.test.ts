/**
 * Models stored in the database: /model/new, /model/update, /model/delete through one gateway are
 * validated like config.yaml entries, stored with the key encrypted, audited, and served by a second
 * gateway on the same PostgreSQL within a second; /model_group/info and /v2/model/info show them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/index.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';
import { createTestDatabase } from './support/services.js';

const YAML = (store: boolean) => `
model_list:
  - model_name: from-config
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-mock }
    model_info: { id: config-1, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: sk-1234
  store_model_in_db: ${store}
`;
const H = { authorization: 'Bearer sk-1234', 'content-type': 'application/json' };

let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let a: TestGateway;
let b: TestGateway;
let off: TestGateway;

beforeAll(async () => {
  tdb = await createTestDatabase();
  a = await startTestGateway(YAML(true), { databaseUrl: tdb.url });
  b = await startTestGateway(YAML(true), { databaseUrl: tdb.url });
  off = await startTestGateway(YAML(false));
}, 120_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
  await off?.close();
  await tdb?.drop();
});

const post = (t: TestGateway, path: string, body: string | object) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: H,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function chat(t: TestGateway, model: string) {
  const r = await post(t, '/v1/chat/completions', {
    model,
    messages: [{ role: 'user', content: 'price me' }],
  });
  return { status: r.status, cost: r.headers.get('x-litellm-response-cost'), json: (await r.json()) as any };
}

describe('models stored in the database', () => {
  it('refuses /model/new unless store_model_in_db is true', async () => {
    const r = await post(off, '/model/new', { model_name: 'x', litellm_params: { model: 'openai/gpt-4o' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as any).error.message).toContain('store_model_in_db');
  });

  it('validates a new model exactly like a config entry', async () => {
    const noProvider = await post(a, '/model/new', {
      model_name: 'bad',
      litellm_params: { model: 'nosuch/model' },
    });
    expect(noProvider.status).toBe(400);
    expect(((await noProvider.json()) as any).error.message).toContain('provider "nosuch"');
    const negative = await post(a, '/model/new', {
      model_name: 'bad',
      litellm_params: { model: 'openai/gpt-4o', api_base: 'http://127.0.0.1:9/v1' },
      model_info: { input_cost_per_token: -1 },
    });
    expect(negative.status).toBe(400);
    expect(((await negative.json()) as any).error.message).toContain('model.model_info.input_cost_per_token');
    const dup = await post(a, '/model/new', {
      model_name: 'x',
      litellm_params: { model: 'openai/gpt-4o' },
      model_info: { id: 'config-1' },
    });
    expect(dup.status).toBe(400);
    const cfg = await post(a, '/model/update', {
      model_info: { id: 'config-1' },
      litellm_params: { rpm: 1 },
    });
    expect(cfg.status).toBe(400);
    expect(((await cfg.json()) as any).error.message).toContain('config.yaml');
  });

  it('a model added on one replica is priced exactly and served by the other within a second', async () => {
    // 18 significant digits: a float round trip would change them.
    const body = `{"model_name": "db-model", "litellm_params": {"model": "openai/gpt-4o-mini", "api_base": "${a.mock.url}/v1", "api_key": "sk-db-secret-123"},
      "model_info": {"id": "db-1", "input_cost_per_token": 0.000001234567890123456, "output_cost_per_token": 0.000002}}`;
    const created = await post(a, '/model/new', body);
    expect(created.status).toBe(200);
    const c = (await created.json()) as any;
    expect(c).toMatchObject({ model_id: 'db-1', model_name: 'db-model' });
    expect(c.litellm_params.api_key).toBe('<redacted>');
    const stored = await a.gw.db.query<{ k: string; p: string }>(
      `SELECT litellm_params->>'api_key' AS k, model_info->>'input_cost_per_token' AS p FROM tg_models WHERE model_id = 'db-1'`,
    );
    expect(stored.rows[0].k.startsWith('tgenc:v1:')).toBe(true);
    expect(stored.rows[0].p).toBe('0.000001234567890123456');
    expect(JSON.stringify((await a.gw.db.query('SELECT * FROM tg_model_audit')).rows)).not.toContain(
      'sk-db-secret-123',
    );

    const onA = await chat(a, 'db-model');
    expect(onA.status).toBe(200);
    const u = onA.json.usage;
    // prompt × 0.000001234567890123456 + completion × 0.000002, exact
    const byHand =
      BigInt(u.prompt_tokens) * parseMoney('0.000001234567890123456') +
      BigInt(u.completion_tokens) * parseMoney('0.000002');
    expect(onA.cost).toBe(formatMoney(byHand));
    // The upstream got the decrypted key.
    expect(a.mock.requests.at(-1)?.headers.authorization).toBe('Bearer sk-db-secret-123');

    await new Promise((r) => setTimeout(r, 1000));
    const onB = await chat(b, 'db-model');
    expect(onB.status).toBe(200);
    expect(onB.cost).toBe(onA.cost);

    const info = (await (await fetch(`${b.url}/v2/model/info?model=db-model`, { headers: H })).json()) as any;
    expect(info.data[0].model_info).toMatchObject({ id: 'db-1', db_model: true });
    expect(JSON.stringify(info)).not.toContain('sk-db-secret-123');
    const group = (await (
      await fetch(`${b.url}/model_group/info?model_group=db-model`, { headers: H })
    ).json()) as any;
    expect(group.data[0]).toMatchObject({
      model_group: 'db-model',
      providers: ['openai'],
      output_cost_per_token: 0.000002,
    });
  });

  it('update and delete apply on both replicas and are audited', async () => {
    const up = await post(a, '/model/update', {
      model_info: { id: 'db-1', input_cost_per_token: '0.000003' },
    });
    expect(up.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1000));
    const onB = await chat(b, 'db-model');
    const u = onB.json.usage;
    // prompt × 0.000003 + completion × 0.000002 (output price kept by the merge)
    expect(onB.cost).toBe(
      formatMoney(
        BigInt(u.prompt_tokens) * parseMoney('0.000003') +
          BigInt(u.completion_tokens) * parseMoney('0.000002'),
      ),
    );
    const del = await post(a, '/model/delete', { id: 'db-1' });
    expect(await del.json()).toEqual({ message: 'Model: db-1 deleted successfully' });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await chat(b, 'db-model')).status).toBe(400);
    const audit = (await (await fetch(`${a.url}/model/audit?model_id=db-1`, { headers: H })).json()) as any;
    expect(audit.data.map((r: any) => r.action)).toEqual(['create', 'update', 'delete']);
    expect(audit.data[0].changed_by).toBe('master_key');
  });
});
