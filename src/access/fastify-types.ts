/**
 * @module access/fastify-types
 * What Tollgate adds to Fastify's request and route config. Every route declares its `kind`
 * (access/types.ts RouteKind) in its config; the auth hook authorizes by kind.
 */
import type { AuthContext, RouteKind } from './types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook before any handler runs (absent only on 'public' routes). */
    auth: AuthContext;
  }
  interface FastifyContextConfig {
    kind?: RouteKind;
  }
}
