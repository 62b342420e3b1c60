import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deployment } from '../test-support.js';
import { readAwsSettings } from './aws-settings.js';

const KEYS = { aws_access_key_id: 'AKIDEXAMPLE', aws_secret_access_key: 'secret-example' };
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-aws-'));
  // Keep the machine's own files and variables out of these tests.
  vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', join(dir, 'credentials'));
  vi.stubEnv('AWS_CONFIG_FILE', join(dir, 'config'));
  for (const v of [
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_REGION',
    'AWS_REGION_NAME',
    'AWS_DEFAULT_REGION',
    'AWS_PROFILE',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_BEDROCK_RUNTIME',
    'AWS_BEDROCK_RUNTIME_ENDPOINT',
    'AWS_ENDPOINT_URL_STS',
  ])
    vi.stubEnv(v, '');
});
afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const d = (opts: Record<string, unknown>, over = {}) =>
  deployment('bedrock/anthropic.claude-3-haiku-20240307-v1:0', { deploymentOptions: opts, ...over });

describe('readAwsSettings', () => {
  it('litellm_params keys, region and the regional default endpoint', () => {
    const s = readAwsSettings(
      d({ ...KEYS, aws_session_token: 'tok', aws_region_name: 'eu-central-1' }),
      'bedrock',
    );
    expect(s).toMatchObject({
      region: 'eu-central-1',
      source: {
        kind: 'static',
        origin: 'litellm_params',
        keys: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-example', sessionToken: 'tok' },
      },
      endpoint: 'https://bedrock-runtime.eu-central-1.amazonaws.com',
      problems: [],
    });
    expect(readAwsSettings(d({ ...KEYS, aws_region_name: 'cn-north-1' }), 'sagemaker').endpoint).toBe(
      'https://runtime.sagemaker.cn-north-1.amazonaws.com.cn',
    );
  });

  it("falls back to AWS_* variables, then LiteLLM's default region us-west-2", () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'env-secret');
    let s = readAwsSettings(d({}), 'bedrock');
    expect(s.source).toMatchObject({
      kind: 'static',
      origin: 'environment',
      keys: { accessKeyId: 'AKIDENV' },
    });
    expect(s.region).toBe('us-west-2');
    vi.stubEnv('AWS_REGION', 'ap-southeast-2');
    s = readAwsSettings(d({}), 'bedrock');
    expect(s.region).toBe('ap-southeast-2');
    // A region in the model name (bedrock/us-east-1/…) wins over the environment.
    expect(readAwsSettings(d({}), 'bedrock', 'us-east-1').region).toBe('us-east-1');
  });

  it('endpoint overrides: aws_bedrock_runtime_endpoint, api_base, then AWS_ENDPOINT_URL_BEDROCK_RUNTIME', () => {
    vi.stubEnv('AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'http://env-endpoint:1/');
    expect(readAwsSettings(d(KEYS), 'bedrock').endpoint).toBe('http://env-endpoint:1');
    expect(readAwsSettings(d(KEYS, { apiBase: 'http://vpce:2' }), 'bedrock').endpoint).toBe('http://vpce:2');
    expect(
      readAwsSettings(
        d({ ...KEYS, aws_bedrock_runtime_endpoint: 'http://explicit:3' }, { apiBase: 'http://vpce:2' }),
        'bedrock',
      ).endpoint,
    ).toBe('http://explicit:3');
    expect(
      readAwsSettings(d({ ...KEYS, aws_bedrock_runtime_endpoint: 'not a url' }), 'bedrock').problems,
    ).toEqual(['the bedrock runtime endpoint must be an http(s) URL']);
  });

  it('problems: no credentials, half a key pair, a bad region, an unknown profile, web identity', () => {
    expect(readAwsSettings(d({}), 'bedrock').problems[0]).toMatch(
      /^no AWS credentials: set aws_access_key_id and aws_secret_access_key/,
    );
    expect(readAwsSettings(d({ aws_access_key_id: 'AKID' }), 'bedrock').problems).toEqual([
      'litellm_params.aws_secret_access_key is missing (both aws_access_key_id and aws_secret_access_key are needed)',
    ]);
    expect(readAwsSettings(d({ ...KEYS, aws_region_name: 'moon-base-1x' }), 'bedrock').problems).toEqual([
      'aws_region_name "moon-base-1x" is not an AWS region (e.g. us-east-1)',
    ]);
    expect(readAwsSettings(d({ aws_profile_name: 'prod' }), 'bedrock').problems[0]).toMatch(
      /aws_profile_name "prod" is not in the shared credentials/,
    );
    expect(readAwsSettings(d({ ...KEYS, aws_web_identity_token: 'x' }), 'bedrock').problems[0]).toMatch(
      /not supported/,
    );
  });

  it('profiles: named, AWS_PROFILE, or the default profile of the shared credentials file', () => {
    writeFileSync(
      join(dir, 'credentials'),
      '[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = s2\n',
    );
    writeFileSync(join(dir, 'config'), '[profile staging]\nregion = eu-west-1\n');
    expect(readAwsSettings(d({ aws_profile_name: 'prod' }), 'bedrock').source).toEqual({
      kind: 'profile',
      name: 'prod',
      explicit: true,
    });
    expect(readAwsSettings(d({ aws_profile_name: 'staging' }), 'bedrock').problems).toEqual([]);
    expect(readAwsSettings(d({}), 'bedrock').source).toEqual({
      kind: 'profile',
      name: 'default',
      explicit: false,
    });
    vi.stubEnv('AWS_PROFILE', 'prod');
    expect(readAwsSettings(d({}), 'bedrock').source).toEqual({
      kind: 'profile',
      name: 'prod',
      explicit: false,
    });
  });

  it('aws_role_name: STS regional endpoint by default, aws_sts_endpoint overrides, session name defaults to the deployment', () => {
    const s = readAwsSettings(
      d({ ...KEYS, aws_role_name: 'arn:aws:iam::123456789012:role/tg', aws_region_name: 'us-east-2' }),
      'bedrock',
    );
    expect(s.role).toEqual({
      arn: 'arn:aws:iam::123456789012:role/tg',
      sessionName: 'tollgate-test-id',
      externalId: undefined,
      stsEndpoint: 'https://sts.us-east-2.amazonaws.com',
      stsRegion: 'us-east-2',
    });
    const o = readAwsSettings(
      d({
        ...KEYS,
        aws_role_name: 'arn:aws:iam::1:role/x',
        aws_session_name: 'me',
        aws_sts_endpoint: 'https://sts.amazonaws.com',
      }),
      'bedrock',
    );
    expect(o.role).toMatchObject({
      sessionName: 'me',
      stsEndpoint: 'https://sts.amazonaws.com',
      stsRegion: 'us-east-1',
    });
  });
});
