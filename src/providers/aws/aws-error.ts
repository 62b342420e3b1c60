/**
 * @module providers/aws/aws-error
 * AWS JSON-protocol errors (Bedrock runtime, SageMaker runtime): the error type comes from the
 * `x-amzn-errortype` header (`ThrottlingException:http://internal.amazon.com/…`) or the body's `__type`,
 * the text from `message` / `Message`. Credential and permission errors (an expired or unknown key, a bad
 * signature, no access to the model) are the gateway's configuration, never retried: TG_ERR_PROVIDER_CONFIG.
 * Throttling and service errors keep their status (429/5xx: retryable). A model id the region does not
 * serve gets a hint naming the region. In-stream exceptions map to a status the same way.
 */
import type { DeploymentConfig } from '../../config/types.js';
import type { GatewayError } from '../../errors.js';
import { isRecord, str, tryParse } from '../shared/json.js';
import { excerpt, redactSecrets } from '../shared/redact.js';
import { type ProviderErrorDetail, upstreamHttpError } from '../shared/upstream-error.js';
import type { CallInput, UpstreamReply } from '../types.js';

/** Error types meaning "these credentials cannot call this": configuration, not the request. */
const CREDENTIAL_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'ExpiredTokenException',
  'ExpiredToken',
  'InvalidClientTokenId',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'AccessDeniedException',
  'AccessDenied',
]);

/** Status of an exception that arrives inside an event stream (lower-camel or Pascal case names). */
const STREAM_STATUS: Record<string, number> = {
  throttlingexception: 429,
  servicequotaexceededexception: 429,
  modelnotreadyexception: 429,
  serviceunavailableexception: 503,
  internalserverexception: 500,
  internalstreamfailure: 500,
  modeltimeoutexception: 408,
  validationexception: 400,
  modelstreamerrorexception: 424,
  modelstreamerror: 424,
  modelerror: 424,
};

export function awsErrorType(headerValue: unknown, body: unknown): string | undefined {
  const h = Array.isArray(headerValue) ? headerValue[0] : headerValue;
  const fromHeader = typeof h === 'string' && h !== '' ? h.split(':')[0] : undefined;
  const fromBody = isRecord(body) ? (str(body.__type) ?? str(body.code) ?? str(body.ErrorCode)) : undefined;
  const t = fromHeader ?? fromBody;
  return t?.includes('#') ? t.slice(t.lastIndexOf('#') + 1) : t;
}

/**
 * The error text. Only its first paragraph: AWS appends the canonical request and string-to-sign to
 * signature errors, and those carry the session token.
 */
export function awsErrorMessage(body: unknown, fallback: string): string {
  if (isRecord(body)) {
    const m = str(body.message) ?? str(body.Message) ?? str(body.OriginalMessage);
    if (m !== undefined) return m.split(/\r?\n\r?\n/)[0].trim();
  }
  return fallback;
}

/** Why a model id may be refused, for ValidationException/ResourceNotFoundException on the model. */
function regionHint(d: DeploymentConfig, message: string): string {
  if (!/model identifier|model id|foundation model|inference profile|endpoint .* not found/i.test(message))
    return '';
  const region = d.deploymentOptions?.aws_region_name;
  return ` (check that "${d.upstreamModel}" is served in region ${typeof region === 'string' ? region : 'configured'}: cross-region profiles such as us./eu./apac. only work from their own geography)`;
}

export function awsErrorDetail(
  status: number,
  bodyText: string,
  reply: UpstreamReply | null,
  d: DeploymentConfig,
): ProviderErrorDetail {
  const body = tryParse(bodyText);
  const type = awsErrorType(reply?.headers['x-amzn-errortype'], body);
  const text = excerpt(bodyText);
  const message = redactSecrets(awsErrorMessage(body, text === '' ? `HTTP ${status}` : text));
  const detail: ProviderErrorDetail = { message: type ? `${message} (${type})` : message, type };
  if (type && CREDENTIAL_ERRORS.has(type)) {
    detail.code = 'TG_ERR_PROVIDER_CONFIG';
    detail.message = `AWS rejected the deployment's credentials: ${detail.message}`;
  } else if (status === 400 || status === 404) {
    detail.message += regionHint(d, message);
  }
  return detail;
}

/** The family's classifyError for AWS JSON-protocol services. */
export function classifyAwsError(
  status: number,
  bodyText: string,
  reply: UpstreamReply,
  input: CallInput,
): GatewayError {
  return upstreamHttpError(input, status, awsErrorDetail(status, bodyText, reply, input.deployment), reply);
}

/** An exception frame inside an event stream → detail and status. */
export function awsStreamExceptionDetail(
  exceptionType: string | undefined,
  bodyText: string,
): { detail: ProviderErrorDetail; status: number } {
  const body = tryParse(bodyText);
  const message = redactSecrets(awsErrorMessage(body, excerpt(bodyText) || 'stream exception'));
  const type = exceptionType ?? awsErrorType(undefined, body);
  const status = (type && STREAM_STATUS[type.toLowerCase()]) || 502;
  return { detail: { message: type ? `${message} (${type})` : message, type }, status };
}
