/**
 * @module router/retry-policy
 * How long to wait between attempts. Whether an error may be retried is decided where it is created
 * (`GatewayError.retryable`, see errors.ts) and by `retry_policy` (attempt-plan.ts); never once any byte of a
 * stream reached the client.
 */
export { isRetryableStatus } from '../errors.js';

/** Short exponential backoff between attempts, bounded so a retry never outlives the deadline. */
export function backoffMs(attempt: number, retryAfterHeader?: string | null): number {
  const ra = retryAfterHeader ? Number(retryAfterHeader) : Number.NaN;
  if (Number.isFinite(ra) && ra >= 0) return Math.min(ra * 1000, 5_000);
  return Math.min(50 * 2 ** (attempt - 1), 1_000);
}
