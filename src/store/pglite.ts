/**
 * @module store/pglite
 * Db over embedded PostgreSQL (PGlite, WASM) in a data folder: the zero-setup default. PGlite
 * runs in its own worker thread (store/pglite-worker.ts), so its CPU never delays a request;
 * it is single-connection, and its own queue serialises queries and transactions there.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import type { PGliteOptions } from '@electric-sql/pglite';
import type { Db, QueryResult } from './db.js';
import type { SerializedError, WorkerInit, WorkerReply, WorkerRequest } from './pglite-worker.js';

/**
 * A small buffer pool: the embedded database serves one gateway's spend writes and reports, and
 * PGlite's 128 MB default would dominate the gateway's memory.
 */
const PGLITE_OPTIONS: PGliteOptions = { postgresqlconf: ['shared_buffers=16MB', 'work_mem=4MB'] };

/**
 * The database thread's nice value: TOLLGATE_DB_NICE (0–19), default 10, which gives request
 * handling about nine tenths of a shared core while both are busy and the database all the time
 * requests leave idle. The spool absorbs what the database has not written yet.
 */
function backgroundNice(): number {
  const v = process.env.TOLLGATE_DB_NICE;
  if (v === undefined || v === '') return 10;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : 10;
}

/** dataDir undefined → in-memory (tests). */
export async function openPglite(dataDir?: string): Promise<Db> {
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    if (!existsSync(join(dataDir, 'PG_VERSION'))) await initDataDirOutOfProcess(dataDir);
  }
  const worker = startWorker({ dataDir, options: PGLITE_OPTIONS, nice: backgroundNice() });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (m: WorkerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    if (m.ok) p.resolve(m.value);
    else p.reject(revive(m.error));
  });
  const fail = (err: Error) => {
    failure = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', (err) =>
    fail(new Error(`the embedded database stopped: ${err.message}`, { cause: err })),
  );
  worker.on('exit', (code) =>
    fail(new Error(`the embedded database is closed (its thread exited with ${code})`)),
  );
  // The thread keeps the process alive only while a statement is in flight (a CLI command waits
  // for its query; an idle gateway's lifetime is decided by its server, not by its database).

  const send = <T>(m: DistributiveOmit<WorkerRequest, 'id'>): Promise<T> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...m, id });
    });
  };
  await ready;

  const onTx = (tx: number | undefined): Db => ({
    kind: 'pglite',
    query: <T>(sql: string, params?: unknown[]) => send<QueryResult<T>>({ op: 'query', sql, params, tx }),
    exec: (sql: string) => send<void>({ op: 'exec', sql, tx }),
    async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      if (tx !== undefined) return fn(onTx(tx)); // nested: the same transaction
      const id = await send<number>({ op: 'begin' });
      let result: T;
      try {
        result = await fn(onTx(id));
      } catch (err) {
        await send<void>({ op: 'end', tx: id, commit: false }).catch(() => {});
        throw err;
      }
      await send<void>({ op: 'end', tx: id, commit: true });
      return result;
    },
    async close() {
      if (tx !== undefined) return;
      try {
        await send<void>({ op: 'close' });
      } finally {
        await worker.terminate();
      }
    },
  });
  return onTx(undefined);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An error from the worker, with the fields (code = SQLSTATE, detail…) callers classify it by. */
function revive(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  Object.assign(err, e.fields);
  return err;
}

/**
 * The worker runs the compiled module next to this one; from TypeScript sources (tests, `tsx`)
 * it runs the .ts file through tsx's loader, registered inside the worker.
 */
function startWorker(init: WorkerInit): Worker {
  const here = import.meta.url;
  if (here.endsWith('.js')) return new Worker(new URL('./pglite-worker.js', here), { workerData: init });
  // The package's ESM entry (its require() entry resolves; the import one sits beside it).
  const tsx = createRequire(here)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./pglite-worker.ts', here).href;
  const boot = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: init });
}

/**
 * Creating a new data folder runs initdb inside WASM, which peaks near 800 MB and never gives the
 * memory back to the OS. Doing it in a short-lived child keeps that peak out of the gateway.
 */
async function initDataDirOutOfProcess(dataDir: string): Promise<void> {
  const code = `const { PGlite } = await import('@electric-sql/pglite');
const db = new PGlite(${JSON.stringify(dataDir)}); await db.waitReady; await db.close();`;
  // `-e` resolves bare imports from the working directory: the package root (src/store and
  // dist/store are both two levels below it), whose node_modules has PGlite.
  const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
  await promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], {
    timeout: 120_000,
    cwd: packageRoot,
  });
}
