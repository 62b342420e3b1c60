/**
 * @module access/json
 * JSON replies with exact money: `money(x)` marks a value that must be written as a JSON number
 * verbatim (shortest exact decimal), never through a binary float.
 */
import type { FastifyReply } from 'fastify';
import { formatMoney, type Money, parseMoney } from '../pricing/money.js';

const MARK = '\u0000tgnum:';
const MARK_RE = /"\\u0000tgnum:(-?\d+(?:\.\d+)?)"/g;

/** Marks money (Money or decimal text) for exact JSON output; null stays null. */
export function money(value: Money | string | null | undefined): unknown {
  if (value === null || value === undefined) return null;
  const m = typeof value === 'bigint' ? value : parseMoney(value);
  return MARK + formatMoney(m);
}

export function stringifyExact(value: unknown): string {
  return JSON.stringify(value).replace(MARK_RE, '$1');
}

export function sendJson(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(stringifyExact(body));
}
