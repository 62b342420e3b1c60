/**
 * @module mock-upstream/aws-auth
 * The mock's AWS side of authentication: a store of accepted key pairs (the configured ones, plus the
 * temporary credentials its STS issued), and SigV4 verification that recomputes the signature of each
 * request with the same signer the gateway uses (@smithy/signature-v4) over the headers the request says
 * it signed. Failures answer as AWS does: 403 with `x-amzn-errortype` and `{"message"}` —
 * UnrecognizedClientException (unknown key), InvalidSignatureException (wrong secret; the message carries
 * the canonical string and string-to-sign, session token included, like AWS's), ExpiredTokenException
 * (a session token containing `expired`, or temporary credentials past their expiry).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Hash } from '@smithy/core/serde';
import { SignatureV4 } from '@smithy/signature-v4';

export interface MockAwsKey {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials: the session token that must accompany them, and their expiry (epoch ms). */
  sessionToken?: string;
  expiresAt?: number;
}

/** The key pair the mock accepts by default (tests configure deployments with it). */
export const MOCK_AWS_KEYS: Readonly<MockAwsKey> = Object.freeze({
  accessKeyId: 'AKIAMOCKTOLLGATE0001',
  secretAccessKey: 'mockSecretKey/TollgateTest+0123456789abcd',
});

export interface MockAwsState {
  keys: Map<string, MockAwsKey>;
  /** AssumeRole calls answered (successful or not). */
  stsCalls: number;
  /** Role ARNs AssumeRole accepts (default: any `arn:aws:iam::…:role/…`). */
  roles?: Set<string>;
  /** Lifetime of issued temporary credentials, seconds (default: the DurationSeconds asked for). */
  issuedLifetimeSeconds?: number;
  /** Prompt-cache prefixes seen (Bedrock cachePoint simulation). */
  promptCache: Set<string>;
  now(): number;
}

export function createMockAwsState(keys: readonly MockAwsKey[] = [MOCK_AWS_KEYS]): MockAwsState {
  return {
    keys: new Map(keys.map((k) => [k.accessKeyId, { ...k }])),
    stsCalls: 0,
    promptCache: new Set(),
    now: Date.now,
  };
}

/** New temporary credentials, registered as accepted until they expire. */
export function issueTemporaryKey(state: MockAwsState, lifetimeSeconds: number): MockAwsKey {
  const key: MockAwsKey = {
    accessKeyId: `ASIAMOCK${randomBytes(6).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: `IQoJmock${randomBytes(48).toString('base64')}`,
    expiresAt: state.now() + lifetimeSeconds * 1000,
  };
  state.keys.set(key.accessKeyId, key);
  return key;
}

export interface AwsRequest {
  method: string;
  /** Path exactly as received (still percent-encoded). */
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface AwsAuthFailure {
  status: number;
  type: string;
  message: string;
}

export interface AwsAuthOk {
  key: MockAwsKey;
  region: string;
  service: string;
}

function header(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v.join(',') : v;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

function amzDate(s: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  return m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6])) : undefined;
}

const sha256Hex = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');

function invalidSignature(
  req: AwsRequest,
  signedHeaders: string[],
  scope: string,
  date: string,
): AwsAuthFailure {
  const canonicalHeaders = signedHeaders
    .map((h) => `${h}:${(header(req.headers, h) ?? '').trim()}`)
    .join('\n');
  const canonical = [
    req.method,
    req.path,
    '',
    `${canonicalHeaders}\n`,
    signedHeaders.join(';'),
    sha256Hex(req.rawBody),
  ].join('\n');
  return {
    status: 403,
    type: 'InvalidSignatureException',
    message: `The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for this request should have been\n'${canonical}'\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonical)}'\n`,
  };
}

/** Verifies a SigV4-signed request for `service`; returns the key it was signed with, or the AWS failure. */
export async function verifySigV4(
  req: AwsRequest,
  state: MockAwsState,
  service: string,
): Promise<AwsAuthOk | AwsAuthFailure> {
  const auth = header(req.headers, 'authorization');
  const date = header(req.headers, 'x-amz-date') ?? '';
  const m = auth ? AUTH.exec(auth) : null;
  if (!m)
    return {
      status: 403,
      type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    };
  const [, accessKeyId, day, region, scopeService, signedList, signature] = m;
  const scope = `${day}/${region}/${scopeService}/aws4_request`;
  if (scopeService !== service) {
    return {
      status: 403,
      type: 'InvalidSignatureException',
      message: `Credential should be scoped to correct service: '${service}'.`,
    };
  }
  const signingDate = amzDate(date);
  if (!signingDate || !date.startsWith(day)) {
    return {
      status: 403,
      type: 'InvalidSignatureException',
      message: 'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP.',
    };
  }
  const key = state.keys.get(accessKeyId);
  if (!key)
    return {
      status: 403,
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  const token = header(req.headers, 'x-amz-security-token');
  if (
    (token?.includes('expired') ?? false) ||
    (key.expiresAt !== undefined && state.now() >= key.expiresAt)
  ) {
    return {
      status: 403,
      type: 'ExpiredTokenException',
      message: 'The security token included in the request is expired',
    };
  }
  if (key.sessionToken !== undefined && token !== key.sessionToken) {
    return {
      status: 403,
      type: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    };
  }
  const signedHeaders = signedList.split(';');
  const payloadHash = header(req.headers, 'x-amz-content-sha256');
  if (payloadHash !== undefined && payloadHash !== sha256Hex(req.rawBody))
    return invalidSignature(req, signedHeaders, scope, date);

  const headers: Record<string, string> = {};
  for (const h of signedHeaders) {
    const v = header(req.headers, h);
    if (v !== undefined) headers[h] = v;
  }
  const host = headers.host ?? '';
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: token },
    region,
    service,
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: true,
  });
  const expected = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: host.replace(/:\d+$/, ''),
      path: req.path,
      query: req.query,
      headers,
      body: req.rawBody,
    },
    { signingDate },
  );
  const got = /Signature=([0-9a-f]{64})/.exec(String(expected.headers.authorization))?.[1] ?? '';
  const ok = got.length === signature.length && timingSafeEqual(Buffer.from(got), Buffer.from(signature));
  if (!ok) return invalidSignature(req, signedHeaders, scope, date);
  return { key, region, service };
}

export function isAuthFailure(r: AwsAuthOk | AwsAuthFailure): r is AwsAuthFailure {
  return 'status' in r;
}
