import { createSign } from 'node:crypto';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testKeyPair } from '../providers/vertex/test-support.js';
import { GOOGLE_TOKEN_AUDIENCE } from './google-oauth.js';
import { type MockUpstream, startMockUpstream } from './server.js';

let mock: MockUpstream;
beforeAll(async () => {
  mock = await startMockUpstream();
  mock.google.addServiceAccount('sa@p.iam.gserviceaccount.com', testKeyPair().publicKey);
});
afterAll(() => mock.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.body.text();
  // biome-ignore lint/suspicious/noExplicitAny: free-form JSON access in assertions
  return { status: res.statusCode, text, json: JSON.parse(text) as Record<string, any> };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
/** A signed assertion like google-auth-library's, with claims overridable. */
function assertion(claims: Record<string, unknown> = {}, key = testKeyPair().privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({
    iss: 'sa@p.iam.gserviceaccount.com',
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    aud: GOOGLE_TOKEN_AUDIENCE,
    iat: now,
    exp: now + 3600,
    ...claims,
  })}`;
  const sig = createSign('RSA-SHA256').update(head).sign(key).toString('base64url');
  return `${head}.${sig}`;
}
const token = (a: string) =>
  post(
    '/token',
    `grant_type=${encodeURIComponent('urn:ietf:params:oauth:grant-type:jwt-bearer')}&assertion=${a}`,
    {
      'content-type': 'application/x-www-form-urlencoded',
    },
  );

const VERTEX = '/v1/projects/p/locations/us-central1/publishers';
const contents = { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] };

describe('Google OAuth token endpoint', () => {
  it('issues an expiring bearer token for a correctly signed assertion', async () => {
    const r = await token(assertion());
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      access_token: expect.stringMatching(/^ya29\.mock-/),
      expires_in: 3599,
      token_type: 'Bearer',
    });
  });

  it('refuses a bad signature, an unknown account, a wrong audience, an old token, a missing scope', async () => {
    const other = (await import('node:crypto')).generateKeyPairSync('rsa', {
      modulusLength: 2048,
    }).privateKey;
    const cases = [
      [assertion({}, other.export({ type: 'pkcs8', format: 'pem' }) as string), 'Invalid JWT Signature.'],
      [assertion({ iss: 'who@p.iam.gserviceaccount.com' }), 'Invalid grant: account not found'],
      [assertion({ aud: 'https://evil.example/token' }), 'audience'],
      [assertion({ iat: 1_000_000, exp: 1_003_600 }), 'short-lived'],
      [assertion({ scope: 'openid' }), 'scope'],
      ['not.a.jwt', 'Invalid JWT'],
    ] as const;
    for (const [a, why] of cases) {
      const r = await token(a);
      expect(r.status, why).toBe(400);
      expect(r.json.error).toBe('invalid_grant');
      expect(r.json.error_description).toContain(why);
    }
  });
});

describe('Vertex routes', () => {
  it('need a live bearer token from the token endpoint', async () => {
    expect(
      (await post(`${VERTEX}/google/models/gemini-2.5-flash:generateContent`, contents)).json.error,
    ).toMatchObject({
      code: 401,
      status: 'UNAUTHENTICATED',
    });
    const t = (await token(assertion())).json.access_token as string;
    const ok = await post(`${VERTEX}/google/models/gemini-2.5-flash:generateContent`, contents, {
      authorization: `Bearer ${t}`,
    });
    expect(ok.status).toBe(200);
    expect(ok.json.candidates[0].content.parts[0].text).toContain('You said: hi');
    mock.google.expireTokens();
    const expired = await post(`${VERTEX}/google/models/gemini-2.5-flash:generateContent`, contents, {
      authorization: `Bearer ${t}`,
    });
    expect(expired.status).toBe(401);
  });

  it('rawPredict wants anthropic_version vertex-2023-10-16 and no model', async () => {
    const auth = { authorization: `Bearer ${(await token(assertion())).json.access_token}` };
    const url = `${VERTEX}/anthropic/models/claude-sonnet-4@20250514:rawPredict`;
    const msg = { max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] };
    expect((await post(url, msg, auth)).json.error.message).toContain('anthropic_version');
    expect(
      (await post(url, { ...msg, anthropic_version: 'vertex-2023-10-16', model: 'x' }, auth)).status,
    ).toBe(400);
    const ok = await post(url, { ...msg, anthropic_version: 'vertex-2023-10-16' }, auth);
    expect(ok.json).toMatchObject({ type: 'message', model: 'claude-sonnet-4@20250514' });
  });
});

describe('Gemini API routes', () => {
  it('key in x-goog-api-key or key=; missing → 403, invalid → 400 API_KEY-style message', async () => {
    const path = '/v1beta/models/gemini-2.5-flash:generateContent';
    expect((await post(path, contents)).status).toBe(403);
    expect((await post(path, contents, { 'x-goog-api-key': 'AIza-invalid' })).json.error.message).toBe(
      'API key not valid. Please pass a valid API key.',
    );
    expect((await post(`${path}?key=AIza-ok`, contents)).status).toBe(200);
    const unknown = await post(path, { ...contents, model: 'x' }, { 'x-goog-api-key': 'k' });
    expect(unknown.json.error.message).toContain('Unknown name "model"');
  });

  it('fail-429 carries RetryInfo and no retry-after header; blocked and no-usage switches', async () => {
    const h = { 'x-goog-api-key': 'k' };
    const res = await request(`${mock.url}/v1beta/models/m-fail-429-retry-delay-3.5:generateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h },
      body: JSON.stringify(contents),
    });
    const body = (await res.body.json()) as {
      error: { status: string; details: Array<Record<string, unknown>> };
    };
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBeUndefined();
    expect(body.error.details.at(-1)).toEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '3.5s',
    });
    const blocked = await post('/v1beta/models/m-blocked:generateContent', contents, h);
    expect(blocked.json.promptFeedback.blockReason).toBe('SAFETY');
    expect(blocked.json.candidates).toBeUndefined();
    expect(
      (await post('/v1beta/models/m-no-usage:generateContent', contents, h)).json.usageMetadata,
    ).toBeUndefined();
  });

  it('streams SSE events with CRLF framing, usage on each and final counts on the last', async () => {
    const res = await request(
      `${mock.url}/v1beta/models/m-reasoning-4-cache-2:streamGenerateContent?alt=sse`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-goog-api-key': 'k' },
        body: JSON.stringify(contents),
      },
    );
    const text = await res.body.text();
    const events = text
      .split('\r\n\r\n')
      .filter((e) => e !== '')
      .map((e) => JSON.parse(e.slice(6)));
    expect(events[0].candidates[0].content.parts[0]).toEqual({
      text: 'Let me think about this.',
      thought: true,
    });
    const last = events.at(-1);
    expect(last.candidates[0].finishReason).toBe('STOP');
    expect(last.usageMetadata).toMatchObject({ cachedContentTokenCount: 2, thoughtsTokenCount: 4 });
    expect(last.usageMetadata.totalTokenCount).toBe(
      last.usageMetadata.promptTokenCount + last.usageMetadata.candidatesTokenCount + 4,
    );
  });
});
