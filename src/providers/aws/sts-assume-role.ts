/**
 * @module providers/aws/sts-assume-role
 * STS AssumeRole over its Query API (form POST, SigV4 service `sts`), for `aws_role_name`: the source
 * credentials sign the call, the answer's temporary credentials (with their expiry) sign the model calls.
 * The XML answer has four fixed fields, read without an XML library. Failures are configuration errors
 * (a wrong role, a trust policy) except an unreachable STS, which may succeed on another attempt.
 */
import { request } from 'undici';
import { GatewayError } from '../../errors.js';
import type { StaticKeys } from './aws-settings.js';
import { signAwsRequest } from './aws-sign.js';

export interface TemporaryCredentials extends StaticKeys {
  sessionToken: string;
  expiration: Date;
}

export interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  externalId?: string;
  /** STS endpoint URL, e.g. https://sts.us-east-1.amazonaws.com */
  endpoint: string;
  region: string;
  source: StaticKeys;
  /** Requested lifetime; STS default and LiteLLM's is one hour. */
  durationSeconds?: number;
  timeoutMs?: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? m[1].replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => ENTITIES[e]).trim() : undefined;
}

/** Parses an AssumeRoleResponse; undefined when a field is missing. */
export function parseAssumeRoleResponse(xml: string): TemporaryCredentials | undefined {
  const accessKeyId = xmlText(xml, 'AccessKeyId');
  const secretAccessKey = xmlText(xml, 'SecretAccessKey');
  const sessionToken = xmlText(xml, 'SessionToken');
  const exp = xmlText(xml, 'Expiration');
  const expiration = exp ? new Date(exp) : undefined;
  if (!accessKeyId || !secretAccessKey || !sessionToken || !expiration || Number.isNaN(expiration.getTime()))
    return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/** `Code: Message` of an STS ErrorResponse, or an excerpt. */
export function stsErrorText(xml: string, status: number): string {
  const code = xmlText(xml, 'Code');
  const message = xmlText(xml, 'Message');
  if (code || message) return [code, message].filter(Boolean).join(': ');
  return `HTTP ${status}`;
}

export async function assumeRole(p: AssumeRoleParams): Promise<TemporaryCredentials> {
  const form = new URLSearchParams({
    Action: 'AssumeRole',
    Version: '2011-06-15',
    RoleArn: p.roleArn,
    RoleSessionName: p.sessionName,
    DurationSeconds: String(p.durationSeconds ?? 3600),
  });
  if (p.externalId) form.set('ExternalId', p.externalId);
  const url = `${p.endpoint.replace(/\/+$/, '')}/`;
  const signed = await signAwsRequest(
    {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: form.toString(),
    },
    { credentials: p.source, region: p.region, service: 'sts' },
  );
  let status: number;
  let text: string;
  try {
    const res = await request(signed.url, {
      method: 'POST',
      headers: signed.headers,
      body: signed.body as string,
      headersTimeout: p.timeoutMs ?? 10_000,
      bodyTimeout: p.timeoutMs ?? 10_000,
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    const e = err as { code?: string; name?: string };
    throw new GatewayError(
      'TG_ERR_UPSTREAM_UNREACHABLE',
      `AWS STS (${new URL(url).host}) is unreachable for AssumeRole of aws_role_name (${e.code ?? e.name ?? 'connection error'}).`,
      { cause: err },
    );
  }
  if (status >= 400) {
    throw new GatewayError(
      'TG_ERR_PROVIDER_CONFIG',
      `AWS STS refused AssumeRole of aws_role_name "${p.roleArn}": ${stsErrorText(text, status)}.`,
    );
  }
  const creds = parseAssumeRoleResponse(text);
  if (!creds) {
    throw new GatewayError('TG_ERR_UPSTREAM', 'AWS STS answered AssumeRole without credentials.', {
      status: 502,
    });
  }
  return creds;
}
