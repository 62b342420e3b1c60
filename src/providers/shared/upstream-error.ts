/**
 * @module providers/shared/upstream-error
 * Where upstream failures become GatewayErrors: each family's `classifyError` (and its stream decoders)
 * call these, so the message names the deployment, carries no credential, and `retryable` is decided here
 * once (from the status, unless the provider's error says otherwise).
 */
import type { DeploymentConfig } from '../../config/types.js';
import { type ErrorCode, GatewayError } from '../../errors.js';
import type { CallInput, UpstreamReply } from '../types.js';
import { deploymentSecrets, redactSecrets } from './redact.js';

/** `model_name (provider/model, id …)`: how messages name a deployment (never a URL or key). */
export function deploymentLabel(d: DeploymentConfig): string {
  return `${d.modelName} (${d.model}, id ${d.id})`;
}

export interface ProviderErrorDetail {
  /** The provider's own message (redacted again here). */
  message: string;
  /** The provider's error type/status name, e.g. `rate_limit_error`, `RESOURCE_EXHAUSTED`. */
  type?: string;
  /** Overrides the status-based retry decision (e.g. a 400 that the provider marks as transient). */
  retryable?: boolean;
  /** A more specific gateway code than TG_ERR_UPSTREAM (e.g. TG_ERR_CONTENT_BLOCKED). */
  code?: ErrorCode;
}

function header(reply: UpstreamReply | null, name: string): string | undefined {
  const v = reply?.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

const CONTEXT_WINDOW =
  /context[_ ]length[_ ]exceeded|maximum context length|context window|prompt is too long|input is too long|too many (input )?tokens|exceeds the (maximum|model's) (context|input)/i;
const CONTENT_POLICY =
  /content[_ ]policy|content_filter|content management policy|ResponsibleAIPolicyViolation/i;

/**
 * A request error that LiteLLM routes to its own fallbacks: the prompt does not fit the context window
 * (context_window_fallbacks) or the provider's content policy refused it (content_policy_fallbacks).
 */
export function specificRequestError(status: number, detail: ProviderErrorDetail): ErrorCode | undefined {
  if (status < 400 || status >= 500 || status === 429) return undefined;
  const text = `${detail.type ?? ''} ${detail.message}`;
  if (CONTEXT_WINDOW.test(text)) return 'TG_ERR_CONTEXT_WINDOW_EXCEEDED';
  if (CONTENT_POLICY.test(text)) return 'TG_ERR_CONTENT_BLOCKED';
  return undefined;
}

/** An upstream HTTP error (status ≥ 400) → GatewayError with the upstream status and retry-after. */
export function upstreamHttpError(
  input: CallInput,
  status: number,
  detail: ProviderErrorDetail,
  reply: UpstreamReply | null,
): GatewayError {
  const d = input.deployment;
  const code = detail.code ?? specificRequestError(status, detail);
  const message = redactSecrets(
    `Upstream deployment ${deploymentLabel(d)} returned ${status}: ${detail.message}`,
    deploymentSecrets(d),
  );
  const retryAfter = header(reply, 'retry-after');
  return new GatewayError(code ?? 'TG_ERR_UPSTREAM', message, {
    status: code ? undefined : status,
    headers: retryAfter ? { 'retry-after': retryAfter } : undefined,
    retryable: detail.retryable,
  });
}

/**
 * An error the upstream sent inside a stream (after a 200). Status 502 unless the provider's error names
 * a better one (e.g. Anthropic `overloaded_error` → 529-like, treated as 503).
 */
export function upstreamStreamError(
  input: CallInput,
  detail: ProviderErrorDetail,
  status = 502,
): GatewayError {
  const d = input.deployment;
  const message = redactSecrets(
    `Upstream deployment ${deploymentLabel(d)} sent an error mid-stream: ${detail.message}`,
    deploymentSecrets(d),
  );
  return new GatewayError(detail.code ?? 'TG_ERR_UPSTREAM', message, {
    status: detail.code ? undefined : status,
    retryable: false,
  });
}

/** A stream whose bytes cannot be decoded (truncated frame, invalid JSON where JSON is required). */
export function malformedStreamError(input: CallInput, what: string): GatewayError {
  return new GatewayError(
    'TG_ERR_UPSTREAM',
    `Upstream deployment ${deploymentLabel(input.deployment)} sent a malformed stream: ${what}.`,
    { retryable: false },
  );
}

/** A deployment's credentials or settings are missing or malformed (never retried). */
export function providerConfigError(d: DeploymentConfig, problem: string): GatewayError {
  return new GatewayError(
    'TG_ERR_PROVIDER_CONFIG',
    `Deployment ${deploymentLabel(d)} is misconfigured: ${problem}`,
  );
}
