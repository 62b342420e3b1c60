/**
 * End to end: Cohere v2 (chat, stream, tools, embed) and OpenAI-compatible long-tail providers behind a
 * running gateway, through `openai` and `@langchain/openai`, against the mock upstream. Costs equal the
 * catalog prices × the usage the provider bills (Cohere: billed_units).
 */
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const CONFIG = `
model_list:
  - model_name: command-r-plus
    litellm_params: { model: cohere/command-r-plus, api_key: co-mock-key, api_base: "{{MOCK}}" }
  - model_name: command-r
    litellm_params: { model: cohere_chat/command-r, api_key: co-mock-key, api_base: "{{MOCK}}/v1" }
  - model_name: cohere-embed
    litellm_params: { model: cohere/embed-english-v3.0, api_key: co-mock-key, api_base: "{{MOCK}}" }
  - model_name: cerebras-llama
    litellm_params: { model: cerebras/llama3.1-8b, api_key: csk-mock, api_base: "{{MOCK}}/v1" }
  - model_name: kimi
    litellm_params: { model: moonshot/moonshot-v1-8k, api_key: sk-moonshot-mock, api_base: "{{MOCK}}/v1" }
  - model_name: github-gpt4o
    litellm_params: { model: github/gpt-4o, api_key: ghp-mock, api_base: "{{MOCK}}" }
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

const usd = (s: string) => parseMoney(s);
const client = () => new OpenAI({ apiKey: 'sk-1234', baseURL: `${t.url}/v1`, maxRetries: 0 });

async function spendRow(requestId: string): Promise<Record<string, any>> {
  await t.gw.ledger.flush();
  const r = await t.gw.db.query<Record<string, any>>('SELECT * FROM tg_spend_logs WHERE request_id = $1', [
    requestId,
  ]);
  expect(r.rows).toHaveLength(1);
  return r.rows[0];
}

describe('Cohere v2', () => {
  it('chat priced from billed_units with the catalog price of command-r-plus', async () => {
    const { data, response } = await client()
      .chat.completions.create({
        model: 'command-r-plus',
        messages: [{ role: 'user', content: 'hello cohere' }],
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the mock upstream. You said: hello cohere');
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/v2/chat');
    expect(seen.headers.authorization).toBe('Bearer co-mock-key');
    const row = await spendRow(response.headers.get('x-tollgate-request-id')!);
    const billed = row.raw_usage.billed_units;
    // The mock's usage.tokens counts 6 template tokens more than billed_units: the bill is billed_units.
    expect(row.raw_usage.tokens.input_tokens).toBe(billed.input_tokens + 6);
    expect(data.usage!.prompt_tokens).toBe(billed.input_tokens);
    // command-r-plus: 0.0000025 per input token, 0.00001 per output token
    const expected =
      usd('0.0000025') * BigInt(billed.input_tokens) + usd('0.00001') * BigInt(billed.output_tokens);
    expect(response.headers.get('x-tollgate-response-cost')).toBe(formatMoney(expected));
    expect(String(row.spend)).toBe(formatMoney(expected));
  });

  it('streaming with the usage chunk; cohere_chat/ with an api_base ending in /v1', async () => {
    const stream = await client().chat.completions.create({
      model: 'command-r',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream cohere' }],
    });
    let text = '';
    let usage: any = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the mock upstream. You said: stream cohere');
    expect(t.mock.requests.at(-1)!.path).toBe('/v2/chat');
    // command-r: 0.00000015 in, 0.0000006 out
    const expected =
      usd('0.00000015') * BigInt(usage.prompt_tokens) + usd('0.0000006') * BigInt(usage.completion_tokens);
    expect(usage.cost).toBe(Number(formatMoney(expected)));
    expect(String((await spendRow(usage.request_id)).spend)).toBe(formatMoney(expected));
  });

  it('tools through @langchain/openai', async () => {
    const llm = new ChatOpenAI({
      model: 'command-r-plus',
      apiKey: 'sk-1234',
      configuration: { baseURL: `${t.url}/v1` },
      maxRetries: 0,
    });
    const res = await llm
      .bindTools(
        [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } } },
            },
          },
        ],
        { tool_choice: 'required' },
      )
      .invoke('weather in Toronto?');
    expect(res.tool_calls?.[0]).toMatchObject({ name: 'get_weather', args: { city: 'mock' } });
    expect((t.mock.requests.at(-1)!.body as any).tool_choice).toBe('REQUIRED');
    let text = '';
    for await (const chunk of await llm.stream('count')) text += String(chunk.content);
    expect(text).toBe('Hello from the mock upstream. You said: count');
  });

  it('embed through openai and @langchain/openai, priced from meta.billed_units', async () => {
    const { data, response } = await client()
      .embeddings.create({ model: 'cohere-embed', input: ['one two', 'three'] })
      .withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0].embedding).toHaveLength(16);
    const row = await spendRow(response.headers.get('x-tollgate-request-id')!);
    // embed-english-v3.0: 0.0000001 per token × billed input tokens
    expect(String(row.spend)).toBe(formatMoney(usd('0.0000001') * BigInt(row.raw_usage.input_tokens)));
    const docs = await new OpenAIEmbeddings({
      model: 'cohere-embed',
      apiKey: 'sk-1234',
      configuration: { baseURL: `${t.url}/v1` },
    }).embedDocuments(['a', 'b', 'c']);
    expect(docs.map((v) => v.length)).toEqual([16, 16, 16]);
  });
});

describe('OpenAI-compatible long tail', () => {
  it.each([
    // [model group, catalog entry, input, output price per token]
    ['cerebras-llama', 'cerebras/llama3.1-8b', '0.0000001', '0.0000001'],
    ['kimi', 'moonshot/moonshot-v1-8k', '0.0000002', '0.000002'],
    // GitHub Models serves other vendors' models: priced by their entry, as LiteLLM does.
    ['github-gpt4o', 'gpt-4o', '0.0000025', '0.00001'],
  ])('%s is priced with the catalog entry %s', async (model, entry, inPrice, outPrice) => {
    const { data, response } = await client()
      .chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(response.headers.get('x-tollgate-pricing-source')).toMatch(
      new RegExp(`^catalog:${entry.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}@`),
    );
    const u = data.usage!;
    expect(response.headers.get('x-tollgate-response-cost')).toBe(
      formatMoney(usd(inPrice) * BigInt(u.prompt_tokens) + usd(outPrice) * BigInt(u.completion_tokens)),
    );
    expect(t.mock.requests.at(-1)!.path).toMatch(/\/chat\/completions$/);
  });
});
