/**
 * @module router/error-classes
 * How the router sees a failed attempt: LiteLLM's exception class (for retry_policy and allowed_fails_policy),
 * whether the deployment is to blame (counts towards its cooldown), and which fallback list applies. Decided
 * from the GatewayError's stable code and status, which the provider families set where the error is created.
 */
import type { RetryErrorClass } from '../config/types.js';
import type { GatewayError } from '../errors.js';

export type FallbackKind = 'context_window' | 'content_policy' | 'general' | null;

export function errorClassOf(e: GatewayError): RetryErrorClass {
  switch (e.code) {
    case 'TG_ERR_UPSTREAM_TIMEOUT':
      return 'TimeoutError';
    case 'TG_ERR_UPSTREAM_UNREACHABLE':
    case 'TG_ERR_INTERNAL':
      return 'InternalServerError';
    case 'TG_ERR_CONTENT_BLOCKED':
      return 'ContentPolicyViolationError';
    case 'TG_ERR_NO_DEPLOYMENT_AVAILABLE':
    case 'TG_ERR_RATE_LIMITED':
      return 'RateLimitError';
    case 'TG_ERR_PROVIDER_CONFIG':
      return 'AuthenticationError';
    default:
      break;
  }
  if (e.status === 429) return 'RateLimitError';
  if (e.status === 401 || e.status === 403) return 'AuthenticationError';
  if (e.status === 408) return 'TimeoutError';
  if (e.status >= 500) return 'InternalServerError';
  return 'BadRequestError';
}

/**
 * Whether a failure counts against the deployment for cooldown (LiteLLM: 429, 401, 404, 408 and 5xx, timeouts
 * and connection errors; a plain bad request is the caller's fault).
 */
export function blamesDeployment(e: GatewayError): boolean {
  if (e.code === 'TG_ERR_UPSTREAM_TIMEOUT' || e.code === 'TG_ERR_UPSTREAM_UNREACHABLE') return true;
  if (e.code !== 'TG_ERR_UPSTREAM') return false;
  return e.status === 429 || e.status === 401 || e.status === 404 || e.status === 408 || e.status >= 500;
}

/**
 * Which fallback list an error may use: a context-window or content-policy refusal its own list (then the
 * general one), an error of the deployment or the provider the general list; a request the client got wrong
 * (a plain 400, a budget) none — another model would refuse it too.
 */
export function fallbackKindOf(e: GatewayError): FallbackKind {
  if (e.code === 'TG_ERR_CONTEXT_WINDOW_EXCEEDED') return 'context_window';
  if (e.code === 'TG_ERR_CONTENT_BLOCKED') return 'content_policy';
  if (e.retryable) return 'general';
  switch (e.code) {
    case 'TG_ERR_PROVIDER_CONFIG':
    case 'TG_ERR_NO_DEPLOYMENT_AVAILABLE':
    case 'TG_ERR_UPSTREAM_UNREACHABLE':
    case 'TG_ERR_UPSTREAM_TIMEOUT':
      return 'general';
    case 'TG_ERR_UPSTREAM':
      return e.status === 401 || e.status === 403 || e.status === 404 ? 'general' : null;
    default:
      return null;
  }
}
