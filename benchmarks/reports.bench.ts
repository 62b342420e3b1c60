/**
 * Spend-report benchmark against the machine's PostgreSQL (a temporary database, dropped after):
 * seeds N realistic logs through the ledger's writeSpendBatch, then measures p50/p95 of the report
 * endpoints through Fastify (inject: routing, auth hook, handler, exact JSON serialisation).
 *
 *   node --import tsx benchmarks/reports.bench.ts [--rows 1000000] [--iterations 30] [--keep]
 *
 * Targets (issue 6): /global/spend/report 30 days p50 <= 200 ms, /spend/logs first page p50 <= 50 ms,
 * /global/spend/tags p50 <= 200 ms. Results: a table on stdout and bench-results/reports.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { seedSpend } from '../scripts/seed-spend.js';
import type { AuthContext } from '../src/access/types.js';
import { logger } from '../src/logger.js';
import { addDays, utcDay } from '../src/reports/params.js';
import { registerReportRoutes } from '../src/reports/routes.js';
import { openStore } from '../src/store/open.js';
import { buildTestApp } from '../test/support/app.js';
import { createTestDatabase } from '../test/support/services.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const rows = arg('rows', 1_000_000);
const iterations = arg('iterations', 30);
const keep = argv.includes('--keep');

const master: AuthContext = {
  isMaster: true,
  openMode: false,
  keyHash: '',
  keyAlias: null,
  userId: null,
  teamId: null,
  allowedModels: [],
  permissions: {},
  metadata: {},
  tags: [],
};

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  const tdb = await createTestDatabase();
  const db = await openStore({ databaseUrl: tdb.url, poolSize: 6 });
  try {
    process.stderr.write(`seeding ${rows} spend logs into ${tdb.url.replace(/.*\//, '')}…\n`);
    let last = 0;
    const seed = await seedSpend(db, {
      count: rows,
      days: 60,
      batchSize: 10_000,
      concurrency: 2,
      onProgress: (done, total) => {
        if (Date.now() - last > 10_000) {
          last = Date.now();
          process.stderr.write(`  ${done}/${total}\n`);
        }
      },
    });
    const counts = (
      await db.query<Record<string, string>>(`SELECT
        (SELECT count(*) FROM tg_spend_logs)::text AS logs, (SELECT count(*) FROM tg_spend_hourly)::text AS hourly,
        (SELECT count(*) FROM tg_spend_hourly_tags)::text AS hourly_tags, (SELECT count(*) FROM tg_spend_daily)::text AS daily,
        (SELECT count(*) FROM tg_spend_daily_tags)::text AS daily_tags`)
    ).rows[0];

    const app = buildTestApp({ authenticate: () => master, authorizeRoute: () => {} });
    registerReportRoutes(app, { db, logger, resetAllSpend: async () => {} });
    await app.ready();

    const end = utcDay(0);
    const start = addDays(end, -29);
    const range = `start_date=${start}&end_date=${end}`;
    const cases: { name: string; url: string; target?: number }[] = [
      {
        name: '/global/spend/report 30d (team)',
        url: `/global/spend/report?${range}&group_by=team`,
        target: 200,
      },
      { name: '/spend/logs first page (100)', url: '/spend/logs', target: 50 },
      { name: '/global/spend/tags 30d', url: `/global/spend/tags?${range}`, target: 200 },
      // Context (no target): the hourly paths.
      { name: '/global/spend/report 30d (customer)', url: `/global/spend/report?${range}&group_by=customer` },
      {
        name: '/global/spend/report 30d (team, Europe/Paris)',
        url: `/global/spend/report?${range}&timezone=Europe/Paris`,
      },
      { name: '/spend/logs?api_key=… first page', url: '/spend/logs?api_key=sk-synthetic-1-0' },
      { name: '/spend/summary 30d team,model by day', url: `/spend/summary?${range}&group_by=team,model` },
    ];
    const results = [];
    for (const c of cases) {
      const times: number[] = [];
      let bytes = 0;
      for (let i = 0; i < iterations + 3; i++) {
        const t = performance.now();
        const res = await app.inject({ method: 'GET', url: c.url });
        const ms = performance.now() - t;
        if (res.statusCode !== 200) throw new Error(`${c.url} → ${res.statusCode} ${res.body.slice(0, 300)}`);
        bytes = res.body.length;
        if (i >= 3) times.push(ms);
      }
      times.sort((a, b) => a - b);
      const p50 = pct(times, 50);
      results.push({
        name: c.name,
        url: c.url,
        p50_ms: Number(p50.toFixed(1)),
        p95_ms: Number(pct(times, 95).toFixed(1)),
        response_bytes: bytes,
        target_p50_ms: c.target ?? null,
        pass: c.target === undefined ? null : p50 <= c.target,
      });
    }
    await app.close();

    const out = {
      when: new Date().toISOString(),
      database: 'postgresql (temporary)',
      rows,
      iterations,
      seed_seconds: Number((seed.ms / 1000).toFixed(1)),
      seed_rows_per_second: Math.round(seed.inserted / (seed.ms / 1000)),
      table_rows: counts,
      load_average_1m: Number(loadavg()[0].toFixed(2)),
      results,
    };
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/reports.json', `${JSON.stringify(out, null, 2)}\n`);

    const w = Math.max(...results.map((r) => r.name.length));
    console.log(
      `\nSpend reports, ${rows} logs (seeded in ${out.seed_seconds} s, ${out.seed_rows_per_second}/s); rollups: ${JSON.stringify(counts)}; load ${out.load_average_1m}`,
    );
    console.log(
      `${'endpoint'.padEnd(w)}  ${'p50 ms'.padStart(8)}  ${'p95 ms'.padStart(8)}  ${'target'.padStart(7)}  result   bytes`,
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(w)}  ${String(r.p50_ms).padStart(8)}  ${String(r.p95_ms).padStart(8)}  ${(r.target_p50_ms ? `<=${r.target_p50_ms}` : '-').padStart(7)}  ${r.pass === null ? '-     ' : r.pass ? 'PASS  ' : 'FAIL  '}  ${r.response_bytes}`,
      );
    }
    console.log('\nwritten bench-results/reports.json');
  } finally {
    await db.close();
    if (!keep) await tdb.drop();
    else process.stderr.write(`kept ${tdb.url}\n`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
