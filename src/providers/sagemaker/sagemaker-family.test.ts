import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../config/types.js';
import { MOCK_AWS_KEYS } from '../../mock-upstream/aws-auth.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { encodeEventStreamMessage } from '../aws/event-stream.js';
import {
  built,
  decode,
  deployment,
  jsonBody,
  roundTrip,
  sseDataPayloads,
  streamRoundTrip,
} from '../test-support.js';
import { sagemakerChatFamily, sagemakerFamily, sagemakerUrl } from './sagemaker-family.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

const KEYS = {
  aws_access_key_id: MOCK_AWS_KEYS.accessKeyId,
  aws_secret_access_key: MOCK_AWS_KEYS.secretAccessKey,
  aws_region_name: 'us-west-2',
};
const d = (model: string, opts: Record<string, unknown> = {}): DeploymentConfig =>
  deployment(model, { apiBase: mock.url, deploymentOptions: { ...KEYS, ...opts } });
const chat = { messages: [{ role: 'user', content: 'hello there' }], max_tokens: 64, temperature: 0 };

type Chunk = { choices: { delta: Record<string, unknown>; finish_reason: string | null }[] };
const deltas = (out: string) =>
  (sseDataPayloads(out) as Chunk[])
    .filter((c) => typeof c === 'object' && c.choices?.length > 0)
    .map((c) => c.choices[0]);

describe('sagemaker/ (TGI / LMI text generation)', () => {
  it('builds InvokeEndpoint with the LiteLLM-rendered prompt and mapped parameters, SigV4 service sagemaker', async () => {
    const dep = deployment('sagemaker/berri-benchmarking-Llama-2-70b-chat-hf-4', {
      deploymentOptions: { ...KEYS, model_id: 'ic-llama' },
    });
    const req = await built(
      sagemakerFamily,
      'chat',
      { ...chat, n: 2, stop: 'END', user: 'u', top_k: 5 },
      dep,
    );
    expect(req.url).toBe(
      'https://runtime.sagemaker.us-west-2.amazonaws.com/endpoints/berri-benchmarking-Llama-2-70b-chat-hf-4/invocations',
    );
    expect(req.headers['x-amzn-sagemaker-inference-component']).toBe('ic-llama');
    expect(req.headers.authorization).toMatch(
      /\/us-west-2\/sagemaker\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date;x-amzn-sagemaker-inference-component,/,
    );
    expect(jsonBody(req)).toEqual({
      inputs: '<s>[INST] hello there [/INST]\n',
      // temperature 0 → 0.01 (TGI needs it strictly positive), n → best_of + do_sample, as in LiteLLM.
      parameters: {
        max_new_tokens: 64,
        temperature: 0.01,
        best_of: 2,
        do_sample: true,
        stop: ['END'],
        top_k: 5,
      },
    });
    const stream = await built(sagemakerFamily, 'chat', chat, dep, true);
    expect(stream.url).toMatch(/\/invocations-response-stream$/);
    expect(jsonBody(stream)).toMatchObject({ stream: true });
    expect(
      sagemakerUrl(
        deployment('sagemaker/x', {
          deploymentOptions: { ...KEYS, sagemaker_base_url: 'https://vpce.example/endpoints/x/invocations' },
        }),
        true,
      ),
    ).toBe('https://vpce.example/endpoints/x/invocations-response-stream');
  });

  it('non-streaming and streaming answers; usage counted from the prompt and answer, flagged estimated', async () => {
    const r = await roundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/my-endpoint'));
    expect(r.body).toMatchObject({
      object: 'chat.completion',
      choices: [
        { message: { role: 'assistant', content: 'Hello from the mock upstream. You said: hello there' } },
      ],
    });
    expect(r.usage).toMatchObject({ estimated: true, inputTokens: 2 });
    expect(r.usage!.outputTokens).toBeGreaterThan(5);
    const s = await streamRoundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/my-endpoint'));
    expect(
      deltas(s.out)
        .map((c) => c.delta.content ?? '')
        .join(''),
    ).toBe('Hello from the mock upstream. You said: hello there');
    expect(deltas(s.out).at(-1)!.finish_reason).toBe('stop');
    expect(s.outcome.usage).toMatchObject({
      estimated: true,
      inputTokens: 2,
      outputTokens: r.usage!.outputTokens,
    });
    expect(sseDataPayloads(s.out).at(-2)).toMatchObject({ choices: [], usage: { estimated: true } });
  });

  it('PayloadPart bytes are split anywhere (mid-line, mid-character): the same output', () => {
    const sse =
      'data:{"token":{"id":1,"text":"Ça","special":false}}\n\ndata:{"token":{"id":2,"text":" va 👋","special":false},"generated_text":"Ça va 👋","details":{"finish_reason":"length","generated_tokens":3}}\n\n';
    const bytes = Buffer.from(sse);
    const dep = d('sagemaker/ep');
    const frame = (b: Uint8Array) => encodeEventStreamMessage(b, { eventType: 'PayloadPart' });
    const whole = decode(sagemakerFamily, 'chat', dep, [frame(bytes)]);
    const norm = (x: string) => x.replace(/"created":\d+/g, '').replace(/chatcmpl-[0-9a-f]+/g, '');
    expect(
      deltas(whole.out)
        .map((c) => c.delta.content ?? '')
        .join(''),
    ).toBe('Ça va 👋');
    expect(deltas(whole.out).at(-1)!.finish_reason).toBe('length');
    expect(whole.outcome.usage).toMatchObject({ outputTokens: 3, estimated: true });
    fc.assert(
      fc.property(fc.array(fc.nat(bytes.length), { maxLength: 12 }), (cuts) => {
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let prev = 0;
        const frames: Uint8Array[] = [];
        for (const p of points) {
          frames.push(frame(bytes.subarray(prev, p)));
          prev = p;
        }
        frames.push(frame(bytes.subarray(prev)));
        const all = Buffer.concat(frames);
        const split = decode(sagemakerFamily, 'chat', dep, [all.subarray(0, 7), all.subarray(7)]);
        expect(norm(split.out)).toBe(norm(whole.out));
      }),
      { numRuns: 100 },
    );
  });

  it('completions: the prompt as is, text_completion answers and chunks', async () => {
    const body = { prompt: 'Once upon a time', max_tokens: 20 };
    const r = await roundTrip(sagemakerFamily, 'completion', body, d('sagemaker/my-endpoint'));
    expect(mock.requests.at(-1)!.body).toEqual({
      inputs: 'Once upon a time',
      parameters: { max_new_tokens: 20 },
    });
    expect(r.body).toMatchObject({
      object: 'text_completion',
      choices: [{ text: 'Hello from the mock upstream. You said: Once upon a time' }],
    });
    const s = await streamRoundTrip(sagemakerFamily, 'completion', body, d('sagemaker/my-endpoint'));
    const chunks = (sseDataPayloads(s.out) as { object?: string; choices?: { text: string }[] }[]).filter(
      (c) => typeof c === 'object' && (c.choices?.length ?? 0) > 0,
    );
    expect(chunks.every((c) => c.object === 'text_completion')).toBe(true);
    expect(chunks.map((c) => c.choices![0].text).join('')).toBe(
      'Hello from the mock upstream. You said: Once upon a time',
    );
    await expect(
      built(sagemakerFamily, 'completion', { prompt: ['a', 'b'] }, d('sagemaker/x')),
    ).rejects.toMatchObject({ code: 'TG_ERR_BAD_REQUEST' });
  });

  it('embeddings: {"inputs": [...]} → OpenAI list, usage counted and flagged', async () => {
    const r = await roundTrip(
      sagemakerFamily,
      'embedding',
      { input: ['one', 'two three'] },
      d('sagemaker/berri-benchmarking-gpt-j-6b-fp16'),
    );
    expect(mock.requests.at(-1)!.body).toEqual({ inputs: ['one', 'two three'] });
    expect(r.body).toMatchObject({ object: 'list', data: [{ index: 0 }, { index: 1 }] });
    expect(r.usage).toMatchObject({ estimated: true });
  });

  it('errors: endpoint not found (400), throttling (429, retryable), model error stream, truncated frame', async () => {
    const missing = await roundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/missing-endpoint')).catch(
      (e) => e,
    );
    expect(missing.error).toMatchObject({ status: 400, retryable: false });
    expect(missing.error.message).toMatch(
      /Endpoint missing-endpoint of account 123456789012 not found\. \(ValidationError\)/,
    );
    const throttled = await roundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/ep-fail-429')).catch(
      (e) => e,
    );
    expect(throttled.error).toMatchObject({ status: 429, retryable: true });
    const se = await streamRoundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/ep-stream-error'));
    expect(se.outcome.error!.message).toMatch(
      /sent an error mid-stream: Model container failed mid-stream \(mock stream-error\)\. \(ModelStreamError\)$/,
    );
    const tr = await streamRoundTrip(sagemakerFamily, 'chat', chat, d('sagemaker/ep-truncate-frame'));
    expect(tr.outcome.error!.message).toMatch(/a truncated event-stream frame/);
  });
});

describe('sagemaker_chat/ (messages API)', () => {
  it('sends the OpenAI body; parses OpenAI answers and chunks inside the event stream', async () => {
    const r = await roundTrip(sagemakerChatFamily, 'chat', chat, d('sagemaker_chat/tgi-messages'));
    expect(mock.requests.at(-1)!.body).toMatchObject({
      model: 'tgi-messages',
      messages: chat.messages,
      max_tokens: 64,
    });
    expect(r.usage).toMatchObject({ estimated: false });
    const s = await streamRoundTrip(sagemakerChatFamily, 'chat', chat, d('sagemaker_chat/tgi-messages'));
    expect(mock.requests.at(-1)!.path).toBe('/endpoints/tgi-messages/invocations-response-stream');
    expect(
      deltas(s.out)
        .map((c) => c.delta.content ?? '')
        .join(''),
    ).toBe('Hello from the mock upstream. You said: hello there');
    expect(s.outcome.usage).toEqual(r.usage);
  });
});
