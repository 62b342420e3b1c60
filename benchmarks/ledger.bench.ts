/**
 * Spend ledger benchmark against the machine's PostgreSQL (a temporary database, dropped at the
 * end): spool append latency (record()) and sustained spend events/s committed to the database.
 * Run: node --import tsx benchmarks/ledger.bench.ts [events=50000]
 * Prints a table and writes bench-results/ledger.json. Targets: >= 2,000 events/s, append p99 <= 50 µs.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { createLedger, type Ledger } from '../src/ledger/ledger.js';
import type { SpendEvent } from '../src/ledger/spend-event.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';
import { randomSpendEvents } from '../test/support/ledger-events.js';
import { createTestDatabase } from '../test/support/services.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = Number(process.argv[2] ?? 50_000);
const silent = pino({ level: 'silent' });
const tick = () => new Promise<void>((r) => setImmediate(r));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function events(n: number, tag: string): SpendEvent[] {
  return randomSpendEvents(n, 7).map((e, i) => ({ ...e, requestId: `${tag}-${i}-${e.requestId}` }));
}

async function count(db: Db): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tg_spend_logs')).rows[0].n;
}

/** Records as fast as the event loop allows (yielding every 100 events), then flushes. */
async function maxThroughput(db: Db, ledger: Ledger, evs: SpendEvent[]) {
  const before = await count(db);
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < evs.length; i++) {
    const a = process.hrtime.bigint();
    ledger.record(evs[i]);
    lat.push(Number(process.hrtime.bigint() - a) / 1000);
    if (i % 100 === 99) await tick();
  }
  const recordedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  await ledger.flush();
  const totalMs = Number(process.hrtime.bigint() - t0) / 1e6;
  // This process's CPU (user + system) from the first record() to the last commit: the spool
  // append and the writer's side of every batch; PostgreSQL's own work is in its processes.
  const cpu = process.cpuUsage(cpu0);
  const cpuMicrosPerEvent = (cpu.user + cpu.system) / evs.length;
  const written = (await count(db)) - before;
  if (written !== evs.length) throw new Error(`expected ${evs.length} rows, found ${written}`);
  return {
    events: evs.length,
    recordedMs,
    totalMs,
    eventsPerSec: (evs.length / totalMs) * 1000,
    cpuMicrosPerEvent,
    lat,
  };
}

/** Offers `rate` events/s for `seconds`, measuring record() latency and the spool backlog. */
async function paced(db: Db, ledger: Ledger, rate: number, seconds: number) {
  const evs = events(rate * seconds, `paced${rate}`);
  const before = await count(db);
  const lat: number[] = [];
  let maxPending = 0;
  const t0 = Date.now();
  let i = 0;
  while (i < evs.length) {
    const due = Math.min(evs.length, Math.floor(((Date.now() - t0) / 1000) * rate));
    while (i < due) {
      const a = process.hrtime.bigint();
      ledger.record(evs[i++]);
      lat.push(Number(process.hrtime.bigint() - a) / 1000);
    }
    maxPending = Math.max(maxPending, ledger.stats().pending);
    await new Promise((r) => setTimeout(r, 5));
  }
  const offeredMs = Date.now() - t0;
  await ledger.flush();
  const drainMs = Date.now() - t0 - offeredMs;
  const written = (await count(db)) - before;
  if (written !== evs.length) throw new Error(`expected ${evs.length} rows, found ${written}`);
  return { rate, seconds, events: evs.length, offeredMs, drainAfterMs: drainMs, maxPending, lat };
}

/** record() alone: a ledger whose writer is not started (no reads, no DB work in the process). */
async function appendOnly(n: number, rate: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tg-ledger-bench-append-'));
  const db = { kind: 'postgres' } as unknown as Db; // never used: the writer is not started
  const ledger = createLedger({ db, spoolDir: dir, logger: silent });
  const evs = events(n, 'append');
  const lat: number[] = [];
  const t0 = Date.now();
  let i = 0;
  while (i < evs.length) {
    const due = Math.min(evs.length, Math.floor(((Date.now() - t0) / 1000) * rate));
    while (i < due) {
      const a = process.hrtime.bigint();
      ledger.record(evs[i++]);
      lat.push(Number(process.hrtime.bigint() - a) / 1000);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await ledger.close();
  rmSync(dir, { recursive: true, force: true });
  return lat;
}

function latencySummary(lat: number[]) {
  const s = [...lat].sort((a, b) => a - b);
  return {
    samples: s.length,
    p50: +pct(s, 50).toFixed(2),
    p99: +pct(s, 99).toFixed(2),
    p999: +pct(s, 99.9).toFixed(2),
    max: +s[s.length - 1].toFixed(2),
  };
}

async function main() {
  const t = await createTestDatabase();
  const db = await openStore({ databaseUrl: t.url });
  const spoolDir = mkdtempSync(join(tmpdir(), 'tg-ledger-bench-'));
  const ledger = createLedger({ db, spoolDir, logger: silent });
  try {
    await ledger.start();
    // Warm-up (JIT, connections).
    await maxThroughput(db, ledger, events(2_000, 'warm'));
    const max = await maxThroughput(db, ledger, events(N, 'max'));
    const pace = await paced(db, ledger, 3_000, 10);
    const sample = events(1, 'size')[0];
    const isolated = latencySummary(await appendOnly(30_000, 5_000));

    const underLoad = latencySummary([...max.lat, ...pace.lat]);
    const result = {
      benchmark: 'ledger',
      date: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      loadAverage1m: +loadavg()[0].toFixed(2),
      database: 'postgresql (local)',
      batchSize: 500,
      flushIntervalMs: 1000,
      eventJsonBytes: Buffer.byteLength(JSON.stringify(sample)) + 1,
      maxThroughput: {
        events: max.events,
        recordMs: +max.recordedMs.toFixed(1),
        committedMs: +max.totalMs.toFixed(1),
        eventsPerSec: Math.round(max.eventsPerSec),
        gatewayCpuMicrosPerEvent: +max.cpuMicrosPerEvent.toFixed(1),
      },
      paced3000: {
        offeredPerSec: pace.rate,
        seconds: pace.seconds,
        events: pace.events,
        maxSpoolPending: pace.maxPending,
        drainAfterOfferMs: pace.drainAfterMs,
        appendLatencyUs: latencySummary(pace.lat),
      },
      /** record() with the writer idle: the spool append itself (JSON line + one write()). */
      appendLatencyUs: isolated,
      /** record() while the writer and PostgreSQL share the CPUs (the two runs above). */
      appendLatencyUnderLoadUs: underLoad,
      targets: { eventsPerSec: 2000, appendP99Us: 50 },
      pass: max.eventsPerSec >= 2000 && isolated.p99 <= 50,
    };
    const rows: Array<[string, string]> = [
      ['sustained events/s into PostgreSQL (max)', String(result.maxThroughput.eventsPerSec)],
      [
        `  ${max.events} events recorded in / committed in`,
        `${result.maxThroughput.recordMs} ms / ${result.maxThroughput.committedMs} ms`,
      ],
      [
        '  gateway-side CPU per event (record + writer)',
        `${result.maxThroughput.gatewayCpuMicrosPerEvent} µs`,
      ],
      ['paced 3,000/s for 10 s: max spool backlog', `${pace.maxPending} events`],
      ['paced 3,000/s: drained after offer ended', `${pace.drainAfterMs} ms`],
      [
        'spool append p50 / p99 / p99.9 / max (µs)',
        `${isolated.p50} / ${isolated.p99} / ${isolated.p999} / ${isolated.max}`,
      ],
      [
        '  same, with writer + PostgreSQL busy (µs)',
        `${underLoad.p50} / ${underLoad.p99} / ${underLoad.p999} / ${underLoad.max}`,
      ],
      ['load average (1 min) at the end', String(result.loadAverage1m)],
      ['event size (JSON line)', `${result.eventJsonBytes} B`],
      ['targets (>= 2000/s, p99 <= 50 µs)', result.pass ? 'PASS' : 'FAIL'],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    console.log('\nTollgate ledger benchmark');
    for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results', 'ledger.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('\nwrote bench-results/ledger.json');
  } finally {
    await ledger.close();
    await db.close();
    await t.drop();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}

await main();
