/**
 * @module models/model-secrets
 * Secrets in models stored in the database (api_key, AWS/Vertex credentials…): encrypted at rest
 * with AES-256-GCM under a key derived from LITELLM_SALT_KEY (TOLLGATE_SALT_KEY, else the master
 * key), as LiteLLM does. `os.environ/NAME` references are stored as written and resolved at load.
 * Redaction for audit rows and API answers.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** litellm_params keys holding a credential. */
export const SECRET_PARAMS: ReadonlySet<string> = new Set([
  'api_key',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_access_key_id',
  'vertex_credentials',
  'azure_ad_token',
  'client_secret',
]);

const PREFIX = 'tgenc:v1:';

export class ModelSecrets {
  private readonly key: Buffer | null;

  constructor(saltKey: string | undefined) {
    this.key = saltKey ? createHash('sha256').update(`tollgate-model-secrets\0${saltKey}`).digest() : null;
  }

  get canEncrypt(): boolean {
    return this.key !== null;
  }

  encrypt(plain: string): string {
    if (!this.key) throw new Error('no salt key');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return PREFIX + Buffer.concat([iv, c.getAuthTag(), data]).toString('base64url');
  }

  /** Decrypts a stored value; values that are not encrypted pass through. Throws on a wrong key. */
  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) return stored;
    if (!this.key) throw new Error('the model was stored with a salt key that is not configured now');
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64url');
    const d = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8');
  }
}

export function isEnvRef(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('os.environ/');
}

/** litellm_params with every secret replaced by a marker (env references are kept: they are names). */
export function redactParams(p: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p)) {
    if (SECRET_PARAMS.has(k) && v !== null && v !== undefined && !isEnvRef(v)) out[k] = '<redacted>';
    else out[k] = v;
  }
  return out;
}
