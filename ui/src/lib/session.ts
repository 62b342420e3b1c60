/**
 * @module ui/lib/session
 * Who is signed in. The key lives in this tab's sessionStorage only (gone when the tab closes,
 * cleared by "Sign out"), never in localStorage, a cookie or a URL. The role comes from the
 * gateway (GET /auth/whoami): the master key manages everything; a key with get_spend_routes reads
 * all spend but manages nothing; any other virtual key sees only its own spend and logs.
 */
import type { Api } from './api';
import { asString, isObject, type Json } from './exact-json';

const KEY_STORAGE = 'tollgate.ui.key';

export type Role = 'admin' | 'spend_reader' | 'key';

export interface Identity {
  role: Role;
  openMode: boolean;
  /** The virtual key's hash, alias, owner (null for the master key). */
  keyHash: string | null;
  keyAlias: string | null;
  userId: string | null;
  teamId: string | null;
}

export function storedKey(): string | null {
  try {
    return window.sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function storeKey(value: string | null): void {
  try {
    if (value === null) window.sessionStorage.removeItem(KEY_STORAGE);
    else window.sessionStorage.setItem(KEY_STORAGE, value);
  } catch {
    // storage disabled: the key lives in memory for this page only
  }
}

export function parseIdentity(body: Json): Identity {
  if (!isObject(body)) throw new Error('GET /auth/whoami did not answer with an object.');
  const role = asString(body.role);
  if (role !== 'admin' && role !== 'spend_reader' && role !== 'key') {
    throw new Error(`GET /auth/whoami answered an unknown role ${JSON.stringify(role)}.`);
  }
  const key = isObject(body.key) ? body.key : null;
  return {
    role,
    openMode: body.open_mode === true,
    keyHash: key ? asString(key.token) : null,
    keyAlias: key ? asString(key.key_alias) : null,
    userId: key ? asString(key.user_id) : null,
    teamId: key ? asString(key.team_id) : null,
  };
}

export async function whoami(api: Api): Promise<Identity> {
  return parseIdentity((await api.get('/auth/whoami')).body);
}

/** Spend routes this identity reads: the global ones, or the key-scoped ones for a plain key. */
export function spendRoutes(role: Role): {
  summary: string;
  logs: string;
  unpriced: string;
  scoped: boolean;
} {
  return role === 'key'
    ? {
        summary: '/key/spend/summary',
        logs: '/key/spend/logs',
        unpriced: '/key/spend/unpriced',
        scoped: true,
      }
    : { summary: '/spend/summary', logs: '/spend/logs', unpriced: '/spend/unpriced', scoped: false };
}

export function roleLabel(id: Identity): string {
  if (id.role === 'admin') return id.openMode ? 'open mode (no master key configured)' : 'master key';
  const name = id.keyAlias ?? (id.keyHash ? `key …${id.keyHash.slice(-8)}` : 'virtual key');
  return id.role === 'spend_reader' ? `${name} (reads all spend)` : `${name} (own spend only)`;
}
