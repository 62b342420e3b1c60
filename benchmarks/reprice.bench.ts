/**
 * Re-pricing benchmark on the machine's PostgreSQL (a temporary database, dropped after): seeds N synthetic
 * spend logs through the ledger (rows, rollups, totals) as a live gateway would have written them — in time
 * order, into the monthly partitions, each priced row with its stored cost explanation — then re-prices all
 * of them with a price file that
 * changes every synthetic model's prices: first a dry run (diff report), then the apply (rows, hourly/daily
 * rollups, totals, audit), and checks that the rollups still agree with the rows.
 *
 *   node --import tsx benchmarks/reprice.bench.ts [--rows 1000000] [--chunk 10000] [--workers 2] [--keep]
 *
 * Target (issue 14): re-pricing 1M rows in under a minute. Results: stdout and bench-results/reprice.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { seedSpend } from '../scripts/seed-spend.js';
import { PriceVersionRegistry, registerBuiltinVersions } from '../src/pricing/index.js';
import { priceFileFromJson } from '../src/reprice/price-file.js';
import { reprice } from '../src/reprice/reprice-run.js';
import { openStore } from '../src/store/open.js';
import { createTestDatabase } from '../test/support/services.js';

const argv = process.argv.slice(2);
const arg = (name: string, def: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const rows = arg('rows', 1_000_000);
const chunk = arg('chunk', 10_000);
const workers = arg('workers', 2);
const keep = argv.includes('--keep');

// Every synthetic model (src/reports/synthetic.ts) at a new price, so every success row changes.
const entry = (provider: string, input: number, output: number) => ({
  litellm_provider: provider,
  mode: 'chat',
  input_cost_per_token: input,
  output_cost_per_token: output,
});
const PRICES = JSON.stringify({
  'gpt-4o-2024-08-06': entry('openai', 0.000002, 0.000008),
  'gpt-4o-mini-2024-07-18': entry('openai', 1e-7, 4e-7),
  'claude-sonnet-4-20250514': entry('anthropic', 0.0000025, 0.0000125),
  'claude-3-5-haiku-20241022': entry('anthropic', 7e-7, 0.0000035),
  'vertex_ai/gemini-2.0-flash': entry('vertex_ai-language-models', 9e-8, 3.5e-7),
  'groq/llama-3.3-70b-versatile': entry('groq', 5e-7, 7e-7),
  'mistral/mistral-large-latest': entry('mistral', 0.0000018, 0.0000054),
  'text-embedding-3-small': { litellm_provider: 'openai', mode: 'embedding', input_cost_per_token: 1.5e-8 },
});

async function main() {
  const tdb = await createTestDatabase();
  const db = await openStore({ databaseUrl: tdb.url, poolSize: 4 });
  try {
    process.stderr.write(`seeding ${rows} spend logs…\n`);
    const endMs = Date.UTC(2025, 5, 30, 23, 0);
    // The gateway keeps months ahead partitioned (ledger/spend-log-partitions); history is in its months too.
    await db.query(`SELECT tg_spend_logs_ensure_partitions('2025-04-01T00:00:00Z', 0)`);
    const seed = await seedSpend(db, {
      count: rows,
      days: 60,
      batchSize: 10_000,
      concurrency: 2,
      endMs,
      inTimeOrder: true,
    });
    process.stderr.write(`seeded in ${(seed.ms / 1000).toFixed(1)} s\n`);
    const versions = () => {
      const v = new PriceVersionRegistry();
      registerBuiltinVersions(v);
      return v;
    };
    const common = {
      db,
      targets: new Map(),
      from: '2025-04-01',
      to: '2025-06-30',
      prices: priceFileFromJson('bench-prices.json', PRICES),
      actor: 'bench',
      chunkSize: chunk,
      workers,
    };
    let t0 = performance.now();
    const dry = await reprice({ ...common, versions: versions(), dryRun: true });
    const dryMs = performance.now() - t0;
    process.stderr.write(`dry run: ${dry.rows.examined} rows in ${(dryMs / 1000).toFixed(1)} s\n`);
    t0 = performance.now();
    const applied = await reprice({ ...common, versions: versions(), dryRun: false });
    const applyMs = performance.now() - t0;
    const check = (
      await db.query<Record<string, string>>(`SELECT
        (SELECT sum(spend) FROM tg_spend_logs)::text AS logs, (SELECT sum(spend) FROM tg_spend_hourly)::text AS hourly,
        (SELECT sum(spend) FROM tg_spend_daily)::text AS daily,
        (SELECT sum(spend) FROM tg_spend_totals WHERE entity_type = 'key')::text AS key_totals`)
    ).rows[0];
    const consistent =
      check.logs === check.hourly && check.logs === check.daily && check.logs === check.key_totals;
    const result = {
      when: new Date().toISOString(),
      db: 'postgres',
      rows_seeded: rows,
      chunk,
      workers,
      rows_examined: applied.rows.examined,
      rows_changed: applied.rows.changed,
      totals: applied.totals,
      dry_run_s: +(dryMs / 1000).toFixed(2),
      apply_s: +(applyMs / 1000).toFixed(2),
      apply_rows_per_s: Math.round(applied.rows.changed / (applyMs / 1000)),
      target_s: 60,
      pass: applyMs < 60_000 && consistent,
      rollups_consistent: consistent,
      sums: check,
      loadavg: loadavg().map((x) => +x.toFixed(2)),
    };
    console.log(JSON.stringify(result, null, 2));
    mkdirSync('bench-results', { recursive: true });
    writeFileSync('bench-results/reprice.json', `${JSON.stringify(result, null, 2)}\n`);
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
