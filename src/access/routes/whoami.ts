/**
 * @module access/routes/whoami
 * GET /auth/whoami — who the presented key is and what it may do, for any valid key (kind
 * 'info'): the admin console picks its pages from it. Never echoes a secret: a virtual key is
 * described by its sha256 hash, alias, owner and permissions.
 *
 * role: 'admin' (master key, or open mode), 'spend_reader' (a virtual key with
 * get_spend_routes: reads every spend route, manages nothing), 'key' (any other virtual key: its
 * own /key/info and /key/spend/* only).
 */
import type { FastifyRequest } from 'fastify';
import type { AuthContext } from '../types.js';
import type { RouteDef } from './route-def.js';

export type WhoamiRole = 'admin' | 'spend_reader' | 'key';

export function roleOf(auth: AuthContext): WhoamiRole {
  if (auth.isMaster || auth.openMode) return 'admin';
  return auth.permissions.get_spend_routes === true ? 'spend_reader' : 'key';
}

export function whoamiBody(auth: AuthContext): Record<string, unknown> {
  const role = roleOf(auth);
  return {
    role,
    open_mode: auth.openMode,
    can_manage: role === 'admin',
    can_read_all_spend: role !== 'key',
    key:
      // The master key is logged under its hash (as LiteLLM does) but is not a virtual key.
      auth.isMaster || auth.keyHash === ''
        ? null
        : {
            token: auth.keyHash,
            key_alias: auth.keyAlias,
            user_id: auth.userId,
            team_id: auth.teamId,
            models: auth.allowedModels,
            permissions: auth.permissions,
          },
  };
}

async function whoami(_deps: unknown, request: FastifyRequest): Promise<unknown> {
  return whoamiBody(request.auth);
}

export const WHOAMI_ROUTES: RouteDef[] = [
  { method: 'GET', url: '/auth/whoami', kind: 'info', handler: whoami },
];
