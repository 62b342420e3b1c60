/**
 * End to end: Bedrock and SageMaker deployments behind a running gateway, called through `openai` and
 * `@langchain/openai`, against the mock AWS runtimes (which verify every SigV4 signature and answer real
 * event-stream frames). Costs are checked against hand calculations from the catalog's prices.
 */
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_AWS_KEYS } from '../src/mock-upstream/aws-auth.js';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const ID = MOCK_AWS_KEYS.accessKeyId;
const SECRET = MOCK_AWS_KEYS.secretAccessKey;
const EXPIRED_TOKEN = 'IQoJb3JpZ2luX2VjEJr-expired-session-token-0123456789abcdefghijklmnop';
const keys = (region = 'us-east-1') =>
  `aws_access_key_id: ${ID}\n      aws_secret_access_key: "${SECRET}"\n      aws_region_name: ${region}\n      aws_bedrock_runtime_endpoint: "{{MOCK}}"`;

const CONFIG = `
model_list:
  - model_name: claude-us
    litellm_params:
      model: bedrock/us.anthropic.claude-3-5-sonnet-20241022-v2:0
      ${keys()}
  - model_name: claude-role
    litellm_params:
      model: bedrock/converse/anthropic.claude-3-haiku-20240307-v1:0
      ${keys()}
      aws_role_name: arn:aws:iam::123456789012:role/tollgate-bedrock
      aws_session_name: tollgate-e2e
      aws_sts_endpoint: "{{MOCK}}"
  - model_name: titan-embed
    litellm_params:
      model: bedrock/amazon.titan-embed-text-v2:0
      ${keys()}
  - model_name: cohere-embed
    litellm_params:
      model: bedrock/cohere.embed-english-v3
      ${keys()}
  - model_name: claude-throttled
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0-fail-429
      ${keys()}
      max_retries: 1
    model_info: { base_model: bedrock/anthropic.claude-3-haiku-20240307-v1:0 }
  - model_name: claude-expired
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0
      ${keys()}
      aws_session_token: ${EXPIRED_TOKEN}
      max_retries: 2
  - model_name: claude-eu-from-us
    litellm_params:
      model: bedrock/eu.anthropic.claude-3-5-sonnet-20241022-v2:0
      ${keys('us-east-1')}
  - model_name: claude-truncated
    litellm_params:
      model: bedrock/anthropic.claude-3-haiku-20240307-v1:0-truncate-frame
      ${keys()}
    model_info: { base_model: bedrock/anthropic.claude-3-haiku-20240307-v1:0 }
  - model_name: sm-messages
    litellm_params:
      model: sagemaker_chat/tgi-messages-slow-30
      aws_access_key_id: ${ID}
      aws_secret_access_key: "${SECRET}"
      aws_region_name: eu-west-1
      api_base: "{{MOCK}}"
    model_info:
      input_cost_per_second: 0.000420
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

const LONG_SYSTEM = 'Tollgate prices every request exactly and keeps the ledger honest. '.repeat(120);

describe('Bedrock through the openai client', () => {
  it('a cross-region profile with prompt caching: cache write, then cache read, each priced by hand', async () => {
    const ask = () =>
      client()
        .chat.completions.create({
          model: 'claude-us',
          messages: [
            // cache_control → a Converse cachePoint after the system prompt
            {
              role: 'system',
              content: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } } as any],
            },
            { role: 'user', content: 'What does Tollgate do?' },
          ],
          max_tokens: 100,
        })
        .withResponse();
    // Catalog entry us.anthropic.claude-3-5-sonnet-20241022-v2:0 (the one LiteLLM prices the profile with):
    // input 0.000003, output 0.000015, cache write 0.00000375, cache read 0.0000003 per token.
    const first = await ask();
    expect(first.response.headers.get('x-tollgate-pricing-source')).toMatch(
      /^catalog:us\.anthropic\.claude-3-5-sonnet-20241022-v2:0@/,
    );
    const u1 = first.data.usage as any;
    const write = u1.cache_creation_input_tokens as number;
    expect(write).toBeGreaterThanOrEqual(1024);
    expect(u1.cache_read_input_tokens).toBe(0);
    const fresh1 = u1.prompt_tokens - write; // prompt_tokens includes the cache tokens (OpenAI convention)
    expect(fresh1).toBeGreaterThan(0);
    // cost = fresh × 0.000003 + write × 0.00000375 + completion × 0.000015
    const cost1 =
      usd('0.000003') * BigInt(fresh1) +
      usd('0.00000375') * BigInt(write) +
      usd('0.000015') * BigInt(u1.completion_tokens);
    expect(first.response.headers.get('x-tollgate-response-cost')).toBe(formatMoney(cost1));

    const second = await ask();
    const u2 = second.data.usage as any;
    expect(u2.cache_read_input_tokens).toBe(write);
    expect(u2.cache_creation_input_tokens).toBe(0);
    expect(u2.prompt_tokens_details.cached_tokens).toBe(write);
    // cost = fresh × 0.000003 + read × 0.0000003 + completion × 0.000015
    const cost2 =
      usd('0.000003') * BigInt(u2.prompt_tokens - write) +
      usd('0.0000003') * BigInt(write) +
      usd('0.000015') * BigInt(u2.completion_tokens);
    expect(second.response.headers.get('x-tollgate-response-cost')).toBe(formatMoney(cost2));
    const row = await spendRow(second.response.headers.get('x-tollgate-request-id')!);
    expect(String(row.spend)).toBe(formatMoney(cost2));
    expect(row.raw_usage).toMatchObject({ cacheReadInputTokens: write });
    // The mock saw a signed Converse call on the profile id.
    const seen = t.mock.requests.at(-1)!;
    expect(seen.path).toBe('/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse');
    expect(String(seen.headers.authorization)).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
  });

  it('streaming: chunks, then the usage chunk with the exact cost of the logged spend', async () => {
    const stream = await client().chat.completions.create({
      model: 'claude-us',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    let usage: any = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello from the mock upstream. You said: stream please');
    const expected =
      usd('0.000003') * BigInt(usage.prompt_tokens) + usd('0.000015') * BigInt(usage.completion_tokens);
    expect(usage.cost).toBe(Number(formatMoney(expected)));
    const row = await spendRow(usage.request_id);
    expect(row.stream).toBe(true);
    expect(String(row.spend)).toBe(formatMoney(expected));
    expect(t.mock.requests.at(-1)!.path).toMatch(/\/converse-stream$/);
  });

  it('tools, non-streaming and streaming', async () => {
    const tools = [
      {
        type: 'function' as const,
        function: {
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ];
    const res = await client().chat.completions.create({
      model: 'claude-us',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools,
      tool_choice: 'required',
    });
    expect(res.choices[0].finish_reason).toBe('tool_calls');
    const call = res.choices[0].message.tool_calls![0] as {
      id: string;
      function: { name: string; arguments: string };
    };
    expect(call.function).toEqual({ name: 'get_weather', arguments: '{"city":"mock"}' });
    // The tool result goes back as a toolResult block.
    await client().chat.completions.create({
      model: 'claude-us',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: call.id, type: 'function', function: call.function }],
        },
        { role: 'tool', tool_call_id: call.id, content: '18C' },
      ],
      tools,
    });
    expect((t.mock.requests.at(-1)!.body as any).messages[2]).toEqual({
      role: 'user',
      content: [{ toolResult: { toolUseId: call.id, content: [{ text: '18C' }] } }],
    });

    const stream = await client().chat.completions.create({
      model: 'claude-us',
      stream: true,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools,
      tool_choice: 'required',
    });
    let args = '';
    let name = '';
    let finish = '';
    for await (const chunk of stream) {
      const tc = chunk.choices[0]?.delta?.tool_calls?.[0];
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect({ name, args, finish }).toEqual({
      name: 'get_weather',
      args: '{"city":"mock"}',
      finish: 'tool_calls',
    });
  });

  it('embeddings: Titan priced from its token count; Cohere Embed (several texts) estimated and flagged', async () => {
    const titan = await client()
      .embeddings.create({ model: 'titan-embed', input: 'hello world' })
      .withResponse();
    expect(titan.data.data[0].embedding).toHaveLength(1024);
    // amazon.titan-embed-text-v2:0: 0.0000002 per input token; the mock counts 2 tokens.
    expect(titan.data.usage.prompt_tokens).toBe(2);
    expect(titan.response.headers.get('x-tollgate-response-cost')).toBe(formatMoney(usd('0.0000002') * 2n));
    const many = await client()
      .embeddings.create({ model: 'cohere-embed', input: ['first text', 'second text'] })
      .withResponse();
    expect(many.data.data.map((x) => x.index)).toEqual([0, 1]);
    const row = await spendRow(many.response.headers.get('x-tollgate-request-id')!);
    expect(row.estimated).toBe(true);
    // cohere.embed-english-v3: 0.0000001 per token × the counted tokens
    expect(String(row.spend)).toBe(formatMoney(usd('0.0000001') * BigInt(many.data.usage.prompt_tokens)));
  });

  it('aws_role_name: AssumeRole once at the mock STS, the temporary credentials reused across calls', async () => {
    const before = t.mock.aws.stsCalls;
    for (let i = 0; i < 3; i++) {
      const r = await client().chat.completions.create({
        model: 'claude-role',
        messages: [{ role: 'user', content: `call ${i}` }],
      });
      expect(r.choices[0].message.content).toBe(`Hello from the mock upstream. You said: call ${i}`);
    }
    expect(t.mock.aws.stsCalls - before).toBe(1);
    const auth = String(t.mock.requests.at(-1)!.headers.authorization);
    expect(auth).toMatch(/Credential=ASIAMOCK/); // signed with the assumed role's key, not the source key
    expect(t.mock.requests.at(-1)!.headers['x-amz-security-token']).toMatch(/^IQoJmock/);
  });
});

describe('Bedrock through @langchain/openai', () => {
  const llm = () =>
    new ChatOpenAI({
      model: 'claude-us',
      apiKey: 'sk-1234',
      configuration: { baseURL: `${t.url}/v1` },
      maxRetries: 0,
    });

  it('invoke and stream', async () => {
    const res = await llm().invoke([
      ['system', 'You are a helpful assistant'],
      ['human', 'langchain says hi'],
    ]);
    expect(res.content).toBe('Hello from the mock upstream. You said: langchain says hi');
    expect(res.usage_metadata?.input_tokens).toBeGreaterThan(0);
    let text = '';
    for await (const chunk of await llm().stream('count to three')) text += String(chunk.content);
    expect(text).toBe('Hello from the mock upstream. You said: count to three');
  });

  it('tools with bindTools', async () => {
    const withTools = llm().bindTools(
      [
        {
          type: 'function',
          function: {
            name: 'lookup',
            description: 'Look up',
            parameters: { type: 'object', properties: { q: { type: 'string' } } },
          },
        },
      ],
      { tool_choice: 'required' },
    );
    const res = await withTools.invoke('find tollgate');
    expect(res.tool_calls?.[0]).toMatchObject({ name: 'lookup', args: { q: 'mock' } });
  });

  it('embeddings: embedQuery on Titan, embedDocuments on Cohere Embed', async () => {
    const conf = { apiKey: 'sk-1234', configuration: { baseURL: `${t.url}/v1` }, maxRetries: 0 };
    const q = await new OpenAIEmbeddings({ ...conf, model: 'titan-embed' }).embedQuery('what is tollgate');
    expect(q).toHaveLength(1024);
    const docs = await new OpenAIEmbeddings({ ...conf, model: 'cohere-embed' }).embedDocuments([
      'a',
      'b',
      'c',
    ]);
    expect(docs).toHaveLength(3);
    expect(docs[0]).toHaveLength(1024);
  });
});

describe('bad input and upstream failures: clear OpenAI-shaped errors, every attempt logged, nothing lost', () => {
  async function post(body: object) {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-1234', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      json: (await res.json()) as any,
      requestId: res.headers.get('x-tollgate-request-id'),
    };
  }
  const msg = [{ role: 'user', content: 'hello' }];

  it('throttling is retried, then answered 429 with the AWS reason; the failure is in the spend log', async () => {
    const before = t.mock.requests.filter((r) => r.path.includes('fail-429')).length;
    const r = await post({ model: 'claude-throttled', messages: msg });
    expect(r.status).toBe(429);
    expect(r.json.error).toMatchObject({ type: 'upstream_error', tollgate_code: 'TG_ERR_UPSTREAM' });
    expect(r.json.error.message).toMatch(
      /Too many requests, please wait before trying again\. \(ThrottlingException\)$/,
    );
    expect(t.mock.requests.filter((q) => q.path.includes('fail-429')).length - before).toBe(2); // 1 + max_retries
    const row = await spendRow(r.requestId!);
    expect(row.status).toBe('failure');
    expect(String(row.spend)).toBe('0');
  });

  it('an expired session token: 503 configuration error, never retried, no token in the answer', async () => {
    const before = t.mock.requests.length;
    const r = await post({ model: 'claude-expired', messages: msg });
    expect(r.status).toBe(503);
    expect(r.json.error).toMatchObject({
      type: 'configuration_error',
      tollgate_code: 'TG_ERR_PROVIDER_CONFIG',
    });
    expect(r.json.error.message).toMatch(
      /The security token included in the request is expired \(ExpiredTokenException\)$/,
    );
    expect(JSON.stringify(r.json)).not.toContain('IQoJb3JpZ2lu');
    expect(t.mock.requests.length - before).toBe(1);
    expect((await spendRow(r.requestId!)).status).toBe('failure');
  });

  it('a model the region lacks (an eu. profile from us-east-1): 400 naming the region', async () => {
    const r = await post({ model: 'claude-eu-from-us', messages: msg });
    expect(r.status).toBe(400);
    expect(r.json.error.message).toMatch(
      /The provided model identifier is invalid\. \(ValidationException\) \(check that "eu\.anthropic\.claude-3-5-sonnet-20241022-v2:0" is served in region us-east-1/,
    );
    expect((await spendRow(r.requestId!)).status).toBe('failure');
  });

  it('a truncated event-stream frame: an error frame in the stream, logged as a failure billed for what was generated', async () => {
    const stream = await client().chat.completions.create({
      model: 'claude-truncated',
      stream: true,
      messages: [{ role: 'user', content: 'cut me off' }],
    });
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String(err.message)).toMatch(/malformed stream: a truncated event-stream frame/);
    expect(text).toBe('Hello from the mock upstream. You said: cut me off');
    await t.gw.ledger.flush();
    const rows = await t.gw.db.query<Record<string, any>>(
      "SELECT * FROM tg_spend_logs WHERE model_group = 'claude-truncated'",
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].status).toBe('failure');
    // Billed at claude-3-haiku's catalog prices for the estimated tokens: never a silent $0.
    expect(Number(rows.rows[0].spend)).toBeGreaterThan(0);
  });
});

describe('secrets', () => {
  it('/model/info lists the AWS deployments with their call types, without keys or session tokens', async () => {
    const res = await fetch(`${t.url}/model/info`, { headers: { authorization: 'Bearer sk-1234' } });
    const text = await res.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(EXPIRED_TOKEN);
    const data = (JSON.parse(text) as { data: Array<Record<string, any>> }).data;
    const claude = data.find((x) => x.model_name === 'claude-us')!;
    expect(claude.model_info.supported_call_types).toEqual(['chat', 'embedding', 'responses']);
    expect(claude.model_info.config_problems).toEqual([]);
    expect(claude.model_info.pricing_source).toMatch(
      /^catalog:us\.anthropic\.claude-3-5-sonnet-20241022-v2:0@/,
    );
  });
});

describe('sagemaker_chat (messages API) priced per second', () => {
  it('cost = upstream wall time × input_cost_per_second, stated in the explanation', async () => {
    const { response } = await client()
      .chat.completions.create({ model: 'sm-messages', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const row = await spendRow(response.headers.get('x-tollgate-request-id')!);
    expect(row.duration_ms).toBeGreaterThanOrEqual(30); // the endpoint name makes the mock wait 30 ms
    // duration (ms) × 0.000420 / 1000, exactly
    expect(String(row.spend)).toBe(formatMoney((usd('0.000420') * BigInt(row.duration_ms)) / 1000n));
    expect(response.headers.get('x-tollgate-response-cost')).toBe(String(row.spend));
    expect(row.cost_breakdown.lines).toEqual([
      expect.objectContaining({
        kind: 'input_seconds',
        quantity: row.duration_ms / 1000,
        priceKey: 'input_cost_per_second',
        note: 'duration = upstream call wall time, request sent to last byte',
      }),
    ]);
    expect(t.mock.requests.at(-1)!.path).toBe('/endpoints/tgi-messages-slow-30/invocations');
  });
});
