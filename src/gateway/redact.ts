/**
 * @module gateway/redact
 * Credential-free URLs for logs and spend logs (user:password@host and query strings removed).
 * Text redaction lives in providers/shared/redact.ts.
 */

/** URL without userinfo or query string (which may carry keys). */
export function displayUrl(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    u.search = '';
    return u.toString().replace(/\/$/, '');
  } catch {
    return null;
  }
}
