/**
 * End-to-end: bad input and upstream failures always answer in the OpenAI error shape with the
 * right status, never leak credentials, and are still recorded in the spend log.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const UPSTREAM_KEY = 'sk-upstream-secret-abcdef123456';

const CONFIG = `
model_list:
  - model_name: good
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: ${UPSTREAM_KEY} }
  - model_name: bad-request
    litellm_params: { model: openai/fail-400, api_base: "{{MOCK}}/v1", api_key: ${UPSTREAM_KEY}, max_retries: 3 }
  - model_name: rate-limited
    litellm_params: { model: openai/fail-429, api_base: "{{MOCK}}/v1", api_key: ${UPSTREAM_KEY}, max_retries: 1 }
  - model_name: invalid-key
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: sk-invalid-key-0123456789 }
  - model_name: down
    litellm_params: { model: openai/gpt-4o, api_base: "http://127.0.0.1:{{DEAD_PORT}}/v1", api_key: x, max_retries: 0 }
  - model_name: hanging
    litellm_params: { model: openai/hang, api_base: "{{MOCK}}/v1", api_key: x, timeout: 1, max_retries: 0 }
  # One broken and one healthy deployment under one name: retries go to the healthy one.
  - model_name: balanced
    litellm_params: { model: openai/fail-500, api_base: "{{MOCK}}/v1", api_key: x, max_retries: 2 }
  - model_name: balanced
    litellm_params: { model: openai/gpt-4o, api_base: "{{MOCK}}/v1", api_key: x, max_retries: 2 }
  - model_name: leaky-stream
    litellm_params: { model: openai/gpt-4o-stream-error-echo-key, api_base: "{{MOCK}}/v1", api_key: ${UPSTREAM_KEY} }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
  - model_name: slow-stream
    litellm_params: { model: openai/stream-slow-100, api_base: "{{MOCK}}/v1", api_key: x }
    model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 }
general_settings:
  master_key: sk-1234
  max_request_body_bytes: 20000
`;

let t: TestGateway;
let deadPort: number;

beforeAll(async () => {
  // A port with nothing listening: bind, note it, close.
  const srv: Server = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  deadPort = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  t = await startTestGateway(CONFIG.replaceAll('{{DEAD_PORT}}', String(deadPort)));
});
afterAll(async () => {
  await t?.close();
});

async function post(path: string, body: string | object, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: safeJson(text) };
}

function safeJson(text: string): { error?: { message: string; type: string; code: string } } {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

const chat = (model: string, extra: object = {}) => ({
  model,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

async function lastRow(): Promise<Record<string, unknown>> {
  await t.gw.ledger.flush();
  const r = await t.gw.db.query('SELECT * FROM tg_spend_logs ORDER BY end_time DESC LIMIT 1');
  return r.rows[0];
}

describe('bad input', () => {
  it('unknown model → 400 listing the available model names', async () => {
    const r = await post('/v1/chat/completions', chat('gpt-5-nope'));
    expect(r.status).toBe(400);
    expect(r.json.error?.code).toBe('model_not_found');
    expect(r.json.error?.message).toContain('Model "gpt-5-nope" is not configured');
    expect(r.json.error?.message).toContain('good, bad-request, rate-limited');
  });

  it('missing model → 400 saying it is required', async () => {
    const r = await post('/chat/completions', { messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain('"model" is required');
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const r = await post('/v1/chat/completions', '{"model": "good", "messages": [');
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_json' });
    expect(r.json.error?.message).toMatch(/Malformed JSON/);
  });

  it('body over the limit → 413', async () => {
    const r = await post('/v1/chat/completions', chat('good', { padding: 'x'.repeat(30_000) }));
    expect(r.status).toBe(413);
    expect(r.json.error?.code).toBe('request_too_large');
    expect(r.json.error?.message).toContain('20000 bytes');
  });

  it('empty messages → 400 naming the field', async () => {
    const r = await post('/v1/chat/completions', { model: 'good', messages: [] });
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain('"messages"');
  });

  it('unknown route → 404 in the OpenAI shape', async () => {
    const r = await post('/v1/nope', {});
    expect(r.status).toBe(404);
    expect(r.json.error?.type).toBe('not_found_error');
  });
});

describe('upstream failures', () => {
  it('upstream 400 → same status and message, not retried, logged as failure with zero spend', async () => {
    const before = t.mock.requests.length;
    const r = await post('/v1/chat/completions', chat('bad-request'));
    expect(r.status).toBe(400);
    expect(r.json.error?.message).toContain('returned 400');
    expect(t.mock.requests.length - before).toBe(1);
    const row = await lastRow();
    expect(row).toMatchObject({ status: 'failure', model_group: 'bad-request', http_status: 400 });
    expect(String(row.spend)).toBe('0');
  });

  it('upstream 429 → retried up to max_retries, then 429 with its message', async () => {
    const before = t.mock.requests.length;
    const r = await post('/v1/chat/completions', chat('rate-limited'));
    expect(r.status).toBe(429);
    expect(t.mock.requests.length - before).toBe(2);
  });

  it('upstream auth error never echoes the upstream key', async () => {
    const r = await post('/v1/chat/completions', chat('invalid-key'));
    expect(r.status).toBe(401);
    expect(r.text).not.toContain('sk-invalid-key-0123456789');
    const row = await lastRow();
    expect(JSON.stringify(row)).not.toContain('sk-invalid-key-0123456789');
  });

  it('unreachable upstream → 502 naming the deployment', async () => {
    const r = await post('/v1/chat/completions', chat('down'));
    expect(r.status).toBe(502);
    expect(r.json.error?.code).toBe('upstream_unreachable');
    expect(r.json.error?.message).toContain('down (openai/gpt-4o');
  });

  it('upstream timeout → 504 naming the deployment', async () => {
    const r = await post('/v1/chat/completions', chat('hanging'));
    expect(r.status).toBe(504);
    expect(r.json.error?.code).toBe('upstream_timeout');
    expect(r.json.error?.message).toContain('hanging (openai/hang');
  });

  it('a 5xx deployment is retried on the healthy one in the same group', async () => {
    for (let i = 0; i < 6; i++) {
      const r = await post('/v1/chat/completions', chat('balanced'));
      expect(r.status).toBe(200);
    }
  });

  it('no error response ever contains the upstream key', async () => {
    for (const model of ['bad-request', 'rate-limited', 'down', 'hanging']) {
      const r = await post('/v1/chat/completions', chat(model));
      expect(r.text).not.toContain(UPSTREAM_KEY);
    }
    await t.gw.ledger.flush();
    const all = await t.gw.db.query('SELECT * FROM tg_spend_logs');
    expect(JSON.stringify(all.rows)).not.toContain(UPSTREAM_KEY);
  });
});

describe('an upstream error event mid-stream', () => {
  it('reaches the client redacted (never the provider key), and the call is logged as failed with the tokens so far billed', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify(chat('leaky-stream', { stream: true, stream_options: { include_usage: true } })),
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-tollgate-request-id')!;
    const text = await res.text();
    expect(text).not.toContain(UPSTREAM_KEY);
    const frames = text
      .split('\n\n')
      .filter((f) => f.startsWith('data: '))
      .map((f) => f.slice(6));
    const last = JSON.parse(frames.at(-1)!);
    expect(last.error).toMatchObject({ type: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' });
    expect(last.error.message).toMatch(/sent an error mid-stream: Incorrect API key provided: sk-\*\*\*/);
    expect(text).not.toContain('[DONE]');
    await t.gw.ledger.flush();
    const row = (await t.gw.db.query('SELECT * FROM tg_spend_logs WHERE request_id = $1', [requestId]))
      .rows[0];
    expect(row.status).toBe('failure');
    expect(row.estimated).toBe(true);
    expect(JSON.stringify(row)).not.toContain(UPSTREAM_KEY);
    // Billed for what was generated before the error: prompt × 0.000001 + completion × 0.000002.
    const expected =
      parseMoney('0.000001') * BigInt(row.prompt_tokens as number) +
      parseMoney('0.000002') * BigInt(row.completion_tokens as number);
    expect(Number(row.completion_tokens)).toBeGreaterThan(0);
    expect(formatMoney(parseMoney(String(row.spend)))).toBe(formatMoney(expected));
  });

  it('the openai SDK raises it as an APIError', async () => {
    const { default: OpenAI } = await import('openai');
    const client = new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: 'leaky-stream',
      stream: true,
      messages: [{ role: 'user', content: 'hello' }],
    });
    const err = await (async () => {
      for await (const _ of stream) {
        // consume
      }
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).not.toContain(UPSTREAM_KEY);
  });
});

describe('client disconnect mid-stream', () => {
  it('aborts the upstream and still bills what was generated, flagged as estimated', async () => {
    const ac = new AbortController();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify(
        chat('slow-stream', {
          stream: true,
          messages: [{ role: 'user', content: 'a long story please '.repeat(20) }],
        }),
      ),
      signal: ac.signal,
    });
    const requestId = res.headers.get('x-tollgate-request-id')!;
    const reader = res.body!.getReader();
    await reader.read(); // first bytes arrived
    await reader.read();
    ac.abort();
    // The gateway notices the disconnect, estimates and records.
    let row: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && !row; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await t.gw.ledger.flush();
      row = (await t.gw.db.query('SELECT * FROM tg_spend_logs WHERE request_id = $1', [requestId])).rows[0];
    }
    expect(row).toBeDefined();
    expect(row!.estimated).toBe(true);
    expect(row!.stream).toBe(true);
    expect(Number(row!.prompt_tokens)).toBeGreaterThan(20);
    expect(Number(row!.spend)).toBeGreaterThan(0);
  });
});
