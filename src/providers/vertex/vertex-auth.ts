/**
 * @module providers/vertex/vertex-auth
 * OAuth access tokens for a service-account key, through google-auth-library's JWT client (it signs the
 * RS256 assertion and exchanges it; nothing is signed by hand here). One token source per key (deployments
 * sharing a key share its token), cached until shortly before the expiry the token endpoint announced,
 * one refresh in flight at a time. The key's `token_uri` is honoured: google-auth-library always posts to
 * Google's endpoint, so its transport is pointed at `token_uri` when the key names another one (tests use
 * the project's mock). A rejected token (401 from Vertex) is dropped with `invalidate`, so the retry gets a
 * fresh one.
 *
 * Failures: the token endpoint refusing the key (4xx: invalid_grant, unknown account, bad signature) is a
 * configuration error (TG_ERR_PROVIDER_CONFIG, never retried); the endpoint unreachable or failing (5xx)
 * is TG_ERR_UPSTREAM_UNREACHABLE (retryable).
 */
import { createHash } from 'node:crypto';
import type { gaxios } from 'google-auth-library';
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';
import { redactSecrets } from '../shared/redact.js';
import { deploymentLabel, providerConfigError } from '../shared/upstream-error.js';
import { GOOGLE_TOKEN_URI, type ServiceAccountKey } from './vertex-settings.js';

export const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
/** Refresh this long before expiry at most (google-auth-library's own default is 5 minutes)… */
const MAX_MARGIN_MS = 5 * 60_000;
/** …and never later than this share of the token's lifetime before it ends. */
const MARGIN_SHARE = 0.1;
const TOKEN_TIMEOUT_MS = 10_000;

export interface TokenSource {
  /** A valid access token (cached, or fetched now). */
  token(d: DeploymentConfig): Promise<string>;
  /** Forget `token` (Vertex rejected it) so the next call fetches a new one. */
  invalidate(token: string): void;
  /** Tokens fetched so far (for tests and metrics). */
  readonly fetches: number;
}

interface Cached {
  token: string;
  /** Refresh from this time on (epoch ms). */
  refreshAt: number;
}

/** A gaxios transport that sends what google-auth-library addresses to Google's token endpoint to `uri`. */
function transportTo(lib: typeof gaxios, uri: string): gaxios.Gaxios {
  const g = new lib.Gaxios({ timeout: TOKEN_TIMEOUT_MS });
  if (uri !== GOOGLE_TOKEN_URI) {
    g.interceptors.request.add({
      resolved: async (config) => {
        if (String(config.url) === GOOGLE_TOKEN_URI) config.url = new URL(uri);
        return config;
      },
    });
  }
  return g;
}

function classifyTokenFailure(err: unknown, d: DeploymentConfig): GatewayError {
  const e = err as { response?: { status?: number; data?: unknown }; code?: string; message?: string };
  const status = e.response?.status;
  const data = e.response?.data as { error?: unknown; error_description?: unknown } | undefined;
  const detail = redactSecrets(
    typeof data?.error === 'string'
      ? `${data.error}${typeof data.error_description === 'string' ? `: ${data.error_description}` : ''}`
      : (e.message ?? 'unknown error'),
  );
  if (status !== undefined && status >= 400 && status < 500) {
    return providerConfigError(
      d,
      `the token endpoint refused the service-account key (HTTP ${status}, ${detail})`,
    );
  }
  if (status === undefined && /PEM|key|DECODER|asn1/i.test(e.message ?? '') && e.code === undefined) {
    return providerConfigError(d, 'the service-account private_key could not sign the token request');
  }
  return new GatewayError(
    'TG_ERR_UPSTREAM_UNREACHABLE',
    `Deployment ${deploymentLabel(d)} could not get an access token from the token endpoint (${status ? `HTTP ${status}` : (e.code ?? 'connection error')}).`,
    { cause: err },
  );
}

export function createTokenSource(key: ServiceAccountKey, now: () => number = Date.now): TokenSource {
  let cached: Cached | null = null;
  let inflight: Promise<string> | null = null;
  let fetches = 0;

  async function fetchToken(d: DeploymentConfig): Promise<string> {
    // Loaded with the first token: google-auth-library (and gaxios) stay out of a gateway without
    // Vertex service-account deployments. Cached by the module loader after the first time.
    const { gaxios, JWT } = await import('google-auth-library');
    const client = new JWT({
      email: key.clientEmail,
      key: key.privateKey,
      keyId: key.privateKeyId,
      scopes: [CLOUD_PLATFORM_SCOPE],
      transporter: transportTo(gaxios, key.tokenUri),
    });
    const start = now();
    let creds: { access_token?: string | null; expiry_date?: number | null };
    try {
      creds = await client.authorize();
    } catch (err) {
      throw classifyTokenFailure(err, d);
    }
    fetches++;
    if (!creds.access_token)
      throw providerConfigError(d, 'the token endpoint answered without an access_token');
    const expiry = creds.expiry_date ?? start + 3_600_000;
    const lifetime = Math.max(0, expiry - start);
    cached = {
      token: creds.access_token,
      refreshAt: expiry - Math.min(MAX_MARGIN_MS, lifetime * MARGIN_SHARE),
    };
    return creds.access_token;
  }

  return {
    get fetches() {
      return fetches;
    },
    token(d) {
      if (cached && now() < cached.refreshAt) return Promise.resolve(cached.token);
      inflight ??= fetchToken(d).finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate(token) {
      if (cached?.token === token) cached = null;
    },
  };
}

const sources = new Map<string, TokenSource>();

/** The shared token source of a key (same account, key and token endpoint → same source). */
export function tokenSourceFor(key: ServiceAccountKey): TokenSource {
  const id = `${key.clientEmail}\0${key.tokenUri}\0${createHash('sha256').update(key.privateKey).digest('hex')}`;
  let s = sources.get(id);
  if (!s) {
    s = createTokenSource(key);
    sources.set(id, s);
  }
  return s;
}
