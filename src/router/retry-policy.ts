/**
 * @module router/retry-policy
 * Whether a failed upstream attempt may be retried on another deployment, decided in one place.
 * Retry: 408, 409, 429, 5xx and connection-level failures. Never: other 4xx (the request itself
 * is wrong and would fail everywhere), or once any byte of a stream reached the client.
 */

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface AttemptBudget {
  /** Total attempts allowed (1 + retries). */
  maxAttempts: number;
  /** Absolute deadline (epoch ms) for the whole request including retries. */
  deadline: number;
}

export function attemptBudget(retries: number, timeoutSeconds: number, now = Date.now()): AttemptBudget {
  return { maxAttempts: 1 + Math.max(0, Math.floor(retries)), deadline: now + timeoutSeconds * 1000 };
}

/** Short exponential backoff between attempts, bounded so a retry never outlives the deadline. */
export function backoffMs(attempt: number, retryAfterHeader?: string | null): number {
  const ra = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
  if (Number.isFinite(ra) && ra >= 0) return Math.min(ra * 1000, 5_000);
  return Math.min(50 * 2 ** (attempt - 1), 1_000);
}
