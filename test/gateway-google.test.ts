/**
 * End-to-end: a LiteLLM config with `gemini/` and `vertex_ai/` deployments (chat, stream, tools,
 * embeddings, Claude on Vertex) driven by the real clients — openai, @langchain/openai and the Vercel AI
 * SDK's openai-compatible provider — against the project's mock of Google's APIs (API key check for
 * Gemini, a signed-JWT token endpoint and a bearer check for Vertex). Every cost is compared with a hand
 * calculation from the catalog prices (built-in snapshot 2025-11-21), in units of 1e-10 USD.
 */
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { ChatOpenAI } from '@langchain/openai';
import { embed, generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleGateway, spendRow, startGoogleGateway, usd } from './support/google-gateway.js';

const GEMINI_KEY = 'AIza-mock-gemini-key-0123456789';
const gem = (model: string, extra = '') =>
  `{ model: gemini/${model}, api_base: "{{MOCK}}", api_key: ${GEMINI_KEY}${extra} }`;
const vtx = (model: string, extra = '') =>
  `{ model: vertex_ai/${model}, api_base: "{{MOCK}}", vertex_project: tollgate-test-project, vertex_ai_location: europe-west4, vertex_credentials: os.environ/TG_TEST_VERTEX_KEY${extra} }`;

const CONFIG = `
model_list:
  - model_name: gemini-flash
    litellm_params: ${gem('gemini-2.5-flash')}
  - model_name: gemini-cached
    litellm_params: ${gem('gemini-2.5-flash-cache-1000')}
    model_info: { base_model: gemini/gemini-2.5-flash }
  - model_name: gemini-thinking
    litellm_params: ${gem('gemini-2.5-pro-reasoning-300')}
    model_info: { base_model: gemini/gemini-2.5-pro }
  - model_name: gemini-thinking-priced
    litellm_params: ${gem('gemini-2.5-flash-reasoning-200')}
    model_info: { base_model: gemini/gemini-2.5-flash, output_cost_per_reasoning_token: 0.000004 }
  - model_name: gemini-long
    litellm_params: ${gem('gemini-2.5-pro-prompt-250000')}
    model_info: { base_model: gemini/gemini-2.5-pro }
  - model_name: gemini-embed
    litellm_params: ${gem('gemini-embedding-001')}
  - model_name: vertex-flash
    litellm_params: ${vtx('gemini-2.5-flash')}
  - model_name: vertex-embed
    litellm_params: ${vtx('text-embedding-005')}
  - model_name: vertex-claude
    litellm_params: ${vtx('claude-sonnet-4@20250514-cache-100')}
    model_info: { base_model: vertex_ai/claude-sonnet-4@20250514 }
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

const openai = () => new OpenAI({ apiKey: 'sk-1234', baseURL: `${g.url}/v1`, maxRetries: 0 });
const ask = (content: string) => [{ role: 'user' as const, content }];

describe('openai client → gemini/', () => {
  it('chat: the cost header equals the hand calculation; the mock saw a Gemini request with the key header', async () => {
    const { data, response } = await openai()
      .chat.completions.create({
        model: 'gemini-flash',
        messages: [{ role: 'system', content: 'Be brief.' }, ...ask('write a haiku about tolls')],
        temperature: 0.3,
        max_tokens: 64,
      })
      .withResponse();
    expect(data.choices[0].message.content).toContain('You said: write a haiku about tolls');
    const u = data.usage!;
    // gemini/gemini-2.5-flash: input 3e-7 (3000e-10), output 2.5e-6 (25000e-10).
    const expected = usd(BigInt(u.prompt_tokens) * 3000n + BigInt(u.completion_tokens) * 25000n);
    const cost = response.headers.get('x-tollgate-response-cost');
    expect(cost).toBe(expected);
    expect(response.headers.get('x-litellm-response-cost')).toBe(expected);
    const seen = g.mock.requests.at(-1)!;
    expect(seen.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(seen.headers['x-goog-api-key']).toBe(GEMINI_KEY);
    expect(seen.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'write a haiku about tolls' }] }],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 64 },
    });
    const row = await spendRow(g, response.headers.get('x-tollgate-request-id')!);
    expect(row).toMatchObject({ status: 'success', provider: 'gemini', model_group: 'gemini-flash' });
    expect(String(row.spend)).toBe(expected);
    expect(row.raw_usage).toMatchObject({ promptTokenCount: u.prompt_tokens });
  });

  it('cached prompt, streamed: the final chunk’s usage.cost equals the hand calculation', async () => {
    const stream = await openai().chat.completions.create({
      model: 'gemini-cached',
      stream: true,
      stream_options: { include_usage: true },
      messages: ask('stream with a cached prefix'),
    });
    let text = '';
    let usage: Record<string, unknown> | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage as unknown as Record<string, unknown>;
    }
    expect(text).toContain('stream with a cached prefix');
    const prompt = BigInt(usage!.prompt_tokens as number);
    const completion = BigInt(usage!.completion_tokens as number);
    expect(usage!.prompt_tokens_details).toMatchObject({ cached_tokens: 1000 });
    // 1000 cached tokens at 3e-8 (300e-10); the rest of the prompt at 3e-7; output at 2.5e-6.
    const expected = usd((prompt - 1000n) * 3000n + 1000n * 300n + completion * 25000n);
    expect(usage!.cost).toBe(Number(expected));
    const row = await spendRow(g, String(usage!.request_id));
    expect(String(row.spend)).toBe(expected);
    expect(row).toMatchObject({ stream: true, cache_read_tokens: 1000, estimated: false });
  });

  it('thinking: thoughts are output tokens, at the output price when the catalog has no reasoning price', async () => {
    const { data, response } = await openai()
      .chat.completions.create({
        model: 'gemini-thinking',
        messages: ask('think first'),
        reasoning_effort: 'low',
      })
      .withResponse();
    const u = data.usage!;
    expect(u.completion_tokens_details?.reasoning_tokens).toBe(300);
    expect((data.choices[0].message as unknown as { reasoning_content: string }).reasoning_content).toBe(
      'Let me think about this.',
    );
    // gemini/gemini-2.5-pro: input 1.25e-6 (12500e-10), output 1e-5 (100000e-10), no reasoning price:
    // completion_tokens (text + 300 thoughts) all at the output price.
    const expected = usd(BigInt(u.prompt_tokens) * 12500n + BigInt(u.completion_tokens) * 100000n);
    expect(response.headers.get('x-tollgate-response-cost')).toBe(expected);
    expect(g.mock.requests.at(-1)!.body).toMatchObject({
      generationConfig: { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } },
    });
  });

  it('thinking with a reasoning price: thoughts at that price, the rest of the output at the output price', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: 'gemini-thinking-priced', messages: ask('think again') })
      .withResponse();
    const u = data.usage!;
    // input 3e-7 (3000e-10); text output (completion − 200 thoughts) 2.5e-6 (25000e-10);
    // 200 thoughts at the custom 4e-6 (40000e-10).
    const expected = usd(
      BigInt(u.prompt_tokens) * 3000n + BigInt(u.completion_tokens - 200) * 25000n + 200n * 40000n,
    );
    expect(response.headers.get('x-tollgate-response-cost')).toBe(expected);
  });

  it('a prompt above 200k tokens is billed at the catalog’s above_200k prices', async () => {
    const { data, response } = await openai()
      .chat.completions.create({ model: 'gemini-long', messages: ask('a very long document') })
      .withResponse();
    const u = data.usage!;
    expect(u.prompt_tokens).toBeGreaterThan(200_000);
    // gemini/gemini-2.5-pro above 200k: input 2.5e-6 (25000e-10), output 1.5e-5 (150000e-10).
    const expected = usd(BigInt(u.prompt_tokens) * 25000n + BigInt(u.completion_tokens) * 150000n);
    expect(response.headers.get('x-tollgate-response-cost')).toBe(expected);
    const row = await spendRow(g, response.headers.get('x-tollgate-request-id')!);
    expect(row.unit_prices).toMatchObject({
      input_cost_per_token_above_200k_tokens: '0.0000025',
      output_cost_per_token_above_200k_tokens: '0.000015',
    });
  });

  it('tools: a function call comes back with its thought signature, and the tool result goes back to Gemini', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const first = await openai().chat.completions.create({
      model: 'gemini-flash',
      messages: ask('weather in Paris?'),
      tools,
      tool_choice: 'required',
    });
    const call = first.choices[0].message.tool_calls![0] as {
      id: string;
      function: { name: string; arguments: string };
    };
    expect(first.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"mock"}' });
    expect(call.id).toContain('__thought__');
    const second = await openai().chat.completions.create({
      model: 'gemini-flash',
      messages: [
        ...ask('weather in Paris?'),
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: '{"temp_c":21}' },
      ],
      tools,
    });
    expect(second.choices[0].message.content).toBeTruthy();
    const contents = (g.mock.requests.at(-1)!.body as { contents: unknown[] }).contents;
    expect(contents).toEqual([
      { role: 'user', parts: [{ text: 'weather in Paris?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Calling get_weather.' },
          {
            functionCall: { name: 'get_weather', args: { city: 'mock' } },
            thoughtSignature: expect.any(String),
          },
        ],
      },
      { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 21 } } }] },
    ]);
  });

  it('embeddings: Google reports no usage, so the gateway counts the input and flags it estimated', async () => {
    const { data, response } = await openai()
      .embeddings.create({ model: 'gemini-embed', input: ['first text', 'second text'], dimensions: 16 })
      .withResponse();
    expect(data.data.map((d) => d.embedding.length)).toEqual([16, 16]);
    expect(g.mock.requests.at(-1)!.path).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    // gemini/gemini-embedding-001: 1.5e-7 (1500e-10) per input token.
    const expected = usd(BigInt(data.usage.prompt_tokens) * 1500n);
    expect(response.headers.get('x-tollgate-response-cost')).toBe(expected);
    const row = await spendRow(g, response.headers.get('x-tollgate-request-id')!);
    expect(row).toMatchObject({ estimated: true, prompt_tokens: data.usage.prompt_tokens });
  });
});

describe('vertex_ai/', () => {
  it('@langchain/openai: Gemini on Vertex through a regional host path and a bearer token', async () => {
    const chat = new ChatOpenAI({
      model: 'vertex-flash',
      apiKey: 'sk-1234',
      configuration: { baseURL: `${g.url}/v1` },
      maxRetries: 0,
    });
    const res = await chat.invoke([
      ['system', 'You are terse.'],
      ['human', 'hello from langchain'],
    ]);
    expect(String(res.content)).toContain('hello from langchain');
    const seen = g.mock.requests.at(-1)!;
    expect(seen.path).toBe(
      '/v1/projects/tollgate-test-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    expect(String(seen.headers.authorization)).toMatch(/^Bearer ya29\.mock-/);
    let text = '';
    for await (const chunk of await chat.stream('count to three')) text += String(chunk.content);
    expect(text).toContain('count to three');
    expect(g.mock.requests.at(-1)!.query).toEqual({ alt: 'sse' });
  });

  it('openai client: Claude on Vertex, priced from the vertex_ai entry with cache reads', async () => {
    const { data, response } = await openai()
      .chat.completions.create({
        model: 'vertex-claude',
        messages: ask('hello claude on vertex'),
        max_tokens: 100,
      })
      .withResponse();
    expect(data.choices[0].message.content).toContain('hello claude on vertex');
    const seen = g.mock.requests.at(-1)!;
    expect(seen.path).toMatch(
      /publishers\/anthropic\/models\/claude-sonnet-4@20250514-cache-100:rawPredict$/,
    );
    expect(seen.body).toMatchObject({ anthropic_version: 'vertex-2023-10-16', max_tokens: 100 });
    expect(seen.body).not.toHaveProperty('model');
    const u = data.usage!;
    expect(u.prompt_tokens_details?.cached_tokens).toBe(100);
    // vertex_ai/claude-sonnet-4@20250514: input 3e-6 (30000e-10), cache read 3e-7 (3000e-10),
    // output 1.5e-5 (150000e-10); prompt_tokens includes the 100 cached tokens.
    const expected = usd(
      BigInt(u.prompt_tokens - 100) * 30000n + 100n * 3000n + BigInt(u.completion_tokens) * 150000n,
    );
    expect(response.headers.get('x-tollgate-response-cost')).toBe(expected);
    const row = await spendRow(g, response.headers.get('x-tollgate-request-id')!);
    expect(row).toMatchObject({
      provider: 'vertex_ai',
      pricing_source: 'base_model:vertex_ai/claude-sonnet-4@20250514',
    });
  });

  it('embeddings through :predict are billed from the token counts Vertex reports', async () => {
    const { data, response } = await openai()
      .embeddings.create({ model: 'vertex-embed', input: 'vertex embeddings' })
      .withResponse();
    expect(data.data[0].embedding.length).toBeGreaterThan(0);
    // text-embedding-005: 1e-7 (1000e-10) per token.
    expect(response.headers.get('x-tollgate-response-cost')).toBe(
      usd(BigInt(data.usage.prompt_tokens) * 1000n),
    );
    const row = await spendRow(g, response.headers.get('x-tollgate-request-id')!);
    expect(row).toMatchObject({ estimated: false });
    expect(row.raw_usage).toMatchObject({ statistics: [{ token_count: data.usage.prompt_tokens }] });
  });
});

describe('Vercel AI SDK (@ai-sdk/openai-compatible)', () => {
  const provider = () =>
    createOpenAICompatible({
      name: 'tollgate',
      baseURL: `${g.url}/v1`,
      apiKey: 'sk-1234',
      includeUsage: true,
    });

  it('generateText on Gemini', async () => {
    const r = await generateText({
      model: provider()('gemini-flash'),
      prompt: 'hello from the ai sdk',
      maxRetries: 0,
    });
    expect(r.text).toContain('hello from the ai sdk');
    expect(r.usage.inputTokens).toBeGreaterThan(0);
  });

  it('streamText on Claude via Vertex: text and the usage of the final chunk', async () => {
    const s = streamText({
      model: provider()('vertex-claude'),
      prompt: 'stream from claude on vertex',
      maxRetries: 0,
    });
    let text = '';
    for await (const t of s.textStream) text += t;
    expect(text).toContain('stream from claude on vertex');
    const usage = await s.usage;
    expect(usage.inputTokens).toBeGreaterThan(100);
    expect(usage.outputTokens).toBeGreaterThan(0);
  });

  it('embed on Vertex', async () => {
    const r = await embed({
      model: provider().embeddingModel('vertex-embed'),
      value: 'ai sdk embedding',
      maxRetries: 0,
    });
    expect(r.embedding.length).toBeGreaterThan(0);
  });
});
