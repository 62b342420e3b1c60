/**
 * Gateway overhead benchmark (issue: gateway core, "Speed").
 * Layout on this 2-core machine: the server under test pinned to core 0 with taskset; the mock
 * upstream and the load generator (autocannon) on core 1. Runs, in one session:
 *   direct   — the mock upstream itself
 *   floor    — bare node:http + undici pass-through (benchmarks/support/passthrough.ts)
 *   gateway  — Tollgate (compiled, virtual-key auth, pricing, spend tracking to the embedded DB)
 * at 16 and 1 connections, non-streaming chat, plus streaming time-to-first-byte; prints a table and
 * writes bench-results/gateway.json. Usage: node --import tsx benchmarks/gateway.bench.ts [--seconds 10]
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestDatabase } from '../test/support/services.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' } } });
const SECONDS = Number(values.seconds);
const root = join(import.meta.dirname, '..');
const MOCK_PORT = 4300;
const FLOOR_PORT = 4301;
const GW_PORT = 4302;
const GW_OFF_PORT = 4303;
const GW_PG_PORT = 4304;
// Built-in prices only: a background fetch of the public cost map (and its one-time swap) would make runs
// depend on the network and on what the map holds that day.
// MALLOC_ARENA_MAX=1 as `npm start` sets it (docs/DEPLOYMENT.md, "Memory"): glibc's per-thread malloc arenas
// held ~45 MB more at peak with the embedded database's thread.
const BENCH_ENV = { TOLLGATE_LOG: 'WARN', TOLLGATE_COST_MAP: 'builtin', MALLOC_ARENA_MAX: '1' };
const BODY = JSON.stringify({ model: 'bench', messages: [{ role: 'user', content: 'hello' }] });

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function start(core: number, args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn('taskset', ['-c', String(core), process.execPath, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/ready|listening/i.test(out)) {
        child.stdout!.off('data', onData);
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${out}`)));
  });
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  requests: number;
}

function autocannon(url: string, connections: number, headers: Record<string, string>): LoadResult {
  const hdr = Object.entries({ 'content-type': 'application/json', ...headers }).flatMap(([k, v]) => [
    '-H',
    `${k}=${v}`,
  ]);
  const out = execFileSync(
    'taskset',
    [
      '-c',
      '1',
      process.execPath,
      join(root, 'node_modules/autocannon/autocannon.js'),
      '-c',
      String(connections),
      '-d',
      String(SECONDS),
      '-m',
      'POST',
      ...hdr,
      '-b',
      BODY,
      '--json',
      url,
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const j = JSON.parse(out);
  return {
    rps: j.requests.average,
    p50: j.latency.p50,
    p99: j.latency.p99,
    errors: j.errors + j.non2xx,
    requests: j.requests.total,
  };
}

function cpuMicros(pid: number): number {
  // utime + stime in clock ticks (fields 14 and 15 of /proc/PID/stat), ticks are 10 ms here.
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  return (ticks * 1e6) / 100;
}

function rssMb(pid: number): number {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const hwm = /VmHWM:\s+(\d+) kB/.exec(s);
  return hwm ? Number(hwm[1]) / 1024 : Number.NaN;
}

/**
 * Waits until the gateway's spool holds no unwritten spend event (its /metrics gauge), so that the
 * CPU a run is charged includes the spend writes it caused, also those done after the load ended
 * (the embedded database's thread runs at a lower priority and may finish later). Returns seconds.
 */
async function drained(base: string): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    // A keep-alive connection the server just closed is not an answer: ask again.
    const text = await fetch(`${base}/metrics`)
      .then((r) => r.text())
      .catch(() => null);
    const m = text === null ? null : /^tollgate_spool_pending_events (\d+)/m.exec(text);
    if (text !== null && (!m || m[1] === '0')) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > 300_000) throw new Error(`${base}: spool not drained after 300 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs a probe script of benchmarks/support on core 1 (beside the mock) and returns its last line, parsed. */
function runProbe<T>(script: string, args: string[]): T {
  const out = execFileSync(
    'taskset',
    ['-c', '1', process.execPath, '--import', 'tsx', join(root, 'benchmarks/support', script), ...args],
    { cwd: root, encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').pop()!);
}

/** Sequential non-streaming latency on one connection (benchmarks/support/latency.ts). */
function probe(url: string, auth?: string): { p50Ms: number; p95Ms: number; p99Ms: number } {
  return runProbe('latency.ts', [url, '1000', '0', ...(auth ? [auth] : [])]);
}

/** Stream TTFB of the floor and the gateway in alternated pairs (benchmarks/support/ttfb-pair.ts). */
function ttfbPair(
  floorUrl: string,
  gatewayUrl: string,
  auth: string,
): { a: Record<string, number>; b: Record<string, number>; diffP50Ms: number } {
  return runProbe('ttfb-pair.ts', [floorUrl, '-', gatewayUrl, auth, '2000']);
}

async function main() {
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  const work = mkdtempSync(join(tmpdir(), 'tollgate-bench-'));
  const cfg = join(work, 'config.yaml');
  const yaml = (tracking: boolean) => `model_list:
  - model_name: bench
    litellm_params:
      model: openai/bench
      api_base: http://127.0.0.1:${MOCK_PORT}/v1
      api_key: sk-mock
    model_info:
      input_cost_per_token: 0.0000025
      output_cost_per_token: 0.00001
general_settings:
  master_key: sk-bench-master
  disable_spend_logs: ${!tracking}
`;
  writeFileSync(cfg, yaml(true));
  const cfgOff = join(work, 'config-off.yaml');
  writeFileSync(cfgOff, yaml(false));
  await start(1, ['--import', 'tsx', 'src/mock-upstream/main.ts', '--port', String(MOCK_PORT)]);
  const floor = await start(0, [
    '--import',
    'tsx',
    'benchmarks/support/passthrough.ts',
    '--port',
    String(FLOOR_PORT),
    '--upstream',
    `http://127.0.0.1:${MOCK_PORT}`,
  ]);
  const gw = await start(
    0,
    [
      'bin/tollgate.js',
      '--config',
      cfg,
      '--port',
      String(GW_PORT),
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'data'),
    ],
    BENCH_ENV,
  );

  // The same gateway with its ledger on the machine's PostgreSQL (the production layout).
  const pgDb = await createTestDatabase();
  const gwPg = await start(
    0,
    [
      'bin/tollgate.js',
      '--config',
      cfg,
      '--port',
      String(GW_PG_PORT),
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'data-pg'),
      '--database-url',
      pgDb.url,
    ],
    BENCH_ENV,
  );
  const gwOff = await start(
    0,
    [
      'bin/tollgate.js',
      '--config',
      cfgOff,
      '--port',
      String(GW_OFF_PORT),
      '--host',
      '127.0.0.1',
      '--data-dir',
      join(work, 'data-off'),
    ],
    BENCH_ENV,
  );

  // A virtual key, so the run includes key auth (cached by hash) as real clients use it.
  const keyRes = await fetch(`http://127.0.0.1:${GW_PORT}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-bench-master', 'content-type': 'application/json' },
    body: JSON.stringify({ key_alias: 'bench' }),
  });
  const { key } = (await keyRes.json()) as { key: string };
  const gwAuth = { authorization: `Bearer ${key}` };
  const pgRes = await fetch(`http://127.0.0.1:${GW_PG_PORT}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-bench-master', 'content-type': 'application/json' },
    body: JSON.stringify({ key_alias: 'bench' }),
  });
  const pgAuth = { authorization: `Bearer ${((await pgRes.json()) as { key: string }).key}` };
  const offRes = await fetch(`http://127.0.0.1:${GW_OFF_PORT}/key/generate`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-bench-master', 'content-type': 'application/json' },
    body: JSON.stringify({ key_alias: 'bench' }),
  });
  const offAuth = { authorization: `Bearer ${((await offRes.json()) as { key: string }).key}` };

  const targets = {
    direct: {
      url: `http://127.0.0.1:${MOCK_PORT}/v1/chat/completions`,
      headers: { authorization: 'Bearer sk-mock' },
      pid: 0,
    },
    floor: { url: `http://127.0.0.1:${FLOOR_PORT}/v1/chat/completions`, headers: {}, pid: floor.pid! },
    gateway: { url: `http://127.0.0.1:${GW_PORT}/v1/chat/completions`, headers: gwAuth, pid: gw.pid! },
    gatewayPostgres: {
      url: `http://127.0.0.1:${GW_PG_PORT}/v1/chat/completions`,
      headers: pgAuth,
      pid: gwPg.pid!,
    },
    gatewayTrackingOff: {
      url: `http://127.0.0.1:${GW_OFF_PORT}/v1/chat/completions`,
      headers: offAuth,
      pid: gwOff.pid!,
    },
  };
  const results: Record<string, Record<string, unknown>> = {};
  for (const [name, t] of Object.entries(targets)) {
    autocannon(t.url, 16, t.headers); // warm-up (JIT, connection pools)
    const cpu0 = t.pid ? cpuMicros(t.pid) : 0;
    const c16 = autocannon(t.url, 16, t.headers);
    const cpuLoad = t.pid ? cpuMicros(t.pid) : 0;
    const drainSeconds = t.pid && name !== 'floor' ? await drained(new URL(t.url).origin) : 0;
    const cpu1 = t.pid ? cpuMicros(t.pid) : 0;
    const auth = (t.headers as Record<string, string>).authorization;
    const one = probe(t.url, auth);
    results[name] = {
      rps16: Math.round(c16.rps),
      p50ms16: c16.p50,
      p99ms16: c16.p99,
      p50ms1: one.p50Ms,
      p95ms1: one.p95Ms,
      p99ms1: one.p99Ms,
      errors: c16.errors,
      // Including the spend writes finished after the load (drainSeconds); cpuInLoad: within it.
      cpuMicrosPerRequest: t.pid ? Math.round((cpu1 - cpu0) / c16.requests) : null,
      cpuInLoad: t.pid ? Math.round((cpuLoad - cpu0) / c16.requests) : null,
      drainSeconds: Number(drainSeconds.toFixed(2)),
      rssMb: t.pid ? Math.round(rssMb(t.pid)) : null,
    };
  }
  // Floor and gateway in alternation (benchmarks/support/ttfb-pair.ts): the target is a difference of 0.3 ms, and
  // two probes run one after the other drifted apart by up to 0.2 ms on their own.
  const pair = ttfbPair(targets.floor.url, targets.gateway.url, gwAuth.authorization);
  results.floor.ttfb = pair.a;
  results.gateway.ttfb = pair.b;

  const g = results.gateway as Record<string, number>;
  const f = results.floor as Record<string, number>;
  const d = results.direct as Record<string, number>;
  const off = results.gatewayTrackingOff as Record<string, number>;
  const pgr = results.gatewayPostgres as Record<string, number>;
  const pctOf = (r: Record<string, number>) => Math.round((100 * r.rps16) / f.rps16);
  const cpuX = (r: Record<string, number>) => (r.cpuMicrosPerRequest / f.cpuMicrosPerRequest).toFixed(2);
  const ttfb = (r: Record<string, unknown>) => (r.ttfb as { p50Ms: number }).p50Ms;
  // The speed issue's targets, each as a ratio to the pass-through of this run.
  const speed = {
    postgres: `${pctOf(pgr)}% of floor req/s (>= 45%), CPU ${cpuX(pgr)}x floor (<= 2.2x), RSS ${pgr.rssMb} MB (<= 150 MB)`,
    embedded: `${pctOf(g)}% of floor req/s (>= 30%), p99 at 1 conn ${g.p99ms1} ms (<= 3 ms; floor ${f.p99ms1} ms), RSS ${g.rssMb} MB (<= 200 MB), drained ${g.drainSeconds} s after the load`,
    trackingOff: `${pctOf(off)}% of floor req/s (>= 60%), CPU ${cpuX(off)}x floor`,
    streamTtfb: `${pair.diffP50Ms.toFixed(2)} ms over floor, median of 2,000 alternated pairs (<= 0.3 ms)`,
  };
  const checks = {
    ...speed,
    throughputVsFloor: `${Math.round((100 * g.rps16) / f.rps16)}% (target >= 50%)`,
    // autocannon reports whole milliseconds: a floor under 1 ms reads 0, and a ratio to it means nothing.
    p50VsFloor16:
      f.p50ms16 > 0
        ? `${(g.p50ms16 / f.p50ms16).toFixed(2)}x (target <= 2x)`
        : `${g.p50ms16} ms vs floor under 1 ms (autocannon's whole ms; target <= 2x)`,
    addedP50At1Conn: `${(g.p50ms1 - d.p50ms1).toFixed(2)} ms over direct (target <= 0.5 ms)`,
    ttfbVsFloor: `${(ttfb(results.gateway) - ttfb(results.floor)).toFixed(2)} ms, difference of the p50s (target within 1 ms)`,
    rss: `${g.rssMb} MB (target <= 150 MB)`,
    trackingCostPostgres: `throughput ${Math.round((100 * pgr.rps16) / off.rps16)}% of tracking-off; added p50 (1 conn) ${(pgr.p50ms1 - d.p50ms1).toFixed(3)} ms vs ${(off.p50ms1 - d.p50ms1).toFixed(3)} ms (target: within 10%)`,
    trackingCostPglite: `added p50 (1 conn) ${(g.p50ms1 - d.p50ms1).toFixed(3)} ms with tracking vs ${(off.p50ms1 - d.p50ms1).toFixed(3)} ms without; throughput ${Math.round((100 * g.rps16) / off.rps16)}% of tracking-off (target: within 10%)`,
  };
  console.table(results);
  console.table(checks);
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results/gateway.json'),
    JSON.stringify({ seconds: SECONDS, results, checks }, null, 2),
  );
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  await pgDb.drop().catch(() => {});
  rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
