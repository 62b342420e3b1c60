/**
 * @module providers/aws/aws-settings
 * A deployment's AWS settings, read once: region, where its credentials come from (litellm_params keys,
 * a shared-file profile, the AWS_* environment, an STS role on top of any of them), the runtime and STS
 * endpoint overrides. Precedence follows LiteLLM (which follows boto3): `aws_role_name` assumes a role with
 * the source credentials; else `aws_profile_name`; else `aws_access_key_id`/`aws_secret_access_key`; else
 * AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; else the default profile of the shared credentials file.
 * `awsProblems` lists what would make every call fail, for `checkDeployment` (synchronous).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { profileExists } from './aws-profile.js';

export type AwsService = 'bedrock' | 'sagemaker';

export interface StaticKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Where the (source) credentials come from. */
export type CredentialSource =
  | { kind: 'static'; keys: StaticKeys; origin: 'litellm_params' | 'environment' }
  | { kind: 'profile'; name: string; explicit: boolean }
  | { kind: 'none' };

export interface AwsSettings {
  region: string;
  source: CredentialSource;
  /** STS AssumeRole on top of the source credentials (`aws_role_name`). */
  role?: { arn: string; sessionName: string; externalId?: string; stsEndpoint: string; stsRegion: string };
  /** Runtime endpoint without trailing slash (override or the regional default). */
  endpoint: string;
  /** Problems that make every call fail (empty when none). */
  problems: string[];
}

/** LiteLLM's fallback region when none is configured anywhere. */
export const DEFAULT_AWS_REGION = 'us-west-2';

const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

function env(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function opt(d: DeploymentConfig, key: string): string | undefined {
  const v = d.deploymentOptions?.[key];
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function dnsSuffix(region: string): string {
  return region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
}

/** The default runtime endpoint of a service in a region. */
export function defaultEndpoint(service: AwsService, region: string): string {
  const host = service === 'bedrock' ? `bedrock-runtime.${region}` : `runtime.sagemaker.${region}`;
  return `https://${host}.${dnsSuffix(region)}`;
}

/** Environment variables naming an endpoint override, most specific first (AWS SDK convention). */
const ENDPOINT_ENV: Record<AwsService, readonly string[]> = {
  bedrock: ['AWS_BEDROCK_RUNTIME_ENDPOINT', 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME', 'AWS_ENDPOINT_URL'],
  sagemaker: ['AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME', 'AWS_ENDPOINT_URL'],
};

function firstEnv(names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = env(n);
    if (v !== undefined) return v;
  }
  return undefined;
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The region STS signs for at an endpoint: `sts.<region>.amazonaws.com`, the global endpoint, or ours. */
function stsRegionOf(endpoint: string, fallback: string): string {
  const host = new URL(endpoint).hostname;
  if (host === 'sts.amazonaws.com') return 'us-east-1';
  const m = /^sts(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
  return m ? m[1] : fallback;
}

function sourceCredentials(d: DeploymentConfig, problems: string[]): CredentialSource {
  const profile = opt(d, 'aws_profile_name');
  if (profile !== undefined) return { kind: 'profile', name: profile, explicit: true };
  const id = opt(d, 'aws_access_key_id');
  const secret = opt(d, 'aws_secret_access_key');
  if (id !== undefined || secret !== undefined) {
    if (id === undefined || secret === undefined) {
      problems.push(
        `litellm_params.${id === undefined ? 'aws_access_key_id' : 'aws_secret_access_key'} is missing (both aws_access_key_id and aws_secret_access_key are needed)`,
      );
      return { kind: 'none' };
    }
    const keys: StaticKeys = { accessKeyId: id, secretAccessKey: secret };
    const token = opt(d, 'aws_session_token');
    if (token !== undefined) keys.sessionToken = token;
    return { kind: 'static', keys, origin: 'litellm_params' };
  }
  const envId = env('AWS_ACCESS_KEY_ID');
  const envSecret = env('AWS_SECRET_ACCESS_KEY');
  if (envId !== undefined && envSecret !== undefined) {
    const keys: StaticKeys = { accessKeyId: envId, secretAccessKey: envSecret };
    const token = env('AWS_SESSION_TOKEN');
    if (token !== undefined) keys.sessionToken = token;
    return { kind: 'static', keys, origin: 'environment' };
  }
  const defaultProfile = env('AWS_PROFILE') ?? 'default';
  if (profileExists(defaultProfile)) return { kind: 'profile', name: defaultProfile, explicit: false };
  return { kind: 'none' };
}

/**
 * Reads a deployment's AWS settings. `modelRegion` is a region written in the model name
 * (`bedrock/us-west-2/…`), used when aws_region_name is not set.
 */
export function readAwsSettings(d: DeploymentConfig, service: AwsService, modelRegion?: string): AwsSettings {
  const problems: string[] = [];
  const region =
    opt(d, 'aws_region_name') ??
    opt(d, 'region_name') ??
    modelRegion ??
    env('AWS_REGION_NAME') ??
    env('AWS_REGION') ??
    env('AWS_DEFAULT_REGION') ??
    DEFAULT_AWS_REGION;
  if (!REGION.test(region))
    problems.push(`aws_region_name "${region}" is not an AWS region (e.g. us-east-1)`);

  if (opt(d, 'aws_web_identity_token') !== undefined) {
    problems.push(
      'aws_web_identity_token (web identity federation) is not supported: use aws_role_name with source credentials, or a profile',
    );
  }
  const source = sourceCredentials(d, problems);
  if (source.kind === 'profile' && source.explicit && !profileExists(source.name)) {
    problems.push(
      `aws_profile_name "${source.name}" is not in the shared credentials or config file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials, ~/.aws/config)`,
    );
  }
  if (source.kind === 'none' && problems.length === 0) {
    problems.push(
      'no AWS credentials: set aws_access_key_id and aws_secret_access_key (or aws_profile_name, or aws_role_name with source credentials) in litellm_params, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }

  let endpoint =
    (service === 'bedrock' ? opt(d, 'aws_bedrock_runtime_endpoint') : opt(d, 'sagemaker_base_url')) ??
    d.apiBase ??
    firstEnv(ENDPOINT_ENV[service]) ??
    defaultEndpoint(service, region);
  if (!isHttpUrl(endpoint)) {
    problems.push(`the ${service} runtime endpoint must be an http(s) URL`);
    endpoint = defaultEndpoint(service, REGION.test(region) ? region : DEFAULT_AWS_REGION);
  }

  const settings: AwsSettings = { region, source, endpoint: endpoint.replace(/\/+$/, ''), problems };
  const roleArn = opt(d, 'aws_role_name');
  if (roleArn !== undefined) {
    let stsEndpoint =
      opt(d, 'aws_sts_endpoint') ??
      firstEnv(['AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL']) ??
      `https://sts.${region}.${dnsSuffix(region)}`;
    if (!isHttpUrl(stsEndpoint)) {
      problems.push('aws_sts_endpoint must be an http(s) URL');
      stsEndpoint = `https://sts.${DEFAULT_AWS_REGION}.amazonaws.com`;
    }
    settings.role = {
      arn: roleArn,
      sessionName: opt(d, 'aws_session_name') ?? `tollgate-${d.id}`,
      externalId: opt(d, 'aws_external_id'),
      stsEndpoint,
      stsRegion: stsRegionOf(stsEndpoint, region),
    };
  }
  return settings;
}
