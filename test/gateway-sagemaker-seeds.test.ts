/**
 * The seed documents' SageMaker examples (src/config/__fixtures__/seeds/*sagemaker*), loaded verbatim —
 * no api_base, no credentials in the file — start, answer chat, streams and embeddings through the
 * SageMaker runtime, and cost exactly duration × input_cost_per_second. As a LiteLLM user's would, the
 * credentials come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME (the
 * AWS SDKs' endpoint variable) points the runtime at the mock, which checks every signature.
 */
import { readFileSync } from 'node:fs';
import OpenAI from 'openai';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MOCK_AWS_KEYS } from '../src/mock-upstream/aws-auth.js';
import { startMockUpstream } from '../src/mock-upstream/server.js';
import { formatMoney, parseMoney } from '../src/pricing/money.js';
import { startTestGateway, type TestGateway } from './support/gateway.js';

const seed = (name: string) =>
  readFileSync(new URL(`../src/config/__fixtures__/seeds/${name}`, import.meta.url), 'utf8');
const usd = (s: string) => parseMoney(s);

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
  vi.unstubAllEnvs();
});

/** Starts a gateway on a seed file as written, with AWS credentials and the runtime endpoint in the environment. */
async function startSeed(file: string): Promise<TestGateway> {
  // The mock runtime must exist before the gateway reads AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME.
  const runtime = await startMockUpstream();
  vi.stubEnv('AWS_ACCESS_KEY_ID', MOCK_AWS_KEYS.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', MOCK_AWS_KEYS.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_REGION', '');
  vi.stubEnv('AWS_REGION_NAME', '');
  vi.stubEnv('AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME', runtime.url);
  const yaml = seed(file);
  expect(yaml).not.toContain('api_base');
  const gw = await startTestGateway(yaml);
  const close = gw.close;
  gw.close = async () => {
    await close();
    await runtime.close();
  };
  (gw as { runtime?: typeof runtime }).runtime = runtime;
  return gw;
}

const runtimeOf = (g: TestGateway) =>
  (g as unknown as { runtime: Awaited<ReturnType<typeof startMockUpstream>> }).runtime;

async function spendRow(g: TestGateway, requestId: string): Promise<Record<string, any>> {
  await g.gw.ledger.flush();
  const r = await g.gw.db.query<Record<string, any>>('SELECT * FROM tg_spend_logs WHERE request_id = $1', [
    requestId,
  ]);
  expect(r.rows).toHaveLength(1);
  return r.rows[0];
}

/** duration (ms) × price per second / 1000, exactly: the seed's input_cost_per_second. */
const perSecond = (durationMs: number) => formatMoney((usd('0.000420') * BigInt(durationMs)) / 1000n);

describe('SageMaker seed configs start verbatim and price duration × price', () => {
  for (const file of [
    'seed001-sagemaker-model-info.yaml',
    'seed000-custom-pricing-llm-params-sagemaker.yaml',
  ]) {
    it(`${file}: chat, stream and embeddings`, async () => {
      t = await startSeed(file);
      expect(t.gw.warnings.join('\n')).not.toMatch(/credentials|every call to it will fail/);
      const client = new OpenAI({ apiKey: 'sk-anything', baseURL: `${t.url}/v1`, maxRetries: 0 });

      const { data, response } = await client.chat.completions
        .create({
          model: 'sagemaker-completion-model',
          messages: [{ role: 'user', content: 'What is the capital of France?' }],
        })
        .withResponse();
      // The mock TGI container echoes the prompt it was given: LiteLLM's Llama-2 chat rendering.
      expect(data.choices[0].message.content).toBe(
        'Hello from the mock upstream. You said: <s>[INST] What is the capital of France? [/INST]',
      );
      const row = await spendRow(t, response.headers.get('x-tollgate-request-id')!);
      expect(String(row.spend)).toBe(perSecond(row.duration_ms));
      expect(response.headers.get('x-tollgate-response-cost')).toBe(String(row.spend));
      expect(row.estimated).toBe(true); // the TGI container reports no token usage
      expect(row.cost_breakdown.lines[0]).toMatchObject({
        kind: 'input_seconds',
        note: 'duration = upstream call wall time, request sent to last byte',
      });
      // The Llama-2 chat endpoint got LiteLLM's Llama-2 chat prompt, over a SigV4-signed call in us-west-2.
      const seen = runtimeOf(t).requests.at(-1)!;
      expect(seen.path).toBe('/endpoints/berri-benchmarking-Llama-2-70b-chat-hf-4/invocations');
      expect(seen.body).toEqual({
        inputs: '<s>[INST] What is the capital of France? [/INST]\n',
        parameters: {},
      });
      expect(String(seen.headers.authorization)).toMatch(/\/us-west-2\/sagemaker\/aws4_request/);

      const stream = await client.chat.completions.create({
        model: 'sagemaker-completion-model',
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: 'user', content: 'stream it' }],
      });
      let text = '';
      let usage: any = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toBe('Hello from the mock upstream. You said: <s>[INST] stream it [/INST]');
      expect(usage.estimated).toBe(true);
      const srow = await spendRow(t, usage.request_id);
      expect(srow.stream).toBe(true);
      // Streams are billed until the last byte.
      expect(String(srow.spend)).toBe(perSecond(srow.duration_ms));
      expect(usage.cost).toBe(Number(srow.spend));

      const emb = await client.embeddings
        .create({ model: 'sagemaker-embedding-model', input: ['Paris', 'Rome'] })
        .withResponse();
      expect(emb.data.data).toHaveLength(2);
      const erow = await spendRow(t, emb.response.headers.get('x-tollgate-request-id')!);
      expect(String(erow.spend)).toBe(perSecond(erow.duration_ms));
      expect(runtimeOf(t).requests.at(-1)!.body).toEqual({ inputs: ['Paris', 'Rome'] });
    });
  }

  it("seed002-per-second-sagemaker.yaml: a non-Llama endpoint gets LiteLLM's default prompt", async () => {
    t = await startSeed('seed002-per-second-sagemaker.yaml');
    const client = new OpenAI({ apiKey: 'sk-anything', baseURL: `${t.url}/v1`, maxRetries: 0 });
    const { response } = await client.chat.completions
      .create({
        model: 'sagemaker-model',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
      })
      .withResponse();
    const seen = runtimeOf(t).requests.at(-1)!;
    expect(seen.path).toBe('/endpoints/my-endpoint/invocations');
    expect(seen.body).toEqual({ inputs: 'Be brief. hi', parameters: {} });
    const row = await spendRow(t, response.headers.get('x-tollgate-request-id')!);
    expect(String(row.spend)).toBe(perSecond(row.duration_ms));
  });

  it('without AWS credentials the seed still starts; calls answer 503 naming what to set', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/credentials');
    vi.stubEnv('AWS_CONFIG_FILE', '/nonexistent/config');
    vi.stubEnv('AWS_PROFILE', '');
    t = await startTestGateway(seed('seed002-per-second-sagemaker.yaml'));
    expect(t.gw.warnings.join('\n')).toMatch(
      /sagemaker-model.*no AWS credentials: set aws_access_key_id and aws_secret_access_key/,
    );
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-anything', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sagemaker-model', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(503);
    const body = (await res.json()) as any;
    expect(body.error).toMatchObject({
      type: 'configuration_error',
      tollgate_code: 'TG_ERR_PROVIDER_CONFIG',
    });
    expect(body.error.message).toMatch(/no AWS credentials/);
  });
});
