import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isAuthFailure, MOCK_AWS_KEYS, verifySigV4 } from '../../mock-upstream/aws-auth.js';
import { type MockUpstream, startMockUpstream } from '../../mock-upstream/server.js';
import { deployment } from '../test-support.js';
import { createCredentialResolver } from './aws-credentials.js';
import { readAwsSettings } from './aws-settings.js';
import { signAwsRequest } from './aws-sign.js';
import { assumeRole, type TemporaryCredentials } from './sts-assume-role.js';

let mock: MockUpstream;
let dir: string;
beforeAll(async () => {
  mock = await startMockUpstream();
});
afterAll(() => mock.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-aws-'));
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  for (const v of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_STS',
  ])
    vi.stubEnv(v, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const KEYS = {
  aws_access_key_id: MOCK_AWS_KEYS.accessKeyId,
  aws_secret_access_key: MOCK_AWS_KEYS.secretAccessKey,
};
const ROLE = 'arn:aws:iam::123456789012:role/tollgate-bedrock';
const d = (opts: Record<string, unknown>) =>
  deployment('bedrock/anthropic.claude-3-haiku-20240307-v1:0', {
    deploymentOptions: { aws_region_name: 'us-east-1', ...opts },
  });

describe('credential resolution', () => {
  it('static keys as they are; a profile loaded from the shared credentials file', async () => {
    const r = createCredentialResolver();
    const dep = d(KEYS);
    expect(await r.get(dep, readAwsSettings(dep, 'bedrock'))).toEqual({
      accessKeyId: KEYS.aws_access_key_id,
      secretAccessKey: KEYS.aws_secret_access_key,
    });
    writeFileSync(
      join(dir, 'credentials'),
      '[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\naws_session_token = prod-token\n',
    );
    const p = d({ aws_profile_name: 'prod' });
    expect(await r.get(p, readAwsSettings(p, 'bedrock'))).toEqual({
      accessKeyId: 'AKIDPROD',
      secretAccessKey: 'prod-secret',
      sessionToken: 'prod-token',
    });
  });

  it('a deployment with problems fails with TG_ERR_PROVIDER_CONFIG naming what to set', async () => {
    const dep = d({});
    const err = await createCredentialResolver()
      .get(dep, readAwsSettings(dep, 'bedrock'))
      .catch((e) => e);
    expect(err).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', status: 503, retryable: false });
    expect(err.message).toMatch(/no AWS credentials: set aws_access_key_id/);
  });

  it('aws_role_name: one STS call for concurrent requests, reused until five minutes before expiry, then refreshed', async () => {
    let now = Date.UTC(2025, 0, 1, 12, 0, 0);
    const calls: string[] = [];
    const assume = async (p: { roleArn: string; sessionName: string }): Promise<TemporaryCredentials> => {
      calls.push(`${p.roleArn}|${p.sessionName}`);
      return {
        accessKeyId: `ASIA${calls.length}`,
        secretAccessKey: 's',
        sessionToken: 't',
        expiration: new Date(now + 3600_000),
      };
    };
    const r = createCredentialResolver({ now: () => now, assume });
    const dep = d({ ...KEYS, aws_role_name: ROLE, aws_session_name: 'tg' });
    const s = readAwsSettings(dep, 'bedrock');
    const [a, b, c] = await Promise.all([r.get(dep, s), r.get(dep, s), r.get(dep, s)]);
    expect(calls).toEqual([`${ROLE}|tg`]);
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId]).toEqual(['ASIA1', 'ASIA1', 'ASIA1']);
    now += 54 * 60_000; // 54 min: still 6 min of validity left
    expect((await r.get(dep, s)).accessKeyId).toBe('ASIA1');
    now += 2 * 60_000; // 56 min: within the refresh margin
    expect((await r.get(dep, s)).accessKeyId).toBe('ASIA2');
    r.invalidate(dep);
    expect((await r.get(dep, s)).accessKeyId).toBe('ASIA3');
    expect(calls).toHaveLength(3);
  });
});

describe('STS AssumeRole against the mock STS', () => {
  it('returns temporary credentials that sign requests the mock accepts', async () => {
    const creds = await assumeRole({
      roleArn: ROLE,
      sessionName: 'test',
      endpoint: mock.url,
      region: 'us-east-1',
      source: { accessKeyId: MOCK_AWS_KEYS.accessKeyId, secretAccessKey: MOCK_AWS_KEYS.secretAccessKey },
    });
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    expect(creds.expiration.getTime()).toBeGreaterThan(Date.now());
    const signed = await signAwsRequest(
      {
        url: `${mock.url}/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"messages":[]}',
      },
      { credentials: creds, region: 'us-east-1', service: 'bedrock' },
    );
    expect(signed.headers['x-amz-security-token']).toBe(creds.sessionToken);
    const verdict = await verifySigV4(
      {
        method: 'POST',
        path: '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse',
        query: {},
        headers: lower(signed.headers, mock.url),
        rawBody: '{"messages":[]}',
      },
      mock.aws,
      'bedrock',
    );
    expect(isAuthFailure(verdict)).toBe(false);
  });

  it('a role STS refuses, or a wrong source secret, is a configuration error', async () => {
    const base = { sessionName: 'x', endpoint: mock.url, region: 'us-east-1' };
    const refused = await assumeRole({
      ...base,
      roleArn: 'not-an-arn',
      source: { accessKeyId: MOCK_AWS_KEYS.accessKeyId, secretAccessKey: MOCK_AWS_KEYS.secretAccessKey },
    }).catch((e) => e);
    expect(refused).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG' });
    expect(refused.message).toMatch(/AccessDenied: User: .* is not authorized to perform: sts:AssumeRole/);
    const badSecret = await assumeRole({
      ...base,
      roleArn: ROLE,
      source: { accessKeyId: MOCK_AWS_KEYS.accessKeyId, secretAccessKey: 'wrong' },
    }).catch((e) => e);
    expect(badSecret).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG' });
    expect(badSecret.message).toMatch(
      /SignatureDoesNotMatch: The request signature we calculated does not match/,
    );
    const down = await assumeRole({
      ...base,
      endpoint: 'http://127.0.0.1:1',
      roleArn: ROLE,
      source: { accessKeyId: 'a', secretAccessKey: 'b' },
    }).catch((e) => e);
    expect(down).toMatchObject({ code: 'TG_ERR_UPSTREAM_UNREACHABLE', retryable: true });
  });
});

describe('SigV4 against the mock verifier', () => {
  const req = (path: string, body: string) => ({
    url: `${mock.url}${path}`,
    method: 'POST' as const,
    headers: { 'content-type': 'application/json' },
    body,
  });

  it('the signature covers the encoded model id, headers and body; a wrong secret or a changed body fails', async () => {
    const path =
      '/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.anthropic.claude-3-haiku-20240307-v1%3A0/converse';
    const keys = { accessKeyId: MOCK_AWS_KEYS.accessKeyId, secretAccessKey: MOCK_AWS_KEYS.secretAccessKey };
    const signed = await signAwsRequest(req(path, '{"a":"é"}'), {
      credentials: keys,
      region: 'us-west-2',
      service: 'bedrock',
    });
    const check = (headers: Record<string, string>, body = '{"a":"é"}') =>
      verifySigV4(
        { method: 'POST', path, query: {}, headers: lower(headers, mock.url), rawBody: body },
        mock.aws,
        'bedrock',
      );
    expect(await check(signed.headers)).toMatchObject({ region: 'us-west-2', service: 'bedrock' });
    expect(await check(signed.headers, '{"a":"e"}')).toMatchObject({
      status: 403,
      type: 'InvalidSignatureException',
    });
    const wrong = await signAwsRequest(req(path, '{}'), {
      credentials: { ...keys, secretAccessKey: 'nope' },
      region: 'us-west-2',
      service: 'bedrock',
    });
    expect(await check(wrong.headers, '{}')).toMatchObject({
      status: 403,
      type: 'InvalidSignatureException',
    });
    const unknown = await signAwsRequest(req(path, '{}'), {
      credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' },
      region: 'us-west-2',
      service: 'bedrock',
    });
    expect(await check(unknown.headers, '{}')).toMatchObject({
      status: 403,
      type: 'UnrecognizedClientException',
    });
    const expired = await signAwsRequest(req(path, '{}'), {
      credentials: { ...keys, sessionToken: 'token-expired-1' },
      region: 'us-west-2',
      service: 'bedrock',
    });
    expect(await check(expired.headers, '{}')).toMatchObject({ status: 403, type: 'ExpiredTokenException' });
    expect(
      await verifySigV4(
        { method: 'POST', path, query: {}, headers: lower(signed.headers, mock.url), rawBody: '{"a":"é"}' },
        mock.aws,
        'sagemaker',
      ),
    ).toMatchObject({
      status: 403,
      message: "Credential should be scoped to correct service: 'sagemaker'.",
    });
  });

  it('returns a new request: the build headers are not mutated', async () => {
    const r = req('/endpoints/x/invocations', '{}');
    const headers = r.headers;
    const signed = await signAwsRequest(r, {
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
      region: 'us-east-1',
      service: 'sagemaker',
    });
    expect(headers).toEqual({ 'content-type': 'application/json' });
    expect(Object.keys(signed.headers).sort()).toEqual([
      'authorization',
      'content-type',
      'host',
      'x-amz-content-sha256',
      'x-amz-date',
    ]);
  });
});

/** Headers as the server would receive them (lower-case names). */
function lower(h: Record<string, string>, url: string): Record<string, string> {
  const out: Record<string, string> = { host: new URL(url).host };
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = v;
  return out;
}
