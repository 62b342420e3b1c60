/**
 * @module access/input-guard
 * Boundary hygiene for every route that reads or writes the database on a client's behalf
 * (kinds admin, spend, key_info, info): before the handler runs, the query, path parameters and
 * JSON body are walked once and refused with a 400 naming the field when they hold a NUL byte
 * (PostgreSQL text cannot store it), nest deeper than MAX_DEPTH, or carry a string longer than
 * MAX_STRING. Route-specific checks (types, ranges) stay in each route's schema; this makes the
 * failure modes every route shares impossible to forget. LLM routes have their own validator.
 */
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import type { RouteKind } from './types.js';

export const INPUT_LIMITS = { maxDepth: 16, maxStringChars: 1024 * 1024 } as const;

const GUARDED: ReadonlySet<RouteKind> = new Set(['admin', 'spend', 'key_info', 'info']);

/** The first problem in a JSON-like value, as [path, message], or null. Never recurses past maxDepth. */
export function findUnsafeInput(value: unknown, where: string): [string, string] | null {
  const walk = (v: unknown, path: string, depth: number): [string, string] | null => {
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return [path, 'must not contain a NUL character (\\u0000)'];
      if (v.length > INPUT_LIMITS.maxStringChars) {
        return [path, `is longer than ${INPUT_LIMITS.maxStringChars} characters`];
      }
      return null;
    }
    if (typeof v !== 'object' || v === null) return null;
    if (depth >= INPUT_LIMITS.maxDepth)
      return [path, `is nested deeper than ${INPUT_LIMITS.maxDepth} levels`];
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const p = walk(v[i], `${path}[${i}]`, depth + 1);
        if (p) return p;
      }
      return null;
    }
    for (const k of Object.keys(v)) {
      if (k.includes('\u0000')) return [path, 'has a key containing a NUL character (\\u0000)'];
      const p = walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k, depth + 1);
      if (p) return p;
    }
    return null;
  };
  return walk(value, where, 0);
}

export function installInputGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const kind = request.routeOptions.config?.kind as RouteKind | undefined;
    if (!request.routeOptions.url || !GUARDED.has(kind ?? 'admin')) return;
    const problem =
      findUnsafeInput(request.params, '') ??
      findUnsafeInput(request.query, '') ??
      findUnsafeInput(request.body, '');
    if (problem) {
      const [path, message] = problem;
      throw new GatewayError(
        'TG_ERR_BAD_REQUEST',
        `Invalid request: ${path ? `"${path}" ` : ''}${message}.`,
        {
          param: path || undefined,
        },
      );
    }
  });
}
