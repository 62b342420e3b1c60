/**
 * Builds a Fastify app with Tollgate's error handling and auth hook, for testing route plugins
 * without the whole gateway.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import '../../src/access/fastify-types.js';
import { installAuth, type RouteAuthorizer } from '../../src/gateway/auth-hook.js';
import { installErrorHandling } from '../../src/gateway/error-handler.js';
import { logger } from '../../src/logger.js';

export function buildTestApp(authorizer: RouteAuthorizer): FastifyInstance {
  const app = Fastify({ logger: false });
  installErrorHandling(app, logger);
  installAuth(app, authorizer);
  return app;
}
