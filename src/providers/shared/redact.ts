/**
 * @module providers/shared/redact
 * Removes anything that looks like a credential from upstream error text before it reaches
 * logs or clients. Upstreams sometimes echo a (partially masked) key back: never pass it on.
 */

import type { DeploymentConfig } from '../../config/types.js';

const PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Provider key shapes: sk-…, sk-ant-…, sk-or-…, gsk_…, xai-…, pk-…
  [/\b(sk-ant|sk-or|sk-proj|sk|gsk|xai|pk|rk)[-_][A-Za-z0-9_\-*.]{3,}/g, '$1-***'],
  // Authorization values
  [/\b(Bearer|Basic)\s+[A-Za-z0-9_\-.=+/*]{6,}/gi, '$1 ***'],
  // key=… / api-key: … / x-api-key: … style fragments
  [
    /\b(api[-_]?key|x-api-key|access[-_]?token|token|key|secret|password)(["']?\s*[:=]\s*["']?)[^\s"'&,;}]{4,}/gi,
    '$1$2***',
  ],
  // JSON Web Tokens and Google API keys
  [/\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g, '***'],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, '***'],
];

/**
 * A long opaque token: some piece between separators is 24+ characters of letters and digits mixed, as a
 * random key or hash is. Model names (`accounts/fireworks/models/llama-v3p1-405b-instruct`,
 * `meta-llama/Meta-Llama-3.1-405B-Instruct-Turbo`) are words and numbers between separators: kept.
 */
function opaque(token: string): boolean {
  for (const piece of token.split(/[-_./:]+/)) {
    if (piece.length >= 24 && /\d/.test(piece) && /[A-Za-z]/.test(piece)) return true;
  }
  return false;
}
const LONG_TOKEN = /[A-Za-z0-9_\-+/.:]{24,}={0,2}/g;

/** litellm_params that hold secrets (besides api_key), redacted wherever a deployment's text is shown. */
const SECRET_OPTIONS = [
  'aws_secret_access_key',
  'aws_session_token',
  'aws_access_key_id',
  'aws_web_identity_token',
  'vertex_credentials',
  'vertex_ai_credentials',
  'azure_ad_token',
  'client_secret',
] as const;

const secretsCache = new WeakMap<DeploymentConfig, string[]>();

/** Every exact secret a deployment holds, for `redactSecrets(text, deploymentSecrets(d))`. */
export function deploymentSecrets(d: DeploymentConfig): string[] {
  let s = secretsCache.get(d);
  if (!s) {
    s = [];
    if (d.apiKey) s.push(d.apiKey);
    for (const k of SECRET_OPTIONS) {
      const v = d.deploymentOptions?.[k];
      if (typeof v === 'string' && v !== '') s.push(v);
    }
    secretsCache.set(d, s);
  }
  return s;
}

/** `known` are exact secrets to remove too (e.g. the deployment's own key), whatever their shape. */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const k of known) if (k && k.length >= 4) out = out.split(k).join('***');
  for (const [re, repl] of PATTERNS) out = out.replace(re, repl);
  return out.replace(LONG_TOKEN, (t) => (opaque(t) ? '***' : t));
}

/** A short, redacted excerpt of a non-JSON error body. */
export function excerpt(text: string, max = 300): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  const cut = trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
  return redactSecrets(cut);
}
