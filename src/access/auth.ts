/**
 * @module access/auth
 * Authentication (master key in constant time, virtual keys by sha256 from the cache, no
 * database round trip for a known key) and authorization by route kind.
 */
import type { FastifyRequest } from 'fastify';
import { GatewayError } from '../errors.js';
import type { AccessCore } from './core.js';
import type { KeyRecord } from './records.js';
import { createMasterKeyMatcher, hashKey, sha256, toKeyHash } from './secrets.js';
import type { AuthContext, RouteKind } from './types.js';

const EMPTY: readonly string[] = Object.freeze([]);

export const MASTER_CONTEXT: AuthContext = Object.freeze({
  isMaster: true,
  openMode: false,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: EMPTY,
  permissions: Object.freeze({}),
  metadata: Object.freeze({}),
  tags: EMPTY,
});

export const OPEN_CONTEXT: AuthContext = Object.freeze({ ...MASTER_CONTEXT, isMaster: true, openMode: true });

/** LiteLLM's user id for the proxy admin (the master key): its spend is logged under it. */
export const DEFAULT_USER_ID = 'default_user_id';

/**
 * The master key's context as LiteLLM logs it: `api_key` is the master key's sha256 hash (so
 * `/global/spend/report?api_key=<master key>` finds its spend) and the user is `default_user_id`.
 */
export function masterContext(masterKey: string): AuthContext {
  return Object.freeze({ ...MASTER_CONTEXT, keyHash: hashKey(masterKey), userId: DEFAULT_USER_ID });
}

/** A record load failed (the database is unreachable): a clear 503, never a 500. */
function lookupFailed(err: unknown): GatewayError {
  return new GatewayError(
    'TG_ERR_DB_UNAVAILABLE',
    'This API key cannot be verified right now: the database is unreachable. The master key and keys used recently still work.',
    { cause: err, headers: { 'retry-after': '1' } },
  );
}

export class Authenticator {
  private readonly matchMaster: ((digest: Buffer) => boolean) | null;
  private readonly master: AuthContext;
  private readonly contexts = new WeakMap<KeyRecord, AuthContext>();

  constructor(
    private readonly core: AccessCore,
    masterKey: string | undefined,
  ) {
    this.matchMaster = masterKey ? createMasterKeyMatcher(masterKey) : null;
    this.master = masterKey ? masterContext(masterKey) : MASTER_CONTEXT;
  }

  get openMode(): boolean {
    return this.matchMaster === null;
  }

  authenticate(token: string | undefined): AuthContext | Promise<AuthContext> {
    if (!token) {
      if (this.openMode) return OPEN_CONTEXT;
      throw new GatewayError(
        'TG_ERR_NO_KEY',
        'Missing API key: send it as "Authorization: Bearer <key>" (or the x-api-key header).',
      );
    }
    const digest = sha256(token);
    if (this.matchMaster?.(digest)) return this.master;
    if (!token.startsWith('sk-')) {
      if (this.openMode) return OPEN_CONTEXT;
      throw badKey();
    }
    const hash = digest.toString('hex');
    let rec: ReturnType<AccessCore['keys']['get']>;
    try {
      rec = this.core.keys.get(hash);
    } catch (err) {
      throw lookupFailed(err);
    }
    if (rec instanceof Promise)
      return rec.then(
        (r) => this.contextFor(r),
        (err) => {
          throw lookupFailed(err);
        },
      );
    return this.contextFor(rec);
  }

  private contextFor(rec: KeyRecord | null): AuthContext {
    if (!rec) {
      if (this.openMode) return OPEN_CONTEXT;
      throw badKey();
    }
    checkUsable(rec, this.core.now());
    let ctx = this.contexts.get(rec);
    if (!ctx) {
      const metaTags = Array.isArray(rec.metadata.tags) ? (rec.metadata.tags as unknown[]).map(String) : [];
      ctx = Object.freeze({
        isMaster: false,
        openMode: this.openMode,
        keyHash: rec.tokenHash,
        keyAlias: rec.keyAlias,
        userId: rec.userId,
        teamId: rec.teamId,
        allowedModels: Object.freeze([...rec.models]),
        permissions: Object.freeze({ ...rec.permissions }),
        metadata: Object.freeze({ ...rec.metadata }),
        tags: Object.freeze([...new Set([...rec.tags, ...metaTags])]),
      });
      this.contexts.set(rec, ctx);
    }
    return ctx;
  }

  authorizeRoute(auth: AuthContext, kind: RouteKind, request: FastifyRequest): void {
    if (auth.isMaster || auth.openMode) return;
    switch (kind) {
      case 'public':
      case 'llm':
      case 'info':
        return;
      case 'key_info': {
        const q = (request.query as Record<string, unknown> | undefined)?.key;
        if (typeof q === 'string' && q !== '' && toKeyHash(q) !== auth.keyHash) {
          throw new GatewayError(
            'TG_ERR_FORBIDDEN',
            'A virtual key may only read its own /key/info; reading another key needs the master key.',
          );
        }
        return;
      }
      case 'spend':
        if (auth.permissions.get_spend_routes === true) return;
        throw new GatewayError(
          'TG_ERR_FORBIDDEN',
          'Spend routes need the master key or a virtual key created with permissions {"get_spend_routes": true}.',
        );
      default:
        throw new GatewayError(
          'TG_ERR_FORBIDDEN',
          'This is an admin route: only the master key may call it.',
        );
    }
  }
}

function badKey(): GatewayError {
  return new GatewayError(
    'TG_ERR_BAD_KEY',
    'Invalid API key: it is neither the master key nor an existing virtual key (deleted or regenerated keys stop working).',
  );
}

/** Throws when a key is expired or blocked. */
export function checkUsable(rec: KeyRecord, now: number): void {
  if (rec.expiresAt !== null && now >= rec.expiresAt) {
    throw new GatewayError(
      'TG_ERR_KEY_EXPIRED',
      `API key expired at ${new Date(rec.expiresAt).toISOString()}: generate a new key or extend it with /key/update {"duration": …}.`,
    );
  }
  if (rec.blocked) {
    throw new GatewayError(
      'TG_ERR_KEY_BLOCKED',
      'API key is blocked: unblock it with /key/unblock (master key).',
    );
  }
}
