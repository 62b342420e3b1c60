/**
 * @module gateway/error-handler
 * The one place where errors become HTTP responses, always in the OpenAI error shape
 * `{"error":{"message","type","code","param"}}`. Unknown errors are logged and answered with a
 * generic 500 that reveals nothing internal.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { GatewayError, isGatewayError } from '../errors.js';
import type { Logger } from '../logger.js';
import { DbUnavailableError, isDbInputError } from '../store/db-errors.js';

/** Maps Fastify's own errors (body parsing, size limit, validation) to GatewayErrors. */
export function toGatewayError(err: unknown, bodyLimit?: number): GatewayError {
  if (isGatewayError(err)) return err;
  const fe = err as Partial<FastifyError>;
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new GatewayError(
        'TG_ERR_BODY_TOO_LARGE',
        `Request body is larger than the limit${bodyLimit ? ` of ${bodyLimit} bytes` : ''}.`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new GatewayError('TG_ERR_BAD_REQUEST', 'Unsupported Content-Type: send application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError('TG_ERR_BAD_JSON', 'Request body is empty: expected a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new GatewayError('TG_ERR_BAD_JSON', `Malformed JSON in request body: ${fe.message}`);
    case 'FST_ERR_VALIDATION':
      return new GatewayError('TG_ERR_BAD_REQUEST', fe.message ?? 'Invalid request.');
    default:
      break;
  }
  if (err instanceof DbUnavailableError) {
    return new GatewayError('TG_ERR_UNAVAILABLE', 'The database is unreachable; retry shortly.', {
      headers: { 'retry-after': '1' },
      cause: err,
    });
  }
  if (isDbInputError(err)) {
    // PostgreSQL refused a value taken from the request (its message quotes only that value).
    return new GatewayError('TG_ERR_BAD_REQUEST', `Invalid value in the request: ${fe.message}.`, {
      cause: err,
    });
  }
  if (err instanceof SyntaxError || (fe.statusCode === 400 && /JSON/i.test(fe.message ?? ''))) {
    return new GatewayError('TG_ERR_BAD_JSON', `Malformed JSON in request body: ${fe.message}`);
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new GatewayError('TG_ERR_BAD_REQUEST', fe.message ?? 'Bad request.', { status: fe.statusCode });
  }
  return new GatewayError('TG_ERR_INTERNAL', 'Internal error in the gateway.', { cause: err });
}

export function sendError(reply: FastifyReply, err: GatewayError): FastifyReply {
  if (err.headers) reply.headers(err.headers);
  return reply.code(err.status).type('application/json').send(err.toJSON());
}

export function installErrorHandling(app: FastifyInstance, logger: Logger, bodyLimit?: number): void {
  app.setErrorHandler((error, request, reply) => {
    const ge = toGatewayError(error, bodyLimit);
    if (ge.code === 'TG_ERR_INTERNAL') {
      logger.error({ err: error, url: request.url, method: request.method }, 'unhandled error');
    }
    return sendError(reply, ge);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new GatewayError('TG_ERR_NOT_FOUND', `Route not found: ${request.method} ${request.url.split('?')[0]}`),
    ),
  );
}
