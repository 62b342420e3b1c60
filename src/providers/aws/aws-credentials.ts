/**
 * @module providers/aws/aws-credentials
 * The credentials that sign a deployment's calls, resolved from its AwsSettings and cached per deployment:
 * static keys as they are; a shared-file profile loaded once (a profile with role_arn + source_profile
 * assumes that role); an `aws_role_name` assumed through STS and reused until five minutes before it
 * expires, one STS call at a time however many requests arrive together. `invalidate` drops a
 * deployment's cached credentials (e.g. after AWS answered ExpiredTokenException).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { isGatewayError } from '../../errors.js';
import { providerConfigError } from '../shared/upstream-error.js';
import { loadProfile } from './aws-profile.js';
import type { AwsSettings, StaticKeys } from './aws-settings.js';
import type { AwsCredentials } from './aws-sign.js';
import { type AssumeRoleParams, assumeRole, type TemporaryCredentials } from './sts-assume-role.js';

export interface CredentialResolver {
  get(d: DeploymentConfig, settings: AwsSettings): Promise<AwsCredentials>;
  invalidate(d: DeploymentConfig): void;
}

export interface CredentialResolverOptions {
  now?: () => number;
  assume?: (p: AssumeRoleParams) => Promise<TemporaryCredentials>;
  /** Refresh assumed credentials this long before they expire (default five minutes). */
  refreshMarginMs?: number;
}

interface Entry {
  value?: AwsCredentials;
  /** Epoch ms after which `value` must be refreshed (assumed credentials only). */
  refreshAt?: number;
  inflight?: Promise<AwsCredentials>;
}

function keysOf(p: {
  aws_access_key_id?: string;
  aws_secret_access_key?: string;
  aws_session_token?: string;
}): StaticKeys | undefined {
  if (!p.aws_access_key_id || !p.aws_secret_access_key) return undefined;
  const keys: StaticKeys = { accessKeyId: p.aws_access_key_id, secretAccessKey: p.aws_secret_access_key };
  if (p.aws_session_token) keys.sessionToken = p.aws_session_token;
  return keys;
}

export function createCredentialResolver(opts: CredentialResolverOptions = {}): CredentialResolver {
  const now = opts.now ?? Date.now;
  const assume = opts.assume ?? assumeRole;
  const margin = opts.refreshMarginMs ?? 5 * 60_000;
  const cache = new WeakMap<DeploymentConfig, Entry>();

  /** Source credentials of a profile; a profile that itself assumes a role is resolved through STS. */
  async function fromProfile(d: DeploymentConfig, s: AwsSettings, name: string): Promise<AwsCredentials> {
    const profile = await loadProfile(name);
    if (!profile) throw providerConfigError(d, `AWS profile "${name}" is not in the shared credentials file`);
    const keys = keysOf(profile);
    if (keys) return keys;
    if (profile.role_arn && profile.source_profile) {
      const source = await loadProfile(profile.source_profile);
      const sourceKeys = source ? keysOf(source) : undefined;
      if (!sourceKeys) {
        throw providerConfigError(
          d,
          `AWS profile "${name}" names source_profile "${profile.source_profile}", which has no aws_access_key_id/aws_secret_access_key`,
        );
      }
      return assume({
        roleArn: profile.role_arn,
        sessionName: profile.role_session_name ?? s.role?.sessionName ?? `tollgate-${d.id}`,
        externalId: profile.external_id,
        endpoint: s.role?.stsEndpoint ?? `https://sts.${s.region}.amazonaws.com`,
        region: s.role?.stsRegion ?? s.region,
        source: sourceKeys,
      });
    }
    throw providerConfigError(d, `AWS profile "${name}" has no aws_access_key_id/aws_secret_access_key`);
  }

  async function source(d: DeploymentConfig, s: AwsSettings): Promise<AwsCredentials> {
    switch (s.source.kind) {
      case 'static':
        return s.source.keys;
      case 'profile':
        return fromProfile(d, s, s.source.name);
      case 'none':
        throw providerConfigError(d, s.problems.join('; ') || 'no AWS credentials');
    }
  }

  async function resolve(
    d: DeploymentConfig,
    s: AwsSettings,
  ): Promise<{ creds: AwsCredentials; refreshAt?: number }> {
    const base = await source(d, s);
    if (!s.role) {
      const exp = base.expiration?.getTime();
      return { creds: base, refreshAt: exp === undefined ? undefined : exp - margin };
    }
    const assumed = await assume({
      roleArn: s.role.arn,
      sessionName: s.role.sessionName,
      externalId: s.role.externalId,
      endpoint: s.role.stsEndpoint,
      region: s.role.stsRegion,
      source: {
        accessKeyId: base.accessKeyId,
        secretAccessKey: base.secretAccessKey,
        sessionToken: base.sessionToken,
      },
    });
    return { creds: assumed, refreshAt: assumed.expiration.getTime() - margin };
  }

  return {
    get(d, s) {
      if (s.problems.length > 0) return Promise.reject(providerConfigError(d, s.problems.join('; ')));
      if (s.source.kind === 'static' && !s.role) return Promise.resolve(s.source.keys);
      let e = cache.get(d);
      if (!e) {
        e = {};
        cache.set(d, e);
      }
      const entry = e;
      if (entry.value && (entry.refreshAt === undefined || now() < entry.refreshAt))
        return Promise.resolve(entry.value);
      if (entry.inflight) return entry.inflight;
      const p = resolve(d, s)
        .then(({ creds, refreshAt }) => {
          entry.value = creds;
          entry.refreshAt = refreshAt;
          return creds;
        })
        .catch((err: unknown) => {
          throw isGatewayError(err)
            ? err
            : providerConfigError(d, `AWS credentials could not be loaded (${String(err)})`);
        })
        .finally(() => {
          entry.inflight = undefined;
        });
      entry.inflight = p;
      return p;
    },
    invalidate(d) {
      cache.delete(d);
    },
  };
}

/** The process-wide resolver used by the AWS families. */
export const awsCredentials: CredentialResolver = createCredentialResolver();
