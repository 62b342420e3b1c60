/**
 * @module access/routes/route-def
 * A management route: method, URL, route kind (for the auth hook) and its handler. The handler
 * returns the JSON body (money marked with json.money()).
 */
import type { FastifyRequest } from 'fastify';
import type { AccessCore } from '../core.js';
import type { RouteKind } from '../types.js';

export interface RouteDeps {
  core: AccessCore;
  modelNames: () => string[];
}

export interface RouteDef {
  method: 'GET' | 'POST';
  url: string;
  kind: RouteKind;
  handler: (deps: RouteDeps, request: FastifyRequest) => Promise<unknown>;
}

/** The caller, for created_by / reset_by. */
export function actor(request: FastifyRequest): string {
  const a = request.auth;
  if (!a || a.openMode) return 'open_mode';
  if (a.isMaster) return 'master_key';
  return a.userId ?? `key:${a.keyHash.slice(0, 12)}`;
}
