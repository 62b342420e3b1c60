/**
 * @module gateway/auth-hook
 * Authenticates every request (Bearer token, `x-api-key` or `api-key` header, as OpenAI,
 * Anthropic and Azure clients send them, or the header general_settings.litellm_key_header_name names) and
 * authorizes it by the route's declared kind. Routes without a kind are treated as 'admin' (master key only):
 * safe by default. With general_settings.allowed_ips, only those client addresses reach non-public routes.
 */
import { BlockList, isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext, RouteAuthorizer, RouteKind } from '../access/types.js';
import { GatewayError } from '../errors.js';

export type { RouteAuthorizer };

export interface AuthHookOptions {
  /** `litellm_key_header_name` (lower case): read the key from this header first. */
  keyHeaderName?: string;
  /** `allowed_ips`: addresses or CIDR ranges allowed to call the gateway. */
  allowedIps?: readonly string[];
}

function bearer(h: string): string {
  return h.startsWith('Bearer ') || h.startsWith('bearer ') ? h.slice(7).trim() : h.trim();
}

export function extractToken(headers: FastifyRequest['headers'], keyHeaderName?: string): string | undefined {
  if (keyHeaderName) {
    const c = headers[keyHeaderName];
    if (typeof c === 'string' && c.length > 0) return bearer(c);
  }
  const h = headers.authorization;
  if (typeof h === 'string' && h.length > 0) return bearer(h);
  const x = headers['x-api-key'] ?? headers['api-key'];
  return typeof x === 'string' && x.length > 0 ? x.trim() : undefined;
}

/** A matcher for allowed_ips (IPv4-mapped IPv6 addresses are matched as IPv4). */
export function ipAllowList(entries: readonly string[]): (ip: string) => boolean {
  const list = new BlockList();
  for (const e of entries) {
    const [addr, bits] = e.split('/');
    const type = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (ip) => {
    const v4 = ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
    const family = isIP(v4);
    return family !== 0 && list.check(v4, family === 6 ? 'ipv6' : 'ipv4');
  };
}

export function installAuth(
  app: FastifyInstance,
  authorizer: RouteAuthorizer,
  o: AuthHookOptions = {},
): void {
  const allowed = o.allowedIps && o.allowedIps.length > 0 ? ipAllowList(o.allowedIps) : null;
  app.decorateRequest('auth', null as unknown as AuthContext);
  app.addHook('onRequest', async (request) => {
    // Unmatched routes fall through to the 404 handler without auth.
    if (!request.routeOptions.url) return;
    const kind: RouteKind = request.routeOptions.config.kind ?? 'admin';
    if (kind === 'public') return;
    if (allowed && !allowed(request.ip)) {
      throw new GatewayError(
        'TG_ERR_FORBIDDEN',
        `Access from IP address ${request.ip} is not allowed (general_settings.allowed_ips).`,
      );
    }
    const auth = await authorizer.authenticate(extractToken(request.headers, o.keyHeaderName));
    authorizer.authorizeRoute(auth, kind, request);
    request.auth = auth;
  });
}
