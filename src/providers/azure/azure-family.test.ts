import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { built, decode, deployment, jsonBody, roundTrip, streamRoundTrip } from '../test-support.js';
import { AZURE_DEFAULT_API_VERSION, azureFamily } from './azure-family.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../openai-compatible/__fixtures__/${name}`, import.meta.url), 'utf8');
const chat = { model: 'azure-gpt', messages: [{ role: 'user', content: 'hi' }] };

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());

describe('azure family', () => {
  it('builds the deployment URL with api-version and the api-key header', async () => {
    const d = deployment('azure/chatgpt-v-2', {
      apiBase: 'https://res.openai.azure.com/',
      apiKey: 'az-key',
      apiVersion: '2023-07-01-preview',
    });
    const req = await built(azureFamily, 'chat', chat, d, true);
    expect(req.url).toBe(
      'https://res.openai.azure.com/openai/deployments/chatgpt-v-2/chat/completions?api-version=2023-07-01-preview',
    );
    expect(req.headers['api-key']).toBe('az-key');
    expect(req.headers.authorization).toBeUndefined();
    const body = jsonBody(req);
    expect(body.model).toBeUndefined();
    expect(body.stream_options).toEqual({ include_usage: true });
    const emb = await built(
      azureFamily,
      'embedding',
      { input: 'x' },
      deployment('azure/emb', { apiBase: 'https://r', apiKey: 'k' }),
    );
    expect(emb.url).toBe(
      `https://r/openai/deployments/emb/embeddings?api-version=${AZURE_DEFAULT_API_VERSION}`,
    );
  });

  it('errors clearly without api_base', async () => {
    const saved = process.env.AZURE_API_BASE;
    delete process.env.AZURE_API_BASE;
    delete process.env.AZURE_OPENAI_ENDPOINT;
    await expect(
      built(azureFamily, 'chat', chat, deployment('azure/x', { apiKey: 'k', modelName: 'az' })),
    ).rejects.toThrow(/Deployment az \(azure\/x, id test-id\) is misconfigured: no api_base.*AZURE_API_BASE/);
    if (saved !== undefined) process.env.AZURE_API_BASE = saved;
  });

  it('reports the generic model Azure returns, not the deployment name', async () => {
    const d = deployment('azure/gpt-4-1106-preview-deploy', { apiBase: mock.url, apiKey: 'k' });
    const r = await roundTrip(azureFamily, 'chat', chat, d);
    expect(r.responseModel).toBe('gpt-4');
    expect(mock.requests.at(-1)!.path).toBe('/openai/deployments/gpt-4-1106-preview-deploy/chat/completions');
    expect(mock.requests.at(-1)!.query['api-version']).toBe(AZURE_DEFAULT_API_VERSION);
    const s = await streamRoundTrip(azureFamily, 'chat', chat, d);
    expect(s.outcome.responseModel).toBe('gpt-4');
    expect(s.outcome.usage!.inputTokens).toBe(r.usage!.inputTokens);
  });

  it('embeddings and images through the mock; 401 in Azure error shape', async () => {
    const e = await roundTrip(
      azureFamily,
      'embedding',
      { input: 'hello' },
      deployment('azure/text-embedding-3', { apiBase: mock.url, apiKey: 'k' }),
    );
    expect(e.responseModel).toBe('text-embedding-ada-002');
    expect(e.usage!.inputTokens).toBe(1);
    const i = await roundTrip(
      azureFamily,
      'image_generation',
      { prompt: 'cat' },
      deployment('azure/dalle3', { apiBase: mock.url, apiKey: 'k' }),
    );
    expect(i.usage!.images?.count).toBe(1);
    const err = await roundTrip(
      azureFamily,
      'chat',
      chat,
      deployment('azure/gpt4', { apiBase: mock.url, apiKey: 'invalid-key' }),
    ).catch((x) => x);
    expect(err.status).toBe(401);
    expect(err.error.message).toMatch(/returned 401: Access denied due to invalid subscription key/);
  });

  it('decodes a recorded Azure stream (prompt_filter_results first chunk, generic model)', () => {
    const { out, outcome } = decode(azureFamily, 'chat', deployment('azure/x'), [
      fixture('azure-chat.chunks.txt'),
    ]);
    expect(out).toContain('prompt_filter_results');
    expect(outcome.responseModel).toBe('gpt-4');
    expect(outcome.text).toBe('Hi from Azure');
    expect(outcome.usage).toMatchObject({ inputTokens: 19, outputTokens: 4 });
  });
});
