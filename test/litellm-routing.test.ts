/**
 * End-to-end LiteLLM routing parity, with one mock listener per provider host (OPENAI_API_BASE and
 * ANTHROPIC_API_BASE point at different ports): a bare model name goes to the provider the catalog names and
 * a credential only ever reaches its own provider's host; wildcards route the requested name and price it from
 * the catalog; fallbacks (general, context window, content policy) answer and are billed once, with the
 * deployment that answered and the path taken in the spend row; master-key spend is findable by the master key;
 * a bodyless JSON POST is accepted; /key/generate refuses a field it would not enforce.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockUpstream } from '../src/mock-upstream/server.js';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { type MockUpstream, startTestGateway, type TestGateway } from './support/gateway.js';

const ANTHROPIC_CONFIG_KEY = 'sk-ant-config-key-1111';
const ANTHROPIC_ENV_KEY = 'sk-ant-env-key-2222';
const ANTHROPIC_WILD_KEY = 'sk-ant-wildcard-key-3333';
const OPENAI_ENV_KEY = 'sk-openai-env-key-4444';

const CONFIG = `
model_list:
  # Bare names, as LiteLLM users write them: the catalog says which provider.
  - model_name: claude-3-5-sonnet-20240620
    litellm_params: { model: claude-3-5-sonnet-20240620, api_key: ${ANTHROPIC_CONFIG_KEY} }
  - model_name: gpt-4o
    litellm_params: { model: gpt-4o }
  # Wildcards: provider-wide and catch-all.
  - model_name: "anthropic/*"
    litellm_params: { model: "anthropic/*", api_key: ${ANTHROPIC_WILD_KEY} }
  - model_name: "*"
    litellm_params: { model: "*" }
  # Fallbacks.
  - model_name: primary
    litellm_params: { model: openai/fail-500, max_retries: 0 }
  - model_name: backup
    litellm_params: { model: openai/gpt-4o-mini }
  - model_name: small-ctx
    litellm_params: { model: openai/fail-context }
  - model_name: big-ctx
    litellm_params: { model: openai/gpt-4o }
  - model_name: filtered
    litellm_params: { model: openai/fail-content }
  - model_name: claude-safe
    litellm_params: { model: anthropic/claude-3-haiku-20240307, api_key: ${ANTHROPIC_CONFIG_KEY} }
  - model_name: bad
    litellm_params: { model: openai/fail-400 }
litellm_settings:
  fallbacks: [{ primary: [backup] }, { small-ctx: [backup] }, { bad: [backup] }]
  context_window_fallbacks: [{ small-ctx: [big-ctx] }]
  content_policy_fallbacks: [{ filtered: [claude-safe] }]
general_settings:
  master_key: sk-1234
`;

let t: TestGateway;
let anthropic: MockUpstream;
let openai: MockUpstream;
const saved: Record<string, string | undefined> = {};

function setEnv(name: string, value: string): void {
  saved[name] = process.env[name];
  process.env[name] = value;
}

beforeAll(async () => {
  // One listener per provider host; each provider's base and key come from its environment variables.
  anthropic = await startMockUpstream({ port: 0 });
  openai = await startMockUpstream({ port: 0 });
  setEnv('ANTHROPIC_API_KEY', ANTHROPIC_ENV_KEY);
  setEnv('OPENAI_API_KEY', OPENAI_ENV_KEY);
  setEnv('ANTHROPIC_API_BASE', anthropic.url);
  setEnv('OPENAI_API_BASE', `${openai.url}/v1`);
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
  await anthropic?.close();
  await openai?.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, json };
}

const chat = (model: string) =>
  post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'hi' }] });

interface Row {
  request_id: string;
  model: string;
  provider: string;
  api_base: string | null;
  deployment_id: string | null;
  model_group: string;
  spend: string;
  status: string;
  prompt_tokens: number;
  completion_tokens: number;
  pricing_source: string;
  api_key: string;
  user: string | null;
  metadata: Record<string, unknown>;
}

async function rowsFor(requestId: string): Promise<Row[]> {
  await t.gw.ledger.flush(10_000);
  const r = await t.gw.db.query<Row>(
    'SELECT request_id, model, provider, api_base, deployment_id, model_group, spend::text AS spend, status, prompt_tokens, completion_tokens, pricing_source, api_key, "user", metadata FROM tg_spend_logs WHERE request_id = $1',
    [requestId],
  );
  return r.rows;
}

/** Every header value every request to a mock carried, for "which key reached which host". */
function keysSeenBy(m: MockUpstream): string[] {
  return m.requests.flatMap((r) =>
    [r.headers.authorization, r.headers['x-api-key'], r.headers['api-key']].filter(
      (v): v is string => typeof v === 'string',
    ),
  );
}

describe('bare model names and credentials', () => {
  it('a bare Claude name goes to Anthropic with its key; the OpenAI host never sees an Anthropic key', async () => {
    const r = await chat('claude-3-5-sonnet-20240620');
    expect(r.status).toBe(200);
    const toAnthropic = anthropic.requests.filter((q) => q.path.endsWith('/v1/messages'));
    expect(toAnthropic.some((q) => q.headers['x-api-key'] === ANTHROPIC_CONFIG_KEY)).toBe(true);
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    // As LiteLLM records it: the bare model, the provider, and the base the call went to (from the env).
    expect(row).toMatchObject({
      model: 'claude-3-5-sonnet-20240620',
      provider: 'anthropic',
      api_base: anthropic.url,
    });
    expect(row.pricing_source).toMatch(/^catalog:claude-3-5-sonnet-20240620@/);
  });

  it('a bare GPT name goes to the OpenAI host with the OpenAI key from the environment', async () => {
    const r = await chat('gpt-4o');
    expect(r.status).toBe(200);
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(row).toMatchObject({ model: 'gpt-4o', provider: 'openai', api_base: `${openai.url}/v1` });
    expect(keysSeenBy(openai)).toContain(`Bearer ${OPENAI_ENV_KEY}`);
  });

  it('no key was ever sent to a host of another provider', () => {
    const anthropicKeys = [ANTHROPIC_CONFIG_KEY, ANTHROPIC_ENV_KEY, ANTHROPIC_WILD_KEY];
    for (const v of keysSeenBy(openai)) for (const k of anthropicKeys) expect(v).not.toContain(k);
    for (const v of keysSeenBy(anthropic)) expect(v).not.toContain(OPENAI_ENV_KEY);
  });
});

describe('wildcards', () => {
  it('anthropic/* routes the requested name to Anthropic with the wildcard key, priced from the catalog', async () => {
    const r = await chat('anthropic/claude-3-haiku-20240307');
    expect(r.status).toBe(200);
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_WILD_KEY);
    const last = anthropic.requests.at(-1);
    expect((last?.body as { model?: string } | undefined)?.model).toBe('claude-3-haiku-20240307');
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(row.model_group).toBe('anthropic/claude-3-haiku-20240307');
    // claude-3-haiku-20240307: $0.25 / 1M input, $1.25 / 1M output (catalog), so
    // spend = prompt_tokens × 0.00000025 + completion_tokens × 0.00000125, exactly.
    const expected =
      BigInt(row.prompt_tokens) * parseMoney('0.00000025') +
      BigInt(row.completion_tokens) * parseMoney('0.00000125');
    expect(row.spend).toBe(formatMoney(expected));
    expect(row.pricing_source).toMatch(/^catalog:claude-3-haiku-20240307@/);
  });

  it('"*" with a bare template routes each name to its catalog provider (keys from the environment)', async () => {
    const before = anthropic.requests.length;
    const r = await chat('claude-3-opus-20240229');
    expect(r.status).toBe(200);
    expect(anthropic.requests.length).toBe(before + 1);
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe(ANTHROPIC_ENV_KEY);
    const o = await chat('gpt-4o-mini');
    expect(o.status).toBe(200);
    const [row] = await rowsFor(String(o.headers.get('x-tollgate-request-id')));
    expect(row).toMatchObject({ model: 'gpt-4o-mini', provider: 'openai', model_group: 'gpt-4o-mini' });
  });

  it('a name no catalog knows is served unpriced (flagged), not refused', async () => {
    const r = await chat('my-own-finetune');
    expect(r.status).toBe(200);
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(row).toMatchObject({ spend: '0', pricing_source: 'unpriced', provider: 'openai' });
  });

  it('/v1/models lists the wildcard expansions as LiteLLM does', async () => {
    const res = await fetch(`${t.url}/v1/models`, { headers: { authorization: 'Bearer sk-1234' } });
    const ids = ((await res.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id);
    expect(ids).toContain('claude-3-5-sonnet-20240620');
    expect(ids).toContain('anthropic/claude-3-haiku-20240307');
    // "*": the models of the providers whose key is set (OPENAI_API_KEY, ANTHROPIC_API_KEY).
    expect(ids).toContain('gpt-4o-mini');
    expect(ids).not.toContain('*');
    const routes = await fetch(`${t.url}/v1/models?return_wildcard_routes=true`, {
      headers: { authorization: 'Bearer sk-1234' },
    });
    expect(((await routes.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toContain(
      'anthropic/*',
    );
  });
});

describe('fallbacks', () => {
  it('a failing group falls back; one spend row names the deployment that answered and the path', async () => {
    const r = await chat('primary');
    expect(r.status).toBe(200);
    const rows = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ status: 'success', model_group: 'primary', model: 'gpt-4o-mini' });
    const backupId = t.gw.engine.groups.get('backup')?.members[0].id;
    expect(row.deployment_id).toBe(backupId);
    expect(row.metadata.tollgate_routing).toMatchObject({
      fallback_path: ['primary', 'backup'],
      attempts: [
        { model_group: 'primary', error: 'TG_ERR_UPSTREAM', status: 500 },
        { model_group: 'backup', deployment_id: backupId },
      ],
    });
    expect(Number(row.spend)).toBeGreaterThan(0);
  });

  it('a context window error uses context_window_fallbacks before the general list', async () => {
    const r = await chat('small-ctx');
    expect(r.status).toBe(200);
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(row.metadata.tollgate_routing).toMatchObject({ fallback_path: ['small-ctx', 'big-ctx'] });
    expect(row.model).toBe('gpt-4o');
  });

  it('a content policy refusal falls back across providers (content_policy_fallbacks)', async () => {
    const r = await chat('filtered');
    expect(r.status).toBe(200);
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(row).toMatchObject({ provider: 'anthropic', model: 'claude-3-haiku-20240307' });
    expect(row.metadata.tollgate_routing).toMatchObject({ fallback_path: ['filtered', 'claude-safe'] });
  });

  it('a plain bad request does not fall back: the client gets the 400, one failure row', async () => {
    const r = await chat('bad');
    expect(r.status).toBe(400);
    const rows = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'failure', spend: '0', model_group: 'bad' });
  });
});

describe('LiteLLM parity of the proxy routes', () => {
  it('master-key requests are logged with its hash and default_user_id, and found by /global/spend/report', async () => {
    const r = await chat('gpt-4o');
    const [row] = await rowsFor(String(r.headers.get('x-tollgate-request-id')));
    const masterHash = createHash('sha256').update('sk-1234').digest('hex');
    expect(row).toMatchObject({ api_key: masterHash, user: 'default_user_id' });
    const day = new Date().toISOString().slice(0, 10);
    const res = await fetch(
      `${t.url}/global/spend/report?start_date=${day}&end_date=${day}&api_key=sk-1234&group_by=api_key`,
      { headers: { authorization: 'Bearer sk-1234' } },
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(masterHash);
  });

  it('a bodyless POST with Content-Type: application/json is accepted (/global/spend/reset)', async () => {
    const r = await post('/global/spend/reset', undefined);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'success' });
    // An LLM route without a body is still a clear 400 in the OpenAI shape.
    const llm = await post('/v1/chat/completions', undefined);
    expect(llm.status).toBe(400);
    expect((llm.json.error as { type: string }).type).toBe('invalid_request_error');
  });

  it('/key/generate refuses a field it would not enforce, naming it', async () => {
    const r = await post('/key/generate', { models: ['gpt-4o'], allowed_routes: ['/v1/chat/completions'] });
    expect(r.status).toBe(400);
    const e = r.json.error as { message: string; param: string };
    expect(e.param).toBe('allowed_routes');
    expect(e.message).toContain('"allowed_routes" (per-key route restrictions are not enforced by Tollgate)');
    // Per-model budgets are enforced, so they are accepted in LiteLLM's shape and a wrong shape is named.
    const bad = await post('/key/generate', { models: ['gpt-4o'], model_max_budget: { 'gpt-4o': 1 } });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { message: string }).message).toContain('model_max_budget.gpt-4o must be');
    const ok = await post('/key/generate', { models: ['gpt-4o'], max_budget: 1 });
    expect(ok.status).toBe(200);
    // A name a wildcard deployment serves is a valid model for a key.
    const wild = await post('/key/generate', { models: ['anthropic/claude-3-opus-20240229'] });
    expect(wild.status).toBe(200);
  });
});
