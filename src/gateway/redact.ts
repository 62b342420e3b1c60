/**
 * @module gateway/redact
 * Removes credentials from text that may reach a client or a log (upstream error messages often
 * echo the key they were given), and from URLs (user:password@host).
 */

const KEY_PATTERNS = [/\bsk-[A-Za-z0-9_*-]{6,}/g, /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi];

export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  for (const re of KEY_PATTERNS) out = out.replace(re, '[redacted]');
  return out;
}

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
