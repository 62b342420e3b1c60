/**
 * Fills a database with realistic synthetic spend logs (and their rollups and totals) through the
 * ledger's own writeSpendBatch, in batches, several in flight on PostgreSQL.
 *
 *   npm run seed:spend -- 1000000                 # DATABASE_URL=postgres://… (PostgreSQL)
 *   npm run seed:spend -- 200000 --data-dir ./data # embedded PGlite folder
 *   options: --days 60 (spread, ending now) --seed 1 --batch 5000 --concurrency 3
 */
import { pathToFileURL } from 'node:url';
import { writeSpendBatch } from '../src/ledger/batch-writer.js';
import { buildWorld, insertWorld, syntheticEvents } from '../src/reports/synthetic.js';
import type { Db } from '../src/store/db.js';
import { openStore } from '../src/store/open.js';

export interface SeedOptions {
  count: number;
  days?: number;
  seed?: number;
  batchSize?: number;
  /** Batches written at the same time (PostgreSQL only; PGlite is single-connection). */
  concurrency?: number;
  endMs?: number;
  onProgress?: (done: number, total: number) => void;
  /** Events in time order, as a live gateway writes them (default: uniformly at random over the span). */
  inTimeOrder?: boolean;
}

export async function seedSpend(db: Db, o: SeedOptions): Promise<{ inserted: number; ms: number }> {
  const started = Date.now();
  const seed = o.seed ?? 1;
  const batchSize = o.batchSize ?? 5000;
  const concurrency = db.kind === 'postgres' ? (o.concurrency ?? 3) : 1;
  const world = buildWorld({ seed });
  await insertWorld(db, world);
  const idPrefix = `seed${seed}-${started.toString(36)}`;
  const endMs = o.endMs ?? Date.now();
  let next = 0;
  let inserted = 0;
  let done = 0;
  const worker = async () => {
    while (next < o.count) {
      const offset = next;
      const n = Math.min(batchSize, o.count - offset);
      next += n;
      const events = syntheticEvents(world, n, offset, {
        seed,
        days: o.days ?? 60,
        endMs,
        idPrefix,
        ...(o.inTimeOrder ? { inTimeOrder: { total: o.count } } : {}),
      });
      const r = await writeSpendBatch(db, events);
      inserted += r.inserted;
      done += n;
      o.onProgress?.(done, o.count);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Fresh statistics (autovacuum would get there later): the planner needs them to pick the indexes.
  for (const t of [
    'tg_spend_logs',
    'tg_spend_hourly',
    'tg_spend_hourly_tags',
    'tg_spend_daily',
    'tg_spend_daily_tags',
    'tg_spend_totals',
  ]) {
    await db.query(`${db.kind === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} ${t}`);
  }
  return { inserted, ms: Date.now() - started };
}

function arg(name: string, argv: string[]): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const positional = argv.filter((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
  const count = Number(positional[0] ?? 100_000);
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`count must be a positive whole number, got ${positional[0]}`);
  const dataDir = arg('data-dir', argv);
  const databaseUrl = dataDir ? undefined : process.env.DATABASE_URL;
  if (!dataDir && !databaseUrl)
    throw new Error('Set DATABASE_URL (PostgreSQL) or pass --data-dir DIR (PGlite).');
  const db = await openStore({ databaseUrl, dataDir, poolSize: 6 });
  let lastPrint = 0;
  try {
    const r = await seedSpend(db, {
      count,
      days: Number(arg('days', argv) ?? 60),
      seed: Number(arg('seed', argv) ?? 1),
      batchSize: Number(arg('batch', argv) ?? 5000),
      concurrency: Number(arg('concurrency', argv) ?? 3),
      onProgress: (done, total) => {
        if (Date.now() - lastPrint > 2000 || done === total) {
          lastPrint = Date.now();
          process.stderr.write(`seeded ${done}/${total}\n`);
        }
      },
    });
    const rate = Math.round(r.inserted / (r.ms / 1000));
    process.stdout.write(
      `inserted ${r.inserted} spend logs in ${(r.ms / 1000).toFixed(1)} s (${rate}/s) into ${db.kind}\n`,
    );
  } finally {
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`seed-spend: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
