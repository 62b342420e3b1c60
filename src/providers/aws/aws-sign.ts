/**
 * @module providers/aws/aws-sign
 * SigV4 signing of a final UpstreamRequest with @smithy/signature-v4 (SHA-256 from Node's crypto through
 * @smithy/core). The request's URL path is signed exactly as it will be sent (model ids are
 * percent-encoded once by the caller; the signer escapes the canonical path again, as AWS expects for
 * every service but S3). Returns a new request: headers objects from `build` are never mutated.
 */
import type { SignatureV4 } from '@smithy/signature-v4';
import { smithySerde, smithySignatureV4 } from '../../lazy-modules.js';
import type { UpstreamRequest } from '../types.js';

/** Credentials as the signer takes them (structurally @smithy/types' AwsCredentialIdentity). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface SignerConfig {
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  region: string;
  /** Signing name: `bedrock`, `sagemaker`, `sts`. */
  service: string;
}

export function createSigner(cfg: SignerConfig): SignatureV4 {
  return new (smithySignatureV4().SignatureV4)({
    credentials: cfg.credentials,
    region: cfg.region,
    service: cfg.service,
    sha256: smithySerde().Hash.bind(null, 'sha256'),
    uriEscapePath: true,
    applyChecksum: true,
  });
}

/** Signs `req` with `signer` (or a one-off signer for `cfg`); `signingDate` for tests. */
export async function signAwsRequest(
  req: UpstreamRequest,
  signer: SignatureV4 | SignerConfig,
  signingDate?: Date,
): Promise<UpstreamRequest> {
  const s = signer instanceof smithySignatureV4().SignatureV4 ? signer : createSigner(signer);
  const url = new URL(req.url);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signed = await s.sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port === '' ? undefined : Number(url.port),
      path: url.pathname,
      query,
      headers: { ...req.headers, host: url.host },
      body: req.body ?? undefined,
    },
    signingDate ? { signingDate } : undefined,
  );
  return { ...req, headers: signed.headers as Record<string, string> };
}
