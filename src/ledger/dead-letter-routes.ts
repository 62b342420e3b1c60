/**
 * @module ledger/dead-letter-routes
 * Admin routes over the spend dead letters: `GET /ledger/dead-letters` lists the events the
 * ledger could not store (billing fields only, never the whole line), `POST
 * /ledger/dead-letters/replay` writes them again once the cause is fixed (idempotent by
 * request_id). Master key only (route kind 'admin').
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import type { Db } from '../store/db.js';
import { listDeadLetters, replayDeadLetters } from './dead-letters.js';

export const DEAD_LETTER_ROUTES = [
  { method: 'GET', url: '/ledger/dead-letters', kind: 'admin' },
  { method: 'POST', url: '/ledger/dead-letters/replay', kind: 'admin' },
] as const;

const MAX_LIMIT = 1000;
const ID = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\w-]+$/, 'ids are letters, digits, "-" and "_"');

const listQuery = z.object({
  all: z.enum(['true', 'false']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
});

const replayBody = z.object({
  ids: z.array(ID).max(MAX_LIMIT).optional(),
  limit: z.number().int().min(1).max(MAX_LIMIT).optional(),
});

function parse<T extends z.ZodTypeAny>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.join('.');
  throw new GatewayError(
    'TG_ERR_BAD_REQUEST',
    `Invalid ${path ? `"${path}"` : 'request'}: ${issue.message}`,
    {
      param: path || undefined,
    },
  );
}

export function registerDeadLetterRoutes(app: FastifyInstance, deps: { db: Db }): void {
  app.get('/ledger/dead-letters', { config: { kind: 'admin' } }, async (request) => {
    const q = parse(listQuery, request.query);
    return listDeadLetters(deps.db, { all: q.all === 'true', limit: q.limit ?? 100 });
  });
  app.post('/ledger/dead-letters/replay', { config: { kind: 'admin' } }, async (request) => {
    const b = parse(replayBody, request.body);
    return replayDeadLetters(deps.db, { ids: b.ids, limit: b.limit ?? MAX_LIMIT });
  });
}
