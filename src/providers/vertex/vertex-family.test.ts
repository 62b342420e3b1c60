import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentConfig } from '../../config/types.js';
import { isGatewayError } from '../../errors.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import {
  built,
  deployment,
  input,
  jsonBody,
  roundTrip,
  sseDataPayloads,
  streamRoundTrip,
  UpstreamHttpError,
} from '../test-support.js';
import { testKeyPair, testServiceAccount } from './test-support.js';
import { createTokenSource } from './vertex-auth.js';
import { vertexFamily } from './vertex-family.js';
import { vertexBase, vertexProblems, vertexSettings } from './vertex-settings.js';

let mock: MockUpstream;
let dir: string;
beforeAll(async () => {
  mock = await startMockUpstream();
  dir = mkdtempSync(join(tmpdir(), 'tollgate-vertex-'));
});
afterAll(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A deployment against the mock, with its own service account (own token source) unless `email` is shared. */
function vd(model: string, email: string, options: Record<string, unknown> = {}): DeploymentConfig {
  const key = testServiceAccount(mock, { email: `${email}@p.iam.gserviceaccount.com` });
  return deployment(`vertex_ai/${model}`, {
    apiBase: mock.url,
    deploymentOptions: {
      vertex_credentials: JSON.stringify(key),
      vertex_location: 'us-central1',
      ...options,
    },
  });
}
const chat = { messages: [{ role: 'user', content: 'hello vertex' }] };

describe('settings', () => {
  it('regional and global hosts, api_base, the vertex_ai_location alias, project from the key', () => {
    expect(vertexBase('us-central1', undefined)).toBe('https://us-central1-aiplatform.googleapis.com/v1');
    expect(vertexBase('global', undefined)).toBe('https://aiplatform.googleapis.com/v1');
    expect(vertexBase('x', 'http://h:1/')).toBe('http://h:1/v1');
    expect(vertexBase('x', 'http://h:1/v1beta1')).toBe('http://h:1/v1beta1');
    const key = testServiceAccount(mock, { register: false });
    const d = deployment('vertex_ai/gemini-2.5-flash', {
      deploymentOptions: { vertex_credentials: key, vertex_ai_location: 'europe-west4' },
    });
    expect(vertexSettings(d)).toMatchObject({
      project: 'tollgate-test-project',
      location: 'europe-west4',
      base: 'https://europe-west4-aiplatform.googleapis.com/v1',
    });
  });

  it('reads a key file path and GOOGLE_APPLICATION_CREDENTIALS', () => {
    const file = join(dir, 'key.json');
    writeFileSync(file, JSON.stringify(testServiceAccount(mock, { register: false })));
    const d = deployment('vertex_ai/m', {
      deploymentOptions: { vertex_credentials: file, vertex_project: 'other-proj' },
    });
    expect(vertexSettings(d)).toMatchObject({ project: 'other-proj', location: 'us-central1' });
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = file;
    try {
      expect(vertexProblems(deployment('vertex_ai/m'))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });

  it('missing or malformed credentials are problems at load and TG_ERR_PROVIDER_CONFIG at request time', () => {
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
    try {
      const none = deployment('vertex_ai/m', { deploymentOptions: { vertex_project: 'p-123' } });
      expect(vertexProblems(none)).toEqual([
        'no credentials: set litellm_params.vertex_credentials (a service-account JSON key or its path) or GOOGLE_APPLICATION_CREDENTIALS',
      ]);
      try {
        vertexFamily.endpoints.chat!.build(input('chat', chat, none));
        expect.unreachable();
      } catch (err) {
        expect(isGatewayError(err) && [err.code, err.status, err.retryable]).toEqual([
          'TG_ERR_PROVIDER_CONFIG',
          503,
          false,
        ]);
      }
    } finally {
      if (saved !== undefined) process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
    const problems = (v: unknown, more: Record<string, unknown> = {}) =>
      vertexProblems(
        deployment('vertex_ai/m', {
          deploymentOptions: { vertex_credentials: v, vertex_project: 'p-123', ...more },
        }),
      );
    expect(problems('{"type": "service_account", ')).toEqual([
      'vertex_credentials is not valid JSON (expected a service-account key)',
    ]);
    expect(problems(join(dir, 'nope.json'))).toEqual([
      'vertex_credentials is neither a JSON key nor a readable key file (ENOENT)',
    ]);
    expect(problems({ type: 'authorized_user', client_id: 'x' })).toEqual([
      'vertex_credentials holds credentials of type "authorized_user"; only service-account keys are supported',
    ]);
    const key = testServiceAccount(mock, { register: false });
    expect(
      problems({
        ...key,
        private_key: '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n',
      }),
    ).toEqual(['vertex_credentials: private_key is not a valid PEM private key']);
    // Location and project become part of the URL: anything else is refused.
    expect(problems(key, { vertex_location: 'evil.example.com/x?' })).toEqual([
      'vertex_location is not a valid location (e.g. us-central1, global)',
    ]);
    expect(problems(key, { vertex_project: '../../x' })).toEqual([
      'vertex_project is not a valid Google Cloud project id',
    ]);
  });
});

describe('requests', () => {
  it('Gemini on Vertex: the publishers/google URL, a bearer token from the token endpoint', async () => {
    const d = vd('gemini-2.5-flash', 'urls');
    const req = await built(vertexFamily, 'chat', chat, d, true);
    expect(req.url).toBe(
      `${mock.url}/v1/projects/tollgate-test-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
    );
    expect(req.headers.authorization).toMatch(/^Bearer ya29\.mock-[0-9a-f]{32}$/);
    expect(jsonBody(req)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'hello vertex' }] }] });
  });

  it('Claude on Vertex: rawPredict body with anthropic_version and no model', async () => {
    const d = vd('claude-sonnet-4@20250514', 'claude-urls');
    const req = await built(vertexFamily, 'chat', { ...chat, max_tokens: 50 }, d);
    expect(req.url).toMatch(/\/publishers\/anthropic\/models\/claude-sonnet-4@20250514:rawPredict$/);
    expect(jsonBody(req)).toEqual({
      anthropic_version: 'vertex-2023-10-16',
      messages: [{ role: 'user', content: 'hello vertex' }],
      max_tokens: 50,
    });
    const stream = await built(vertexFamily, 'chat', chat, d, true);
    expect(stream.url).toMatch(/:streamRawPredict$/);
    expect(jsonBody(stream)).toMatchObject({ stream: true });
  });
});

describe('against the mock upstream', () => {
  it('Gemini chat, stream and embeddings; one token serves them all', async () => {
    const email = 'roundtrip';
    const before = mock.google.tokensIssued;
    const r = await roundTrip(vertexFamily, 'chat', chat, vd('gemini-2.5-flash-reasoning-3', email));
    expect((r.body.choices as Array<{ message: { content: string } }>)[0].message.content).toContain(
      'hello vertex',
    );
    expect(r.usage).toMatchObject({ reasoningTokens: 3 });
    const s = await streamRoundTrip(vertexFamily, 'chat', chat, vd('gemini-2.5-flash', email));
    expect(s.outcome.error).toBeNull();
    expect(s.outcome.usage?.inputTokens).toBeGreaterThan(0);
    const e = await roundTrip(
      vertexFamily,
      'embedding',
      { input: ['a b c', 'd'], dimensions: 3 },
      vd('text-embedding-005', email),
    );
    expect(mock.requests.at(-1)!.path).toMatch(/text-embedding-005:predict$/);
    expect(mock.requests.at(-1)!.body).toEqual({
      instances: [{ content: 'a b c' }, { content: 'd' }],
      parameters: { outputDimensionality: 3 },
    });
    expect((e.body.data as unknown[]).length).toBe(2);
    // Reported by Vertex (statistics.token_count), not estimated.
    expect(e.usage).toMatchObject({ inputTokens: 4, estimated: false });
    expect(mock.google.tokensIssued - before).toBe(1);
  });

  it('Claude chat and stream through rawPredict / streamRawPredict', async () => {
    const d = vd('claude-sonnet-4@20250514-cache-7', 'claude');
    const r = await roundTrip(vertexFamily, 'chat', chat, d);
    expect(r.body.object).toBe('chat.completion');
    expect(r.usage).toMatchObject({ cacheReadTokens: 7 });
    expect(r.responseModel).toBe('claude-sonnet-4@20250514-cache-7');
    const s = await streamRoundTrip(vertexFamily, 'chat', chat, d);
    const text = sseDataPayloads(s.out)
      .map((c) => (c as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '')
      .join('');
    expect(text).toContain('hello vertex');
    expect(s.outcome.usage).toMatchObject({ cacheReadTokens: 7, estimated: false });
  });

  it('an expired token: Vertex answers 401, the token is dropped and the retry gets a new one', async () => {
    const d = vd('gemini-2.5-flash', 'expiry');
    await roundTrip(vertexFamily, 'chat', chat, d);
    const issued = mock.google.tokensIssued;
    mock.google.expireTokens();
    const err = await roundTrip(vertexFamily, 'chat', chat, d).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UpstreamHttpError);
    expect((err as UpstreamHttpError).error).toMatchObject({
      code: 'TG_ERR_UPSTREAM',
      status: 401,
      retryable: true,
    });
    const again = await roundTrip(vertexFamily, 'chat', chat, d);
    expect(again.usage?.inputTokens).toBeGreaterThan(0);
    expect(mock.google.tokensIssued).toBe(issued + 1);
  });

  it('a token endpoint that refuses the key → TG_ERR_PROVIDER_CONFIG, not retried', async () => {
    const unknown = deployment('vertex_ai/gemini-2.5-flash', {
      apiBase: mock.url,
      deploymentOptions: {
        vertex_credentials: testServiceAccount(mock, {
          email: 'stranger@p.iam.gserviceaccount.com',
          register: false,
        }),
      },
    });
    const err = await built(vertexFamily, 'chat', chat, unknown).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', retryable: false });
    expect((err as Error).message).toMatch(
      /token endpoint refused the service-account key \(HTTP 400, invalid_grant: Invalid grant: account not found\)/,
    );
    expect((err as Error).message).not.toContain('BEGIN PRIVATE KEY');
  });

  it('a token endpoint that cannot be reached → retryable TG_ERR_UPSTREAM_UNREACHABLE', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const key = testServiceAccount(mock, {
      email: 'dead@p.iam.gserviceaccount.com',
      tokenUri: `http://127.0.0.1:${port}/token`,
    });
    const d = deployment('vertex_ai/gemini-2.5-flash', {
      apiBase: mock.url,
      deploymentOptions: { vertex_credentials: key },
    });
    const err = await built(vertexFamily, 'chat', chat, d).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_UPSTREAM_UNREACHABLE', retryable: true });
  });
});

describe('token cache', () => {
  it('caches the token until shortly before the announced expiry, then refreshes (one fetch at a time)', async () => {
    const key = testServiceAccount(mock, { email: 'clock@p.iam.gserviceaccount.com' });
    let offsetMs = 0;
    const source = createTokenSource(
      {
        clientEmail: key.client_email,
        privateKey: testKeyPair().privateKey,
        tokenUri: key.token_uri,
      },
      () => Date.now() + offsetMs,
    );
    const d = deployment('vertex_ai/m');
    const [a, b] = await Promise.all([source.token(d), source.token(d)]);
    expect(a).toBe(b);
    expect(source.fetches).toBe(1);
    // The mock issues 3599 s tokens: refresh happens min(5 min, 10%) = 300 s before expiry.
    offsetMs = (3599 - 301) * 1000;
    expect(await source.token(d)).toBe(a);
    expect(source.fetches).toBe(1);
    offsetMs = (3599 - 299) * 1000;
    const c = await source.token(d);
    expect(c).not.toBe(a);
    expect(source.fetches).toBe(2);
    source.invalidate(c);
    offsetMs = 0;
    expect(await source.token(d)).not.toBe(c);
    expect(source.fetches).toBe(3);
  });
});
