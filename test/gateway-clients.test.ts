/**
 * End-to-end: the real client libraries people use (openai, @langchain/openai, @anthropic-ai/sdk)
 * against a running gateway whose providers are the project's mock upstream. Streaming and not.
 */
import Anthropic from '@anthropic-ai/sdk';
import { ChatOpenAI } from '@langchain/openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: gpt-4o
    litellm_params:
      model: openai/gpt-4o
      api_base: "{{MOCK}}/v1"
      api_key: sk-mock-openai
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_base: "{{MOCK}}"
      api_key: sk-ant-mock
  - model_name: llama3
    litellm_params:
      model: groq/llama3-8b-8192
      api_base: "{{MOCK}}/v1"
      api_key: gsk-mock
general_settings:
  master_key: sk-1234
`;

let t: TestGateway;

beforeAll(async () => {
  t = await startTestGateway(CONFIG);
});
afterAll(async () => {
  await t?.close();
});

async function spendRow(requestId: string): Promise<Record<string, unknown>> {
  await t.gw.ledger.flush();
  const r = await fetch(`${t.url}/spend/logs?request_id=${requestId}`, {
    headers: { authorization: 'Bearer sk-1234' },
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as unknown;
  const rows = Array.isArray(body) ? body : ((body as { data?: unknown[] }).data ?? [body]);
  expect(rows.length).toBe(1);
  return rows[0] as Record<string, unknown>;
}

describe('openai client', () => {
  const client = () => new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1` });

  it('chat completion: answer, cost header, spend log with user and tags', async () => {
    const { data, response } = await client()
      .chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'this is a test request, write a short poem' }],
        user: 'palantir',
        // @ts-expect-error LiteLLM-style extra body field
        metadata: { tags: ['jobID:214590dsff09fds', 'taskName:run_page_classification'] },
      })
      .withResponse();
    expect(data.choices[0].message.content).toBeTruthy();
    const cost = response.headers.get('x-litellm-response-cost');
    expect(cost).toBe(response.headers.get('x-tollgate-response-cost'));
    // gpt-4o catalog prices: 2.5e-6 input, 1e-5 output (snapshot 2025-11-21); hand calculation:
    const u = data.usage!;
    const expected = (BigInt(u.prompt_tokens) * 25n + BigInt(u.completion_tokens) * 100n).toString();
    // expected is in units of 1e-7 USD
    expect(cost).toBe(trimDecimal(expected, 7));
    const requestId = response.headers.get('x-tollgate-request-id')!;
    const row = await spendRow(requestId);
    expect(row.end_user).toBe('palantir');
    expect(row.request_tags).toEqual(['jobID:214590dsff09fds', 'taskName:run_page_classification']);
    expect(row.model_group).toBe('gpt-4o');
    expect(String(row.spend)).toBe(cost);
    // The mock upstream never saw the gateway-only metadata field.
    const seen = t.mock.requests.at(-1)!;
    expect(seen.body).not.toHaveProperty('metadata');
    expect(seen.body).toHaveProperty('user', 'palantir');
  });

  it('streaming: chunks, then a final chunk whose usage carries the exact cost', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    let last: Record<string, unknown> | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) last = chunk.usage as unknown as Record<string, unknown>;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(last).not.toBeNull();
    expect(typeof last!.cost).toBe('number');
    expect(last!.cost as number).toBeGreaterThan(0);
    const row = await spendRow(String(last!.request_id));
    expect(row.stream).toBe(true);
    expect(Number(row.spend)).toBe(last!.cost);
  });

  it('streaming without include_usage: no usage chunk (as from OpenAI), the cost is still logged', async () => {
    const { data: stream, response } = await client()
      .chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        messages: [{ role: 'user', content: 'stream please' }],
      })
      .withResponse();
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usageChunks).toBe(0);
    const row = await spendRow(response.headers.get('x-tollgate-request-id')!);
    expect(row.stream).toBe(true);
    expect(Number(row.spend)).toBeGreaterThan(0);
  });

  it('embeddings and model list', async () => {
    const models = await client().models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['claude', 'gpt-4o', 'llama3']);
    const emb = await client().embeddings.create({ model: 'gpt-4o', input: 'hello' });
    expect(emb.data[0].embedding.length).toBeGreaterThan(0);
  });

  it('a wrong key is rejected with an OpenAI-shaped 401', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: `${t.url}/v1`, maxRetries: 0 });
    await expect(
      bad.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 401 });
  });
});

describe('@langchain/openai', () => {
  const chat = () =>
    new ChatOpenAI({
      model: 'llama3',
      apiKey: 'sk-1234',
      configuration: { baseURL: `${t.url}/v1` },
      modelKwargs: { user: 'palantir', metadata: { tags: ['jobID:lc'] } },
      maxRetries: 0,
    });

  it('invoke', async () => {
    const res = await chat().invoke([
      ['system', 'You are a helpful assistant'],
      ['human', 'test from tollgate. tell me why it is amazing in 1 sentence'],
    ]);
    expect(typeof res.content).toBe('string');
    expect(String(res.content).length).toBeGreaterThan(0);
    const seen = t.mock.requests.at(-1)!;
    expect(seen.body).toMatchObject({ model: 'llama3-8b-8192', user: 'palantir' });
  });

  it('stream', async () => {
    let text = '';
    for await (const chunk of await chat().stream('count to three')) text += String(chunk.content);
    expect(text.length).toBeGreaterThan(0);
  });
});

describe('@anthropic-ai/sdk against /v1/messages', () => {
  const client = () => new Anthropic({ apiKey: 'sk-1234', baseURL: t.url, maxRetries: 0 });

  it('messages.create with cost headers and native usage', async () => {
    const { data, response } = await client()
      .messages.create({
        model: 'claude',
        max_tokens: 100,
        system: 'be brief',
        messages: [{ role: 'user', content: 'hello claude' }],
      })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.content[0].type).toBe('text');
    expect(data.usage.input_tokens).toBeGreaterThan(0);
    const cost = response.headers.get('x-tollgate-response-cost');
    expect(Number(cost)).toBeGreaterThan(0);
    const row = await spendRow(response.headers.get('x-tollgate-request-id')!);
    expect(row.call_type).toBe('anthropic_messages');
    expect(String(row.spend)).toBe(cost);
  });

  it('messages.stream passes native events through and is billed', async () => {
    const before = await countRows();
    const stream = client().messages.stream({
      model: 'claude',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'stream hello' }],
    });
    const final = await stream.finalMessage();
    expect(final.content.length).toBeGreaterThan(0);
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(await countRows()).toBe(before + 1);
  });
});

describe('OpenAI chat → Anthropic upstream (translation)', () => {
  it('maps system prompt and returns an OpenAI completion with cache-aware usage', async () => {
    const client = new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1` });
    const res = await client.chat.completions.create({
      model: 'claude',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
    });
    expect(res.object).toBe('chat.completion');
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/v1/messages');
    expect(seen.body).toMatchObject({ system: 'You are terse.' });
  });
});

async function countRows(): Promise<number> {
  await t.gw.ledger.flush();
  const r = await t.gw.db.query<{ n: string }>('SELECT count(*)::text AS n FROM tg_spend_logs');
  return Number(r.rows[0].n);
}

function trimDecimal(units: string, scale: number): string {
  const padded = units.padStart(scale + 1, '0');
  const whole = padded.slice(0, -scale);
  const frac = padded.slice(-scale).replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole;
}
