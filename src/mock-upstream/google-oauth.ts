/**
 * @module mock-upstream/google-oauth
 * A mock of Google's OAuth 2.0 token endpoint for service accounts (`POST /token`, form-encoded
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>`), and the bearer check the
 * mock's Vertex routes apply. The assertion is verified like Google does: RS256 signature with the
 * registered service account's public key, `iss` known, `aud` the token endpoint, `iat`/`exp` current and
 * at most an hour apart, the cloud-platform scope asked for. Tokens (`ya29.mock-…`) expire after
 * `tokenLifetimeSeconds`; tests can expire every issued token at once or make the endpoint refuse.
 */
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { isRecord, type Json, tryParse } from '../providers/shared/json.js';
import { sendJson } from './http-util.js';

export const GOOGLE_TOKEN_AUDIENCE = 'https://oauth2.googleapis.com/token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';

/** What a test can do with the mock's Google side. */
export interface GoogleMockControl {
  /** Accept assertions signed by this service account (`client_email`) with this public key (PEM). */
  addServiceAccount(email: string, publicKeyPem: string): void;
  /** Every token issued so far is now expired (as after its lifetime, or a revocation). */
  expireTokens(): void;
  /** While true, the token endpoint answers 400 invalid_grant to every request. */
  refuse: boolean;
  /** Lifetime of new tokens, seconds (Google: 3599). */
  tokenLifetimeSeconds: number;
  /** Tokens issued so far. */
  readonly tokensIssued: number;
}

export interface GoogleMock extends GoogleMockControl {
  handleToken(res: ServerResponse, rawBody: string, ownTokenUrl: string): void;
  /** Whether the Authorization header holds a live token. */
  bearerValid(headers: IncomingHttpHeaders): boolean;
}

function b64urlJson(part: string): Json | undefined {
  const v = tryParse(Buffer.from(part, 'base64url').toString('utf8'));
  return isRecord(v) ? v : undefined;
}

function grantError(res: ServerResponse, description: string): void {
  sendJson(res, 400, { error: 'invalid_grant', error_description: description });
}

export function createGoogleMock(now: () => number = Date.now): GoogleMock {
  const accounts = new Map<string, ReturnType<typeof createPublicKey>>();
  /** token → expiry (epoch ms). */
  const tokens = new Map<string, number>();
  let issued = 0;
  const mock: GoogleMock = {
    refuse: false,
    tokenLifetimeSeconds: 3599,
    get tokensIssued() {
      return issued;
    },
    addServiceAccount(email, pem) {
      accounts.set(email, createPublicKey(pem));
    },
    expireTokens() {
      for (const t of tokens.keys()) tokens.set(t, 0);
    },
    bearerValid(headers) {
      const auth = headers.authorization;
      if (typeof auth !== 'string' || !auth.startsWith('Bearer ')) return false;
      const exp = tokens.get(auth.slice(7).trim());
      return exp !== undefined && exp > now();
    },
    handleToken(res, rawBody, ownTokenUrl) {
      const form = new URLSearchParams(rawBody);
      if (mock.refuse) return grantError(res, 'Invalid grant: account not found');
      if (form.get('grant_type') !== JWT_BEARER) {
        return sendJson(res, 400, {
          error: 'unsupported_grant_type',
          error_description: 'Invalid grant_type.',
        });
      }
      const parts = (form.get('assertion') ?? '').split('.');
      const header = parts.length === 3 ? b64urlJson(parts[0]) : undefined;
      const claims = parts.length === 3 ? b64urlJson(parts[1]) : undefined;
      if (!header || !claims)
        return grantError(
          res,
          'Invalid JWT: Token must be a short-lived token and in a reasonable timeframe.',
        );
      if (header.alg !== 'RS256') return grantError(res, 'Invalid JWT Signature.');
      const key = typeof claims.iss === 'string' ? accounts.get(claims.iss) : undefined;
      if (!key) return grantError(res, 'Invalid grant: account not found');
      const signed = verify(
        'RSA-SHA256',
        Buffer.from(`${parts[0]}.${parts[1]}`),
        key,
        Buffer.from(parts[2], 'base64url'),
      );
      if (!signed) return grantError(res, 'Invalid JWT Signature.');
      if (claims.aud !== GOOGLE_TOKEN_AUDIENCE && claims.aud !== ownTokenUrl)
        return grantError(res, 'Invalid JWT: audience is not the token endpoint.');
      const t = Math.floor(now() / 1000);
      const iat = Number(claims.iat);
      const exp = Number(claims.exp);
      if (!(iat <= t + 60 && exp > t && exp - iat <= 3600))
        return grantError(
          res,
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
        );
      const scopes = String(claims.scope ?? '').split(' ');
      if (!scopes.includes(CLOUD_PLATFORM))
        return grantError(res, 'Invalid OAuth scope or ID token audience provided.');
      const token = `ya29.mock-${randomBytes(16).toString('hex')}`;
      tokens.set(token, now() + mock.tokenLifetimeSeconds * 1000);
      issued++;
      sendJson(res, 200, {
        access_token: token,
        expires_in: mock.tokenLifetimeSeconds,
        token_type: 'Bearer',
      });
    },
  };
  return mock;
}
