/**
 * @module mock-upstream/sts-routes
 * STS AssumeRole over the Query API (form POST with `Action=AssumeRole`, SigV4 service `sts`), answering
 * the XML of the API reference. The issued temporary credentials (ASIA… key, secret, session token,
 * expiry) are registered with the mock's AWS key store, so Bedrock and SageMaker calls signed with them
 * verify. Errors use STS's ErrorResponse XML (AccessDenied for a role not in `state.roles`).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { issueTemporaryKey, type MockAwsState } from './aws-auth.js';

function xml(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
}

export function stsError(res: ServerResponse, status: number, code: string, message: string): void {
  xml(
    res,
    status,
    `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">\n  <Error>\n    <Type>Sender</Type>\n    <Code>${code}</Code>\n    <Message>${message}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
  );
}

export function isStsRequest(rawBody: string, contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded') && /(^|&)Action=/.test(rawBody);
}

export function handleAssumeRole(
  res: ServerResponse,
  rawBody: string,
  state: MockAwsState,
  callerKeyId: string,
) {
  state.stsCalls++;
  const form = new URLSearchParams(rawBody);
  if (form.get('Action') !== 'AssumeRole')
    return stsError(
      res,
      400,
      'InvalidAction',
      `Could not find operation ${form.get('Action')} for version 2011-06-15`,
    );
  const role = form.get('RoleArn') ?? '';
  const session = form.get('RoleSessionName') ?? '';
  const allowed = state.roles ? state.roles.has(role) : /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(role);
  if (!allowed || session === '') {
    return stsError(
      res,
      403,
      'AccessDenied',
      `User: arn:aws:iam::123456789012:user/${callerKeyId} is not authorized to perform: sts:AssumeRole on resource: ${role}`,
    );
  }
  const asked = Number(form.get('DurationSeconds') ?? 3600);
  const key = issueTemporaryKey(state, state.issuedLifetimeSeconds ?? asked);
  const expiration = new Date(key.expiresAt ?? 0).toISOString();
  xml(
    res,
    200,
    `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <SourceIdentity>tollgate</SourceIdentity>
    <AssumedRoleUser>
      <Arn>${role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/${session}</Arn>
      <AssumedRoleId>AROAMOCK3MOCKROLE:${session}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${key.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${key.secretAccessKey}</SecretAccessKey>
      <SessionToken>${key.sessionToken}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`,
  );
}
