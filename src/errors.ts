/**
 * @module errors
 * Every error the gateway can answer with, declared once with a stable code.
 * Errors are thrown as GatewayError and turned into the OpenAI error shape
 * (`{"error":{"message","type","code","param"}}`) in one place: the HTTP edge.
 */

export type ErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'budget_exceeded'
  | 'upstream_error'
  | 'timeout_error'
  | 'configuration_error'
  | 'server_error'
  | 'internal_error';

interface ErrorSpec {
  status: number;
  type: ErrorType;
  /** OpenAI-compatible `code` field value. */
  code: string;
}

/** Stable codes (TG_ERR_*) → HTTP status + OpenAI error type/code. */
export const ERRORS = {
  TG_ERR_BAD_JSON: { status: 400, type: 'invalid_request_error', code: 'invalid_json' },
  TG_ERR_BAD_REQUEST: { status: 400, type: 'invalid_request_error', code: 'invalid_request' },
  TG_ERR_UNKNOWN_MODEL: { status: 400, type: 'invalid_request_error', code: 'model_not_found' },
  TG_ERR_BODY_TOO_LARGE: { status: 413, type: 'invalid_request_error', code: 'request_too_large' },
  TG_ERR_NOT_FOUND: { status: 404, type: 'not_found_error', code: 'not_found' },
  TG_ERR_UNSUPPORTED: { status: 400, type: 'invalid_request_error', code: 'unsupported_operation' },
  TG_ERR_NO_KEY: { status: 401, type: 'authentication_error', code: 'missing_api_key' },
  TG_ERR_BAD_KEY: { status: 401, type: 'authentication_error', code: 'invalid_api_key' },
  TG_ERR_KEY_EXPIRED: { status: 401, type: 'authentication_error', code: 'expired_api_key' },
  TG_ERR_KEY_BLOCKED: { status: 403, type: 'permission_error', code: 'blocked_api_key' },
  TG_ERR_FORBIDDEN: { status: 403, type: 'permission_error', code: 'forbidden' },
  TG_ERR_MODEL_NOT_ALLOWED: { status: 403, type: 'permission_error', code: 'model_not_allowed' },
  TG_ERR_CUSTOMER_BLOCKED: { status: 403, type: 'permission_error', code: 'customer_blocked' },
  TG_ERR_BUDGET_EXCEEDED: { status: 400, type: 'budget_exceeded', code: 'budget_exceeded' },
  TG_ERR_RATE_LIMITED: { status: 429, type: 'rate_limit_error', code: 'rate_limit_exceeded' },
  TG_ERR_UPSTREAM: { status: 502, type: 'upstream_error', code: 'upstream_error' },
  TG_ERR_UPSTREAM_UNREACHABLE: { status: 502, type: 'upstream_error', code: 'upstream_unreachable' },
  TG_ERR_UPSTREAM_TIMEOUT: { status: 504, type: 'timeout_error', code: 'upstream_timeout' },
  /** A deployment's credentials or settings are missing or malformed: the gateway's configuration, not the call. */
  TG_ERR_PROVIDER_CONFIG: { status: 503, type: 'configuration_error', code: 'provider_not_configured' },
  /** The provider refused to answer for safety/content reasons (e.g. a Gemini safety block). */
  TG_ERR_CONTENT_BLOCKED: { status: 400, type: 'invalid_request_error', code: 'content_policy_violation' },
  TG_ERR_UNAVAILABLE: { status: 503, type: 'server_error', code: 'service_unavailable' },
  /** The prompt is longer than the model's context window (context_window_fallbacks apply). */
  TG_ERR_CONTEXT_WINDOW_EXCEEDED: {
    status: 400,
    type: 'invalid_request_error',
    code: 'context_length_exceeded',
  },
  /** Every deployment of the model is disabled by the gateway's config (the message names the reason). */
  TG_ERR_DEPLOYMENT_DISABLED: { status: 400, type: 'invalid_request_error', code: 'model_not_available' },
  /** Every deployment of the model group is cooling down after failures or at its rpm/tpm (retry-after). */
  TG_ERR_NO_DEPLOYMENT_AVAILABLE: { status: 429, type: 'rate_limit_error', code: 'no_deployment_available' },
  /** The database is unreachable and the request needs it (e.g. a key not seen since the start). */
  TG_ERR_DB_UNAVAILABLE: { status: 503, type: 'server_error', code: 'database_unavailable' },
  TG_ERR_INTERNAL: { status: 500, type: 'internal_error', code: 'internal_error' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Whether an upstream HTTP status may succeed on another attempt (another deployment, or later): 408,
 * 409, 429 and 5xx. Other 4xx mean the request itself is wrong and would fail everywhere.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

function defaultRetryable(code: ErrorCode, status: number): boolean {
  if (code === 'TG_ERR_UPSTREAM_UNREACHABLE' || code === 'TG_ERR_UPSTREAM_TIMEOUT') return true;
  return code === 'TG_ERR_UPSTREAM' && isRetryableStatus(status);
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  /** Extra response headers (e.g. retry-after on 429). */
  readonly headers: Record<string, string> | undefined;
  /**
   * Whether another attempt may succeed, decided once where the error is created: connection failures,
   * timeouts and upstream 408/409/429/5xx by default; configuration and request errors never.
   */
  readonly retryable: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    opts: {
      status?: number;
      param?: string;
      headers?: Record<string, string>;
      cause?: unknown;
      retryable?: boolean;
    } = {},
  ) {
    super(message, { cause: opts.cause });
    this.name = 'GatewayError';
    this.code = code;
    const spec: ErrorSpec = ERRORS[code];
    this.status = opts.status ?? spec.status;
    this.type = spec.type;
    this.param = opts.param ?? null;
    this.headers = opts.headers;
    this.retryable = opts.retryable ?? defaultRetryable(code, this.status);
  }

  /** The OpenAI error body. `code` is the OpenAI-style code; `tollgate_code` the stable TG_ERR_*. */
  toJSON(): {
    error: { message: string; type: string; code: string; param: string | null; tollgate_code: ErrorCode };
  } {
    return {
      error: {
        message: this.message,
        type: this.type,
        code: ERRORS[this.code].code,
        param: this.param,
        tollgate_code: this.code,
      },
    };
  }
}

export function isGatewayError(err: unknown): err is GatewayError {
  return err instanceof GatewayError;
}
