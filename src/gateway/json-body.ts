/**
 * @module gateway/json-body
 * JSON request bodies, with one LiteLLM-compatible allowance: a POST that sends `Content-Type: application/json`
 * and no body at all (curl -X POST … -H 'Content-Type: application/json', as LiteLLM's docs do for
 * /global/spend/reset) is a request without a body, not malformed JSON. A non-empty body is parsed by
 * Fastify's own parser (prototype-poisoning checks, body limit).
 */
import type { FastifyInstance } from 'fastify';

export function acceptEmptyJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.length === 0 || text.trim() === '') {
      done(null, undefined);
      return;
    }
    parse(req, text, done);
  });
}
