/**
 * @module router/retry-policy
 * How many attempts a call gets and how long to wait between them. Whether an error may be retried is
 * decided where it is created (`GatewayError.retryable`, see errors.ts); never once any byte of a stream
 * reached the client.
 */
export { isRetryableStatus } from '../errors.js';

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
