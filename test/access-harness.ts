/**
 * Test harness for the access e2e tests: databases (PGlite or PostgreSQL), a fake clock, an
 * AccessService behind the real auth hook (buildTestApp), a test LLM route that admits a request
 * the way the gateway does, and a stand-in for the ledger's tg_spend_totals writes.
 */
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { SettleableAdmission } from '../src/access/admission.js';
import { type AccessOptions, type AccessService, createAccessService } from '../src/access/service.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from './support/app.js';
import { createTestDatabase } from './support/services.js';

export const MASTER = 'sk-master-test-1234';

export interface TestDb {
  url?: string;
  db: Db;
  /** Number of queries run since the last reset (to prove the hot path does not touch the DB). */
  queries: { count: number };
  close(): Promise<void>;
}

export async function openTestDb(kind: 'pglite' | 'postgres', url?: string): Promise<TestDb> {
  let dropFn: (() => Promise<void>) | undefined;
  let dbUrl = url;
  if (kind === 'postgres' && !dbUrl) {
    const t = await createTestDatabase();
    dbUrl = t.url;
    dropFn = t.drop;
  }
  const inner = await openStore(kind === 'postgres' ? { databaseUrl: dbUrl, poolSize: 20 } : {});
  const queries = { count: 0 };
  const wrap = (d: Db): Db => ({
    kind: d.kind,
    query: (sql, params) => {
      queries.count++;
      return d.query(sql, params);
    },
    exec: (sql) => d.exec(sql),
    transaction: (fn) => d.transaction((tx) => fn(wrap(tx))),
    close: () => d.close(),
  });
  return {
    db: wrap(inner),
    queries,
    url: dbUrl,
    async close() {
      await inner.close();
      await dropFn?.();
    },
  };
}

export function fakeClock(start = Date.UTC(2031, 0, 1, 0, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export const silentLogger = pino({ level: 'silent' });

/** A logger whose lines are kept (for alert log assertions). */
export function captureLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino(
    { level: 'info' },
    {
      write(s: string) {
        lines.push(JSON.parse(s));
      },
    },
  );
  return { logger, lines };
}

export interface Harness {
  service: AccessService;
  app: FastifyInstance;
  /** Admissions made through POST /test/llm, by request id. */
  held: Map<string, SettleableAdmission>;
  close(): Promise<void>;
}

let seq = 0;

/** AccessService + test app with the access routes and POST /test/llm (kind 'llm'). */
export async function makeHarness(db: Db, opts: Partial<AccessOptions> = {}): Promise<Harness> {
  const service = createAccessService({
    db,
    masterKey: MASTER,
    logger: silentLogger,
    modelNames: () => ['gpt-4o', 'gpt-4o-mini', 'claude'],
    maintenanceIntervalMs: 0,
    reconcileIntervalMs: 0,
    ...opts,
  });
  await service.start();
  const app = buildTestApp(service);
  service.registerRoutes(app);
  const held = new Map<string, SettleableAdmission>();
  app.post('/test/llm', { config: { kind: 'llm' } }, async (request) => {
    const body = request.body as { model: string; user?: string; max_cost?: string; prompt_tokens?: number };
    const requestId = `req-${process.pid}-${++seq}`;
    const admission = await service.admit(request.auth, {
      requestId,
      callType: 'chat',
      modelGroup: body.model,
      endUser: body.user ?? null,
      maxCostUsd: body.max_cost ?? '0',
      promptTokens: body.prompt_tokens ?? 0,
    });
    held.set(requestId, admission);
    return { admitted: true, request_id: requestId };
  });
  await app.ready();
  return {
    service,
    app,
    held,
    async close() {
      await app.close();
      await service.close();
    },
  };
}

export function auth(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** Calls a management route with the master key and returns the parsed JSON (asserting 200). */
export async function admin(app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: auth(MASTER),
    payload: payload as object | undefined,
  });
  if (res.statusCode !== 200) throw new Error(`${method} ${url} → ${res.statusCode}: ${res.body}`);
  return res.json();
}

/** What the ledger does ~1 s after a request: a spend log row and tg_spend_totals increments. */
export async function recordSpend(
  db: Db,
  who: { key?: string; user?: string; team?: string; endUser?: string },
  cost: string,
  at = Date.now(),
): Promise<void> {
  const id = `log-${process.pid}-${++logSeq}`;
  await db.query(
    `INSERT INTO tg_spend_logs (request_id, call_type, api_key, "user", team_id, end_user, model_group, model,
       provider, spend, start_time, end_time, status)
     VALUES ($1, 'chat', $2, $3, $4, $5, 'gpt-4o', 'gpt-4o', 'openai', $6::numeric, $7, $7, 'success')`,
    [id, who.key ?? '', who.user ?? null, who.team ?? null, who.endUser ?? null, cost, new Date(at)],
  );
  const entities: Array<[string, string | undefined]> = [
    ['key', who.key],
    ['user', who.user],
    ['team', who.team],
    ['end_user', who.endUser],
  ];
  for (const [type, entityId] of entities) {
    if (!entityId) continue;
    await db.query(
      `INSERT INTO tg_spend_totals (entity_type, entity_id, spend, request_count) VALUES ($1, $2, $3::numeric, 1)
       ON CONFLICT (entity_type, entity_id) DO UPDATE SET spend = tg_spend_totals.spend + EXCLUDED.spend,
         request_count = tg_spend_totals.request_count + 1`,
      [type, entityId, cost],
    );
  }
}

let logSeq = 0;

export async function dbSpend(db: Db, type: string, id: string): Promise<string> {
  const r = await db.query<{ spend: string }>(
    'SELECT spend::text AS spend FROM tg_spend_totals WHERE entity_type = $1 AND entity_id = $2',
    [type, id],
  );
  return r.rows[0]?.spend ?? '0';
}
