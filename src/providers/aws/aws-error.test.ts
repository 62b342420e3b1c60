import { describe, expect, it } from 'vitest';
import { deployment, input } from '../test-support.js';
import type { UpstreamReply } from '../types.js';
import { awsErrorType, awsStreamExceptionDetail, classifyAwsError } from './aws-error.js';

const reply = (type?: string): UpstreamReply => ({
  status: 0,
  headers: type ? { 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` } : {},
  body: (async function* () {})(),
  text: async () => '',
});
const ci = input(
  'chat',
  {},
  deployment('bedrock/anthropic.claude-3-haiku-20240307-v1:0', {
    deploymentOptions: { aws_region_name: 'eu-west-3' },
  }),
);

describe('AWS error classification', () => {
  it('reads the type from x-amzn-errortype or the body (__type, ErrorCode)', () => {
    expect(awsErrorType('ThrottlingException:http://internal.amazon.com/coral/', {})).toBe(
      'ThrottlingException',
    );
    expect(awsErrorType(undefined, { __type: 'com.amazon.coral.validate#ValidationException' })).toBe(
      'ValidationException',
    );
    expect(awsErrorType(undefined, { ErrorCode: 'ModelError' })).toBe('ModelError');
  });

  it('throttling and service errors keep their status and retry; validation errors do not', () => {
    expect(
      classifyAwsError(
        429,
        '{"message":"Too many requests, please wait before trying again."}',
        reply('ThrottlingException'),
        ci,
      ),
    ).toMatchObject({ status: 429, retryable: true, code: 'TG_ERR_UPSTREAM' });
    expect(
      classifyAwsError(
        503,
        '{"message":"Bedrock is unable to process your request."}',
        reply('ServiceUnavailableException'),
        ci,
      ),
    ).toMatchObject({ status: 503, retryable: true });
    const v = classifyAwsError(
      400,
      '{"message":"The provided model identifier is invalid."}',
      reply('ValidationException'),
      ci,
    );
    expect(v).toMatchObject({ status: 400, retryable: false });
    expect(v.message).toContain('served in region eu-west-3');
  });

  it('credential and access errors are TG_ERR_PROVIDER_CONFIG; only the first paragraph of the message is kept', () => {
    const e = classifyAwsError(
      403,
      JSON.stringify({
        message:
          "The request signature we calculated does not match.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:IQoJb3JpZ2luX2Vj'",
      }),
      reply('InvalidSignatureException'),
      ci,
    );
    expect(e).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG', status: 503, retryable: false });
    expect(e.message).not.toContain('IQoJ');
    expect(
      classifyAwsError(
        403,
        '{"Message":"You don\'t have access to the model with the specified model ID."}',
        reply('AccessDeniedException'),
        ci,
      ),
    ).toMatchObject({ code: 'TG_ERR_PROVIDER_CONFIG' });
  });

  it('in-stream exceptions get the status of their kind', () => {
    expect(awsStreamExceptionDetail('throttlingException', '{"message":"slow down"}')).toMatchObject({
      status: 429,
      detail: { message: 'slow down (throttlingException)' },
    });
    expect(awsStreamExceptionDetail('modelStreamErrorException', '{"message":"x"}').status).toBe(424);
    expect(awsStreamExceptionDetail('internalServerException', '{}').status).toBe(500);
    expect(awsStreamExceptionDetail('somethingNew', '{}').status).toBe(502);
  });
});
