/**
 * End-to-end: the OpenAI Responses API through the gateway with the real clients (openai SDK
 * `responses.create`, the Vercel AI SDK's default `openai(id)` which speaks the Responses API), against
 * the project's mock upstream: native pass-through (openai/, azure/) and the chat translation
 * (anthropic/), plain, streamed and with tools; the stored-response calls; costs equal to hand
 * calculations and one spend row per request.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, streamText, tool } from 'ai';
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
  - model_name: gpt-4o-cached
    litellm_params:
      model: openai/gpt-4o-cache-20-reasoning-7
      api_base: "{{MOCK}}/v1"
      api_key: sk-mock-openai
    model_info:
      base_model: gpt-4o
  - model_name: azure-4o
    litellm_params:
      model: azure/gpt-4o-prod
      api_base: "{{MOCK}}"
      api_key: azure-mock-key
    model_info:
      base_model: azure/gpt-4o
  - model_name: claude
    litellm_params:
      model: anthropic/claude-3-5-sonnet-20241022
      api_base: "{{MOCK}}"
      api_key: sk-ant-mock
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

async function spendRows(requestId: string): Promise<Record<string, unknown>[]> {
  await t.gw.ledger.flush();
  const r = await fetch(`${t.url}/spend/logs?request_id=${requestId}`, {
    headers: { authorization: 'Bearer sk-1234' },
  });
  expect(r.status).toBe(200);
  const body = (await r.json()) as unknown;
  return (Array.isArray(body) ? body : ((body as { data?: unknown[] }).data ?? [body])) as Record<
    string,
    unknown
  >[];
}

/** Exact decimal of `units` × 10^-scale, shortest form. */
function decimal(units: bigint, scale: number): string {
  const neg = units < 0n;
  const padded = (neg ? -units : units).toString().padStart(scale + 1, '0');
  const frac = padded.slice(-scale).replace(/0+$/, '');
  return `${neg ? '-' : ''}${padded.slice(0, -scale)}${frac ? `.${frac}` : ''}`;
}

/** gpt-4o (catalog): input 0.0000025, cached input 0.00000125, output 0.00001 per token; in 1e-8 USD. */
function gpt4oCost(u: { input: number; cached: number; output: number }): string {
  return decimal(BigInt(u.input - u.cached) * 250n + BigInt(u.cached) * 125n + BigInt(u.output) * 1000n, 8);
}

const client = () => new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1`, maxRetries: 0 });

describe('openai SDK responses.create', () => {
  it('plain: native pass-through, usage details, metadata reaches the upstream, tags do not, exact cost header', async () => {
    const { data, response } = await client()
      .responses.create({
        model: 'gpt-4o-cached',
        input: 'Write one line about the sea.',
        instructions: 'Be brief.',
        metadata: { purpose: 'e2e', tags: ['team:blue'] } as unknown as Record<string, string>,
      })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.output_text).toContain('You said');
    const u = data.usage!;
    expect(u.input_tokens_details.cached_tokens).toBe(20);
    expect(u.output_tokens_details.reasoning_tokens).toBe(7);
    const cost = response.headers.get('x-litellm-response-cost');
    // Hand calculation: (input − 20 cached) × 0.0000025 + 20 × 0.00000125 + output × 0.00001.
    expect(cost).toBe(gpt4oCost({ input: u.input_tokens, cached: 20, output: u.output_tokens }));
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/v1/responses');
    expect(seen.body).toMatchObject({ metadata: { purpose: 'e2e' }, instructions: 'Be brief.' });
    expect((seen.body as { metadata: object }).metadata).not.toHaveProperty('tags');
    const [row] = await spendRows(response.headers.get('x-tollgate-request-id')!);
    expect(row.call_type).toBe('responses');
    expect(row.request_tags).toEqual(['team:blue']);
    expect(String(row.spend)).toBe(cost);
    expect(row.prompt_tokens).toBe(u.input_tokens);
  });

  it('stream: the typed events, and response.completed carries usage.cost equal to the spend row', async () => {
    const { data: stream, response: http } = await client()
      .responses.create({ model: 'gpt-4o', input: 'stream to me', stream: true })
      .withResponse();
    const types: string[] = [];
    let text = '';
    let completed: Record<string, unknown> | null = null;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response as unknown as Record<string, unknown>;
    }
    expect(types.slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toContain('stream to me');
    const usage = completed!.usage as { input_tokens: number; output_tokens: number; cost: number };
    expect(usage.cost).toBe(
      Number(gpt4oCost({ input: usage.input_tokens, cached: 0, output: usage.output_tokens })),
    );
    const rows = await spendRows(http.headers.get('x-tollgate-request-id')!);
    expect(rows).toHaveLength(1);
    expect(rows[0].stream).toBe(true);
    expect(Number(rows[0].spend)).toBe(usage.cost);
  });

  it('tools: a function_call item, then the tool output continues the conversation', async () => {
    const tools = [
      {
        type: 'function' as const,
        name: 'get_weather',
        description: 'Weather for a city',
        parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        strict: false,
      },
    ];
    const first = await client().responses.create({
      model: 'claude',
      input: 'Weather in Paris?',
      tools,
      tool_choice: 'required',
    });
    const call = first.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather', arguments: '{"city":"mock"}' });
    // Translated: the upstream got an Anthropic Messages request with the tool.
    const sent = t.mock.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.body).toMatchObject({ tools: [{ name: 'get_weather' }], tool_choice: { type: 'any' } });
    const second = await client().responses.create({
      model: 'claude',
      previous_response_id: first.id,
      input: [
        { type: 'function_call_output', call_id: (call as { call_id: string }).call_id, output: 'sunny' },
      ],
      tools,
    });
    expect(second.output_text).toContain('Hello from the mock upstream');
    // The stored conversation was replayed: user turn, tool_use, tool_result.
    const messages = (t.mock.requests.at(-1)!.body as { messages: Array<{ role: string; content: unknown }> })
      .messages;
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(JSON.stringify(messages[2].content)).toContain('tool_result');
  });

  it('translated stream (anthropic): typed events and usage.cost from Claude prices', async () => {
    const stream = await client().responses.create({
      model: 'claude',
      input: 'stream via claude',
      stream: true,
    });
    const types: string[] = [];
    let usage: Record<string, number> | null = null;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.completed') usage = ev.response.usage as unknown as Record<string, number>;
    }
    expect(types).toEqual(
      expect.arrayContaining([
        'response.created',
        'response.output_item.added',
        'response.content_part.added',
        'response.output_text.delta',
        'response.output_text.done',
        'response.output_item.done',
        'response.completed',
      ]),
    );
    // claude-3-5-sonnet: 0.000003 input, 0.000015 output per token (in 1e-6 USD: 3 and 15).
    expect(usage!.cost).toBe(
      Number(decimal(BigInt(usage!.input_tokens) * 3n + BigInt(usage!.output_tokens) * 15n, 6)),
    );
  });

  it('azure: /openai/responses with the deployment as model and the api-version', async () => {
    const r = await client().responses.create({ model: 'azure-4o', input: 'hi azure' });
    expect(r.output_text).toContain('hi azure');
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/openai/responses');
    expect(seen.query['api-version']).toBe('2025-03-01-preview');
    expect(seen.body).toMatchObject({ model: 'gpt-4o-prod' });
  });
});

describe('mock_response', () => {
  it('a request-level mock_response answers a Responses call through the chat translation, priced and stored', async () => {
    const r = await fetch(`${t.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o', input: 'anything', mock_response: 'canned answer' }),
    });
    expect(r.status).toBe(200);
    const body = (await r.json()) as {
      id: string;
      output: Array<{ content: Array<{ text: string }> }>;
      usage: Record<string, number>;
    };
    expect(body.output[0].content[0].text).toBe('canned answer');
    expect(r.headers.get('x-litellm-response-cost')).toBe(
      gpt4oCost({ input: body.usage.input_tokens, cached: 0, output: body.usage.output_tokens }),
    );
    const again = await client().responses.retrieve(body.id);
    expect(again.output_text).toBe('canned answer');
  });
});

describe('stored responses', () => {
  it('GET, input_items and DELETE for native and translated responses; only the creating key', async () => {
    for (const model of ['gpt-4o', 'claude']) {
      const created = await client().responses.create({ model, input: `remember ${model}` });
      const got = await client().responses.retrieve(created.id);
      expect(got.id).toBe(created.id);
      expect(got.output_text).toBe(created.output_text);
      const items = await client().responses.inputItems.list(created.id);
      expect(items.data).toHaveLength(1);
      expect(JSON.stringify(items.data[0])).toContain(`remember ${model}`);
      // Another virtual key may not read it.
      const key = await virtualKey();
      const other = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
      await expect(other.responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
      await client().responses.delete(created.id);
      await expect(client().responses.retrieve(created.id)).rejects.toMatchObject({ status: 404 });
    }
  });

  it('previous_response_id on a native model reaches the upstream as is, for the key that owns it', async () => {
    const first = await client().responses.create({ model: 'gpt-4o', input: 'first turn' });
    const second = await client().responses.create({
      model: 'gpt-4o',
      input: 'second turn',
      previous_response_id: first.id,
    });
    expect(second.output_text).toContain('second turn');
    expect(t.mock.requests.at(-1)!.body).toMatchObject({
      previous_response_id: first.id,
      input: 'second turn',
    });
    const other = new OpenAI({ apiKey: await virtualKey(), baseURL: `${t.url}/v1`, maxRetries: 0 });
    await expect(
      other.responses.create({ model: 'gpt-4o', input: 'steal', previous_response_id: first.id }),
    ).rejects.toMatchObject({ status: 404 });
    // A native conversation cannot continue on a translated model: the history is upstream.
    await expect(
      client().responses.create({ model: 'claude', input: 'x', previous_response_id: first.id }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('an unknown id is a clear 404 in the OpenAI error shape, and nothing is billed', async () => {
    const before = t.mock.requests.length;
    const r = await fetch(`${t.url}/v1/responses/resp_doesnotexist`, {
      headers: { authorization: 'Bearer sk-1234' },
    });
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({
      error: { type: 'not_found_error', message: "Response with id 'resp_doesnotexist' not found." },
    });
    const p = await fetch(`${t.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'claude', input: 'x', previous_response_id: 'resp_nope' }),
    });
    expect(p.status).toBe(404);
    expect(((await p.json()) as { error: { param: string } }).error.param).toBe('previous_response_id');
    expect(t.mock.requests.length).toBe(before);
  });
});

describe('Vercel AI SDK (openai(id) = Responses API)', () => {
  const provider = () => createOpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1` });

  it('generateText: text and usage; the cost header equals the hand calculation and the spend row', async () => {
    const r = await generateText({ model: provider()('gpt-4o'), prompt: 'hello from the ai sdk' });
    expect(r.text).toContain('hello from the ai sdk');
    const headers = r.response.headers as Record<string, string>;
    const cost = headers['x-litellm-response-cost'];
    const u = r.usage;
    expect(cost).toBe(gpt4oCost({ input: u.inputTokens!, cached: 0, output: u.outputTokens! }));
    const [row] = await spendRows(headers['x-tollgate-request-id']);
    expect(String(row.spend)).toBe(cost);
  });

  it('generateText with a tool (translated provider): the tool runs and the second step answers', async () => {
    const r = await generateText({
      model: provider()('claude'),
      prompt: 'What is the weather in Rome?',
      tools: {
        weather: tool({
          description: 'Weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async ({ city }) => `sunny in ${city}`,
        }),
      },
      toolChoice: 'required',
      stopWhen: ({ steps }) => steps.length >= 1,
    });
    expect(r.toolCalls[0]).toMatchObject({ toolName: 'weather', input: { city: 'mock' } });
    expect(r.toolResults[0]).toMatchObject({ output: 'sunny in mock' });
  });

  it('streamText: deltas, then the final usage; one spend row with the cost', async () => {
    const r = streamText({ model: provider()('gpt-4o'), prompt: 'stream with the ai sdk' });
    let text = '';
    for await (const d of r.textStream) text += d;
    expect(text).toContain('stream with the ai sdk');
    const usage = await r.usage;
    expect(usage.inputTokens).toBeGreaterThan(0);
    const headers = (await r.response).headers as Record<string, string>;
    const rows = await spendRows(headers['x-tollgate-request-id']);
    expect(rows).toHaveLength(1);
    expect(String(rows[0].spend)).toBe(
      gpt4oCost({ input: usage.inputTokens!, cached: 0, output: usage.outputTokens! }),
    );
  });
});

async function virtualKey(): Promise<string> {
  const r = await fetch(`${t.url}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
    body: JSON.stringify({}),
  });
  return ((await r.json()) as { key: string }).key;
}
