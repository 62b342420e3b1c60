/**
 * @module store/pglite-worker
 * The embedded database's own thread: PGlite (PostgreSQL compiled to WASM) runs here, so a query's
 * CPU — the spend writer's batches, a report's scan — never runs on the thread that serves requests.
 * store/pglite.ts posts requests ({id, op, …}) and gets one reply per id. A transaction is opened by
 * 'begin', its statements carry its id, and 'end' commits or rolls it back; PGlite's own queue holds
 * other statements until it ends, as it does on one thread.
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type PGliteOptions, type Transaction, types } from '@electric-sql/pglite';

export type WorkerRequest =
  | { id: number; op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { id: number; op: 'exec'; sql: string; tx?: number }
  | { id: number; op: 'begin' }
  | { id: number; op: 'end'; tx: number; commit: boolean }
  | { id: number; op: 'close' };

export type WorkerReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: SerializedError };

/** A PostgreSQL error's fields (code = SQLSTATE, detail, …): callers classify errors by them. */
export interface SerializedError {
  name: string;
  message: string;
  fields: Record<string, unknown>;
}

export interface WorkerInit {
  dataDir: string | undefined;
  options: PGliteOptions;
  /** Nice value for this thread (Linux), so request handling preempts the database; 0 = unchanged. */
  nice: number;
}

/**
 * Lowers this thread's scheduling priority (Linux: setpriority on the thread id, which
 * /proc/thread-self names). When the gateway has fewer cores than busy threads, a spend batch in
 * WASM would otherwise take whole time slices from the request thread (milliseconds of added
 * latency); at a lower priority the request thread preempts it on wake-up, and the database uses
 * the time the requests leave. Elsewhere, or where it is not permitted, it keeps the process's.
 */
function lowerThreadPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    // Only ever lower it: a process started niced keeps the database at least as low.
    if (Number.isInteger(tid) && tid > 0 && getPriority(tid) < nice) setPriority(tid, nice);
  } catch {
    // not Linux, or not permitted: the process's priority
  }
}

function serialize(err: unknown): SerializedError {
  const e = err as Error;
  const fields: Record<string, unknown> = {};
  if (e && typeof e === 'object') {
    for (const [k, v] of Object.entries(e)) {
      if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
    }
  }
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), fields };
}

/** Like node-postgres: rows returned for SELECT, rows changed for INSERT/UPDATE/DELETE. */
function rowCountOf(r: { rows: unknown[]; affectedRows?: number }): number {
  return Math.max(r.rows.length, r.affectedRows ?? 0);
}

interface OpenTx {
  t: Transaction;
  finish: (commit: boolean) => void;
  done: Promise<void>;
}

const jsonbText = types.serializers[types.JSONB];

/**
 * A jsonb parameter given as bytes (store/jsonb-param: PostgreSQL's binary format) goes to the
 * server as is; any other value is serialised as PGlite does. PGlite's bind message sends a typed
 * array as a binary parameter (its protocol code is node-postgres's), though its serializer type
 * promises a string: hence the cast. store.test.ts checks the round trip through this thread.
 */
const BINARY_JSONB: NonNullable<PGliteOptions['serializers']> = {
  [types.JSONB]: (v: unknown) => (ArrayBuffer.isView(v) ? (v as unknown as string) : jsonbText(v)),
};

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('store/pglite-worker must run as a worker thread');
  const init = workerData as WorkerInit;
  lowerThreadPriority(init.nice);
  const options: PGliteOptions = { ...init.options, serializers: BINARY_JSONB };
  const pg = init.dataDir ? new PGlite(init.dataDir, options) : new PGlite(options);
  const txs = new Map<number, OpenTx>();
  let nextTx = 1;
  const reply = (m: WorkerReply) => port.postMessage(m);

  const begin = () =>
    new Promise<number>((opened, failed) => {
      const id = nextTx++;
      let finish!: (commit: boolean) => void;
      const decided = new Promise<boolean>((r) => {
        finish = r;
      });
      const done = pg
        .transaction(async (t) => {
          txs.set(id, { t, finish, done });
          opened(id);
          // Throwing rolls back; returning commits.
          if (!(await decided)) throw ROLLBACK;
        })
        .then(
          () => undefined,
          (err) => {
            if (err !== ROLLBACK) throw err;
          },
        )
        .finally(() => txs.delete(id));
      done.catch(failed); // a BEGIN that fails before the callback runs
    });

  const run = async (m: WorkerRequest): Promise<unknown> => {
    switch (m.op) {
      case 'query': {
        const on = m.tx === undefined ? pg : txOf(m.tx).t;
        const r = await on.query(m.sql, m.params);
        return { rows: r.rows, rowCount: rowCountOf(r) };
      }
      case 'exec':
        await (m.tx === undefined ? pg : txOf(m.tx).t).exec(m.sql);
        return null;
      case 'begin':
        return begin();
      case 'end': {
        const tx = txOf(m.tx);
        tx.finish(m.commit);
        await tx.done;
        return null;
      }
      case 'close':
        await pg.close();
        return null;
    }
  };
  const txOf = (id: number): OpenTx => {
    const tx = txs.get(id);
    if (!tx) throw new Error(`transaction ${id} is not open`);
    return tx;
  };

  port.on('message', (m: WorkerRequest) => {
    run(m).then(
      (value) => reply({ id: m.id, ok: true, value }),
      (err) => reply({ id: m.id, ok: false, error: serialize(err) }),
    );
  });
  try {
    await pg.waitReady;
    reply({ id: 0, ok: true, value: null });
  } catch (err) {
    reply({ id: 0, ok: false, error: serialize(err) });
  }
}

const ROLLBACK = Symbol('rollback');

void main();
