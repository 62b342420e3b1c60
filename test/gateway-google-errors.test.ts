/**
 * End-to-end, bad input on the Google families: a Gemini safety block, a 429 with Google's RetryInfo, a
 * malformed stream, an error mid-stream, an expired Vertex token, a token endpoint that refuses the key,
 * missing credentials. Each answer is a clear OpenAI-shaped error (or error frame), every call has exactly
 * one spend log row, and no credential appears anywhere.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleGateway, spendRow, startGoogleGateway } from './support/google-gateway.js';

const GEMINI_KEY = 'AIza-mock-gemini-secret-9876543210';
const gem = (model: string, extra = '') =>
  `{ model: gemini/${model}, api_base: "{{MOCK}}", api_key: ${GEMINI_KEY}${extra} }`;
const vtx = (model: string, creds = 'TG_TEST_VERTEX_KEY', extra = '') =>
  `{ model: vertex_ai/${model}, api_base: "{{MOCK}}", vertex_location: us-central1, vertex_credentials: os.environ/${creds}${extra} }`;

const CONFIG = `
model_list:
  - model_name: blocked
    litellm_params: ${gem('gemini-2.5-flash-blocked')}
    model_info: { base_model: gemini/gemini-2.5-flash }
  - model_name: quota
    litellm_params: ${gem('gemini-2.5-flash-fail-429-retry-delay-7', ', max_retries: 0')}
  - model_name: malformed
    litellm_params: ${gem('gemini-2.5-flash-malformed')}
    model_info: { base_model: gemini/gemini-2.5-flash }
  - model_name: overloaded-stream
    litellm_params: ${gem('gemini-2.5-flash-stream-error')}
    model_info: { base_model: gemini/gemini-2.5-flash }
  - model_name: vertex
    litellm_params: ${vtx('gemini-2.5-flash', 'TG_TEST_VERTEX_KEY', ', max_retries: 1')}
  - model_name: vertex-stranger
    litellm_params: ${vtx('gemini-2.5-flash', 'TG_TEST_VERTEX_STRANGER')}
  - model_name: vertex-no-creds
    litellm_params: { model: vertex_ai/gemini-2.5-flash, api_base: "{{MOCK}}", vertex_project: p-123, vertex_credentials: "{not json" }
general_settings:
  master_key: sk-1234
`;

let g: GoogleGateway;
beforeAll(async () => {
  g = await startGoogleGateway(CONFIG);
});
afterAll(async () => {
  await g?.close();
});

async function post(body: Record<string, unknown>) {
  const res = await fetch(`${g.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    requestId: res.headers.get('x-tollgate-request-id')!,
  };
}
const chat = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});
/** The data payloads of an SSE body. */
const frames = (text: string) =>
  text
    .split('\n\n')
    .filter((f) => f.startsWith('data: '))
    .map((f) => f.slice(6))
    .filter((f) => f !== '[DONE]')
    .map((f) => JSON.parse(f) as Record<string, unknown>);

function noSecrets(text: string): void {
  expect(text).not.toContain(GEMINI_KEY);
  expect(text).not.toContain('PRIVATE KEY');
  expect(text).not.toContain(g.key.private_key.split('\n')[1]);
  expect(text).not.toMatch(/ya29\.mock-/);
}

describe('Gemini', () => {
  it('a safety block → 400 content_policy_violation naming the reason; logged as a failure', async () => {
    const r = await post(chat('blocked'));
    expect(r.status).toBe(400);
    const err = JSON.parse(r.text).error;
    expect(err).toMatchObject({
      type: 'invalid_request_error',
      code: 'content_policy_violation',
      tollgate_code: 'TG_ERR_CONTENT_BLOCKED',
    });
    expect(err.message).toContain('blocked the prompt: blockReason SAFETY (flagged: DANGEROUS_CONTENT HIGH)');
    noSecrets(r.text);
    const row = await spendRow(g, r.requestId);
    expect(row).toMatchObject({ status: 'failure', http_status: 400, model_group: 'blocked' });
  });

  it('a safety block in a stream → an error frame (the openai SDK raises it); the reported prompt is billed', async () => {
    const client = new OpenAI({ apiKey: 'sk-1234', baseURL: `${g.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'blocked',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const c of stream) seen.push(c);
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as Error).message).toContain('blockReason SAFETY');
    expect(seen).toEqual([]);
    await g.gw.ledger.flush();
    const rows = await g.gw.db.query(
      "SELECT * FROM tg_spend_logs WHERE model_group = 'blocked' AND stream = true ORDER BY end_time DESC LIMIT 1",
    );
    // Google reported promptTokenCount on the blocked prompt: it is billed (flash input 3e-7 per token).
    const row = rows.rows[0] as Record<string, unknown>;
    expect(row).toMatchObject({ status: 'failure', completion_tokens: 0 });
    expect(Number(row.prompt_tokens)).toBeGreaterThan(0);
    expect(String(row.spend)).toBe(
      // prompt_tokens × 3e-7, exact
      formatUnits(BigInt(row.prompt_tokens as number) * 3n, 7),
    );
  });

  it('a 429 with RetryInfo → 429 with retry-after from retryDelay, not retried (max_retries 0)', async () => {
    const before = g.mock.requests.length;
    const r = await post(chat('quota'));
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('7');
    const err = JSON.parse(r.text).error;
    expect(err).toMatchObject({ code: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' });
    expect(err.message).toContain('RESOURCE_EXHAUSTED');
    expect(g.mock.requests.length - before).toBe(1);
    noSecrets(r.text);
    expect(await spendRow(g, r.requestId)).toMatchObject({ status: 'failure', http_status: 429 });
  });

  it('a malformed stream → an error frame after the content so far; billed for what was generated', async () => {
    const r = await post(chat('malformed', { stream: true, stream_options: { include_usage: true } }));
    expect(r.status).toBe(200);
    const fs = frames(r.text);
    expect(fs[0]).toMatchObject({ object: 'chat.completion.chunk' });
    expect(fs.at(-1)).toMatchObject({ error: { code: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' } });
    expect(String((fs.at(-1)!.error as { message: string }).message)).toContain('sent a malformed stream');
    expect(r.text.includes('data: [DONE]')).toBe(false);
    const row = await spendRow(g, r.requestId);
    expect(row).toMatchObject({ status: 'failure', stream: true, estimated: true });
    expect(Number(row.spend)).toBeGreaterThan(0);
  });

  it('a Google error mid-stream → a redacted error frame; logged as failed', async () => {
    const r = await post(chat('overloaded-stream', { stream: true }));
    const last = frames(r.text).at(-1)!;
    expect(last).toMatchObject({ error: { type: 'upstream_error' } });
    expect((last.error as { message: string }).message).toContain('UNAVAILABLE: The model is overloaded');
    noSecrets(r.text);
    expect(await spendRow(g, r.requestId)).toMatchObject({ status: 'failure', stream: true });
  });
});

describe('Vertex AI credentials', () => {
  it('an expired token: Vertex rejects it, the family drops it, the retry fetches a new one and succeeds', async () => {
    const first = await post(chat('vertex'));
    expect(first.status).toBe(200);
    const issued = g.mock.google.tokensIssued;
    const before = g.mock.requests.length;
    g.mock.google.expireTokens();
    const r = await post(chat('vertex'));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text).choices[0].message.content).toContain('hello');
    expect(g.mock.google.tokensIssued).toBe(issued + 1);
    // Upstream saw: the model call with the expired token (401), the token request, the model call again.
    const paths = g.mock.requests.slice(before).map((q) => q.path.replace(/^.*:/, ':'));
    expect(paths).toEqual([':generateContent', '/token', ':generateContent']);
    expect(await spendRow(g, r.requestId)).toMatchObject({ status: 'success' });
  });

  it('a token endpoint that refuses the key → 503 provider_not_configured, not retried, logged', async () => {
    const r = await post(chat('vertex-stranger'));
    expect(r.status).toBe(503);
    const err = JSON.parse(r.text).error;
    expect(err).toMatchObject({ type: 'configuration_error', tollgate_code: 'TG_ERR_PROVIDER_CONFIG' });
    expect(err.message).toContain('token endpoint refused the service-account key (HTTP 400, invalid_grant');
    noSecrets(r.text);
    expect(await spendRow(g, r.requestId)).toMatchObject({ status: 'failure', http_status: 503 });
  });

  it('malformed credentials: a warning at load, /model/info shows the problem, 503 at request time', async () => {
    expect(
      g.gw.warnings.some((w) => w.includes('vertex-no-creds') && w.includes('vertex_credentials is')),
    ).toBe(true);
    const info = await fetch(`${g.url}/model/info`, { headers: { authorization: 'Bearer sk-1234' } });
    const entry = (
      (await info.json()) as { data: Array<{ model_name: string; model_info: Record<string, unknown> }> }
    ).data.find((m) => m.model_name === 'vertex-no-creds')!;
    expect(entry.model_info.config_problems).toEqual([
      'vertex_credentials is not valid JSON (expected a service-account key)',
    ]);
    expect(entry.model_info.supported_call_types).toEqual(['chat', 'embedding', 'responses']);
    const r = await post(chat('vertex-no-creds'));
    expect(r.status).toBe(503);
    expect(JSON.parse(r.text).error.message).toContain(
      'is misconfigured: vertex_credentials is not valid JSON',
    );
    expect(await spendRow(g, r.requestId)).toMatchObject({ status: 'failure' });
  });

  it('nothing secret reached the spend log', async () => {
    await g.gw.ledger.flush();
    const all = await g.gw.db.query('SELECT * FROM tg_spend_logs');
    expect(all.rows.length).toBeGreaterThan(5);
    noSecrets(JSON.stringify(all.rows));
  });
});

function formatUnits(units: bigint, scale: number): string {
  const padded = units.toString().padStart(scale + 1, '0');
  const frac = padded.slice(-scale).replace(/0+$/, '');
  const whole = padded.slice(0, -scale);
  return frac ? `${whole}.${frac}` : whole;
}
