import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../config/types.js';
import { MOCK_AWS_KEYS } from '../../mock-upstream/aws-auth.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { built, deployment, jsonBody, roundTrip, sseDataPayloads, streamRoundTrip } from '../test-support.js';
import { bedrockFamily, bedrockModelOf } from './bedrock-family.js';
import { parseBedrockModel } from './bedrock-model.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const KEYS = {
  aws_access_key_id: MOCK_AWS_KEYS.accessKeyId,
  aws_secret_access_key: MOCK_AWS_KEYS.secretAccessKey,
};
function d(model: string, opts: Record<string, unknown> = {}): DeploymentConfig {
  return deployment(`bedrock/${model}`, {
    deploymentOptions: {
      ...KEYS,
      aws_region_name: 'us-east-1',
      aws_bedrock_runtime_endpoint: mock.url,
      ...opts,
    },
  });
}
const chat = {
  messages: [
    { role: 'system', content: 'Be kind.' },
    { role: 'user', content: 'hello there' },
  ],
  max_tokens: 200,
};

describe('model names', () => {
  it('strips route prefixes, reads a region segment, keeps profiles and ARNs; model_id overrides the id', () => {
    expect(parseBedrockModel('converse/us.anthropic.claude-3-5-sonnet-20241022-v2:0')).toEqual({
      modelId: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
    });
    expect(parseBedrockModel('us-west-2/invoke/anthropic.claude-3-haiku-20240307-v1:0')).toEqual({
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      region: 'us-west-2',
    });
    expect(
      parseBedrockModel(
        'arn:aws:bedrock:us-east-1:123:inference-profile/global.anthropic.claude-sonnet-4-20250514-v1:0',
      ).modelId,
    ).toMatch(/^arn:aws:bedrock/);
    const pt = deployment('bedrock/anthropic.claude-3-haiku-20240307-v1:0', {
      deploymentOptions: { model_id: 'arn:aws:bedrock:us-east-1:1:provisioned-model/abc' },
    });
    expect(bedrockModelOf(pt).modelId).toBe('arn:aws:bedrock:us-east-1:1:provisioned-model/abc');
  });

  it('signs POST /model/{id}/converse with the id percent-encoded once', async () => {
    const req = await built(bedrockFamily, 'chat', chat, d('us.anthropic.claude-3-5-sonnet-20241022-v2:0'));
    expect(req.url).toBe(`${mock.url}/model/us.anthropic.claude-3-5-sonnet-20241022-v2%3A0/converse`);
    expect(req.headers.authorization).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${MOCK_AWS_KEYS.accessKeyId}/\\d{8}/us-east-1/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$`,
      ),
    );
    expect(jsonBody(req)).toEqual({
      system: [{ text: 'Be kind.' }],
      messages: [{ role: 'user', content: [{ text: 'hello there' }] }],
      inferenceConfig: { maxTokens: 200 },
    });
    const stream = await built(
      bedrockFamily,
      'chat',
      chat,
      d('anthropic.claude-3-haiku-20240307-v1:0'),
      true,
    );
    expect(stream.url).toMatch(/\/converse-stream$/);
    expect(stream.headers.accept).toBe('application/vnd.amazon.eventstream');
  });
});

describe('round trips through the mock Bedrock runtime', () => {
  it('chat non-streaming and streaming agree on text and usage', async () => {
    const r = await roundTrip(bedrockFamily, 'chat', chat, d('anthropic.claude-3-haiku-20240307-v1:0'));
    expect(r.body).toMatchObject({
      object: 'chat.completion',
      choices: [
        {
          finish_reason: 'stop',
          message: { content: 'Hello from the mock upstream. You said: hello there' },
        },
      ],
    });
    const s = await streamRoundTrip(bedrockFamily, 'chat', chat, d('anthropic.claude-3-haiku-20240307-v1:0'));
    expect(s.outcome.text).toBe('Hello from the mock upstream. You said: hello there');
    expect(s.outcome.usage).toEqual(r.usage);
    expect(sseDataPayloads(s.out).at(-1)).toBe('[DONE]');
  });

  it('prompt caching: a cachePoint prefix is written once, then read; inputTokens excludes both', async () => {
    const long = 'The quick brown fox jumps over the lazy dog. '.repeat(150);
    const body = {
      messages: [
        { role: 'system', content: [{ type: 'text', text: long, cache_control: { type: 'ephemeral' } }] },
        { role: 'user', content: 'hi' },
      ],
    };
    const first = await roundTrip(
      bedrockFamily,
      'chat',
      body,
      d('anthropic.claude-3-5-sonnet-20241022-v2:0-cachetest'),
    );
    const raw1 = first.rawUsage as Record<string, number>;
    expect(raw1.cacheWriteInputTokens).toBeGreaterThanOrEqual(1024);
    expect(raw1.cacheReadInputTokens).toBeUndefined();
    expect(first.usage).toMatchObject({
      cacheWriteTokens: raw1.cacheWriteInputTokens,
      cacheReadTokens: 0,
      inputTokens: raw1.inputTokens + raw1.cacheWriteInputTokens,
    });
    const second = await roundTrip(
      bedrockFamily,
      'chat',
      body,
      d('anthropic.claude-3-5-sonnet-20241022-v2:0-cachetest'),
    );
    const raw2 = second.rawUsage as Record<string, number>;
    expect(raw2.cacheReadInputTokens).toBe(raw1.cacheWriteInputTokens);
    expect(second.usage).toMatchObject({
      cacheReadTokens: raw2.cacheReadInputTokens,
      cacheWriteTokens: 0,
      inputTokens: raw2.inputTokens + raw2.cacheReadInputTokens,
    });
  });

  it('tool calls, streamed too', async () => {
    const body = {
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
      tool_choice: 'required',
    };
    const r = await roundTrip(bedrockFamily, 'chat', body, d('anthropic.claude-3-haiku-20240307-v1:0'));
    expect(r.body).toMatchObject({
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            tool_calls: [
              { type: 'function', function: { name: 'get_weather', arguments: '{"city":"mock"}' } },
            ],
          },
        },
      ],
    });
    const s = await streamRoundTrip(bedrockFamily, 'chat', body, d('anthropic.claude-3-haiku-20240307-v1:0'));
    const deltas = (
      sseDataPayloads(s.out) as {
        choices?: { delta: { tool_calls?: { function: { arguments: string; name?: string } }[] } }[];
      }[]
    ).flatMap((c) => c.choices?.[0]?.delta.tool_calls ?? []);
    expect(deltas[0].function.name).toBe('get_weather');
    expect(deltas.map((t) => t.function.arguments).join('')).toBe('{"city":"mock"}');
  });

  it('embeddings: Titan (one text, its token count) and Cohere Embed (several texts, counted and flagged estimated)', async () => {
    const titan = await roundTrip(
      bedrockFamily,
      'embedding',
      { input: 'hello world', dimensions: 256 },
      d('amazon.titan-embed-text-v2:0'),
    );
    expect(mock.requests.at(-1)!.body).toEqual({ inputText: 'hello world', dimensions: 256 });
    expect((titan.body.data as { embedding: number[] }[])[0].embedding).toHaveLength(256);
    expect(titan.usage).toMatchObject({ inputTokens: 2, estimated: false });
    const b64 = await roundTrip(
      bedrockFamily,
      'embedding',
      { input: 'hello world', encoding_format: 'base64' },
      d('amazon.titan-embed-text-v2:0'),
    );
    const vector = (b64.body.data as { embedding: string }[])[0].embedding;
    expect(Buffer.from(vector, 'base64').length).toBe(1024 * 4);
    const many = await roundTrip(
      bedrockFamily,
      'embedding',
      { input: ['a', 'b c'] },
      d('cohere.embed-english-v3'),
    );
    expect(mock.requests.at(-1)!.body).toEqual({ texts: ['a', 'b c'], input_type: 'search_document' });
    expect(many.body.data).toHaveLength(2);
    expect(many.usage).toMatchObject({ estimated: true });
    expect(many.usage!.inputTokens).toBeGreaterThan(0);
    await expect(
      built(bedrockFamily, 'embedding', { input: ['a', 'b'] }, d('amazon.titan-embed-text-v2:0')),
    ).rejects.toMatchObject({
      code: 'TG_ERR_BAD_REQUEST',
      message: expect.stringMatching(/Titan embeddings take one text per call; this request has 2/),
    });
    await expect(
      built(bedrockFamily, 'embedding', { input: 'x' }, d('meta.llama3-8b-instruct-v1:0')),
    ).rejects.toMatchObject({ code: 'TG_ERR_UNSUPPORTED' });
  });
});

describe('errors', () => {
  const fail = (dep: DeploymentConfig, stream = false) =>
    (stream ? streamRoundTrip : roundTrip)(bedrockFamily, 'chat', chat, dep).catch((e) => e);

  it('throttling is a retryable 429; a cross-region profile the region lacks is a 400 with a hint', async () => {
    const t = await fail(d('anthropic.claude-3-haiku-20240307-v1:0-fail-429'));
    expect(t.status).toBe(429);
    expect(t.error).toMatchObject({ status: 429, retryable: true });
    expect(t.error.message).toMatch(
      /returned 429: Too many requests, please wait before trying again. \(ThrottlingException\)$/,
    );
    const region = await fail(d('eu.anthropic.claude-3-5-sonnet-20241022-v2:0'));
    expect(region.error).toMatchObject({ status: 400, retryable: false });
    expect(region.error.message).toMatch(
      /The provided model identifier is invalid. \(ValidationException\) \(check that "eu\.anthropic\.claude-3-5-sonnet-20241022-v2:0" is served in region us-east-1/,
    );
  });

  it('an expired session token or a wrong secret is TG_ERR_PROVIDER_CONFIG, with no secret or token in the message', async () => {
    const token = 'IQoJb3JpZ2luX2VjEXPIRED-expired-0123456789abcdefghijklmnopqrstuvwxyz';
    const expired = await fail(d('anthropic.claude-3-haiku-20240307-v1:0', { aws_session_token: token }));
    expect(expired.error).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', status: 503, retryable: false });
    expect(expired.error.message).toMatch(
      /AWS rejected the deployment's credentials: The security token included in the request is expired \(ExpiredTokenException\)$/,
    );
    const secret = 'WRONG/secret+value0123456789abcdefghijklmn';
    const wrong = await fail(
      d('anthropic.claude-3-haiku-20240307-v1:0', {
        aws_secret_access_key: secret,
        aws_session_token: 'FQoGZXIvYXdzEBaaLongSessionTokenValue0123456789abcdefghij',
      }),
    );
    expect(wrong.status).toBe(403);
    expect(wrong.bodyText).toContain('FQoGZXIvYXdzEBaaLongSessionTokenValue'); // AWS echoes the canonical request…
    expect(wrong.error).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG' });
    expect(wrong.error.message).toMatch(
      /The request signature we calculated does not match the signature you provided\. Check your AWS Secret Access Key and signing method\. Consult the service documentation for details\. \(InvalidSignatureException\)$/,
    );
    expect(wrong.error.message).not.toContain('FQoGZXIvYXdz'); // …the gateway does not.
    expect(wrong.error.message).not.toContain(secret);
  });

  it('no credentials: checkDeployment names what to set and authorize fails with TG_ERR_PROVIDER_CONFIG', async () => {
    const dep = deployment('bedrock/anthropic.claude-3-haiku-20240307-v1:0', {
      deploymentOptions: { aws_region_name: 'us-east-1', aws_profile_name: 'does-not-exist-anywhere' },
    });
    expect(bedrockFamily.checkDeployment!(dep)[0]).toMatch(
      /aws_profile_name "does-not-exist-anywhere" is not in the shared credentials or config file/,
    );
    await expect(built(bedrockFamily, 'chat', chat, dep)).rejects.toMatchObject({
      code: 'TG_ERR_PROVIDER_CONFIG',
    });
  });

  it('a mid-stream exception and a truncated frame end the stream with an error frame', async () => {
    const se = await streamRoundTrip(
      bedrockFamily,
      'chat',
      chat,
      d('anthropic.claude-3-haiku-20240307-v1:0-stream-error'),
    );
    expect(se.outcome.error).toMatchObject({ status: 424 });
    expect(se.outcome.error!.message).toMatch(
      /The model stream failed \(mock stream-error\)\. \(modelStreamErrorException\)$/,
    );
    const tr = await streamRoundTrip(
      bedrockFamily,
      'chat',
      chat,
      d('anthropic.claude-3-haiku-20240307-v1:0-truncate-frame'),
    );
    expect(tr.outcome.error!.message).toMatch(/malformed stream: a truncated event-stream frame/);
    expect(sseDataPayloads(tr.out).at(-1)).toMatchObject({ error: { code: 'upstream_error' } });
  });
});
