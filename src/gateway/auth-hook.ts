/**
 * @module gateway/auth-hook
 * Authenticates every request (Bearer token, `x-api-key` or `api-key` header, as OpenAI,
 * Anthropic and Azure clients send them) and authorizes it by the route's declared kind.
 * Routes without a kind are treated as 'admin' (master key only): safe by default.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthContext, RouteAuthorizer, RouteKind } from '../access/types.js';

export type { RouteAuthorizer };

export function extractToken(headers: FastifyRequest['headers']): string | undefined {
  const h = headers.authorization;
  if (typeof h === 'string' && h.length > 0) {
    return h.startsWith('Bearer ') || h.startsWith('bearer ') ? h.slice(7).trim() : h.trim();
  }
  const x = headers['x-api-key'] ?? headers['api-key'];
  return typeof x === 'string' && x.length > 0 ? x.trim() : undefined;
}

export function installAuth(app: FastifyInstance, authorizer: RouteAuthorizer): void {
  app.decorateRequest('auth', null as unknown as AuthContext);
  app.addHook('onRequest', async (request) => {
    // Unmatched routes fall through to the 404 handler without auth.
    if (!request.routeOptions.url) return;
    const kind: RouteKind = request.routeOptions.config.kind ?? 'admin';
    if (kind === 'public') return;
    const auth = await authorizer.authenticate(extractToken(request.headers));
    authorizer.authorizeRoute(auth, kind, request);
    request.auth = auth;
  });
}
