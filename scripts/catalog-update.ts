/**
 * @module scripts/catalog-update
 * Adds a dated snapshot to the built-in price catalog from a LiteLLM model cost map file or URL. History is
 * never rewritten: builtin.json (the first snapshot) and older snapshots stay as they are; the new snapshot
 * is written as a delta (entries added or changed, keys removed) to src/pricing/catalog/snapshots/DATE.json
 * and listed in builtin-meta.json `snapshots`. Validates every entry, prints models added/removed and prices
 * changed.
 *
 *   npm run catalog:update -- FILE_OR_URL [--commit SHA] [--date YYYY-MM-DD] [--skip-invalid] [--dry-run]
 *     [--catalog-dir DIR]
 *
 * Invalid entries abort the update unless --skip-invalid (then they are left out, listed). The date must be
 * later than the latest snapshot's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCatalog, SAMPLE_SPEC_KEY, validateEntry } from '../src/pricing/catalog.js';
import { diffCatalogs, formatCatalogDiff } from '../src/pricing/catalog-diff.js';
import {
  applyDelta,
  type RawEntries,
  type SnapshotDelta,
  type SnapshotMeta,
  snapshotDelta,
} from '../src/pricing/catalog-snapshots.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Args {
  input: string;
  commit: string | null;
  date: string;
  skipInvalid: boolean;
  dryRun: boolean;
  catalogDir: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    input: '',
    commit: null,
    date: new Date().toISOString().slice(0, 10),
    skipInvalid: false,
    dryRun: false,
    catalogDir: resolve(here, '../src/pricing/catalog'),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--commit') args.commit = argv[++i] ?? null;
    else if (a === '--date') args.date = argv[++i] ?? args.date;
    else if (a === '--skip-invalid') args.skipInvalid = true;
    else if (a === '--dry-run') args.dryRun = true;
    else if (a === '--catalog-dir') args.catalogDir = resolve(argv[++i] ?? '');
    else if (!a.startsWith('--') && !args.input) args.input = a;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!args.input)
    throw new Error(
      'usage: npm run catalog:update -- FILE_OR_URL [--commit SHA] [--date YYYY-MM-DD] [--skip-invalid] [--dry-run]',
    );
  if (!/^\d{4}-\d{2}-\d{2}$/.test(args.date)) throw new Error(`--date must be YYYY-MM-DD, got ${args.date}`);
  args.commit ??= /\/([0-9a-f]{40})\//.exec(args.input)?.[1] ?? null;
  return args;
}

async function readInput(input: string): Promise<string> {
  if (/^https?:\/\//.test(input)) {
    const res = await fetch(input, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`GET ${input}: HTTP ${res.status}`);
    return await res.text();
  }
  return readFileSync(input, 'utf8');
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const text = await readInput(args.input);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new Error('cost map must be a JSON object');

  const out: Record<string, unknown> = {};
  const invalid: string[] = [];
  for (const [key, entry] of Object.entries(json as Record<string, unknown>)) {
    if (key === SAMPLE_SPEC_KEY) continue;
    const problems = validateEntry(entry);
    if (problems.length > 0) invalid.push(`${key}: ${problems.join('; ')}`);
    else out[key] = entry;
  }
  if (invalid.length > 0) {
    console.error(`${invalid.length} invalid entries:\n${invalid.map((i) => `  ${i}`).join('\n')}`);
    if (!args.skipInvalid) {
      console.error('aborted (use --skip-invalid to leave them out)');
      return 1;
    }
  }
  const META = resolve(args.catalogDir, 'builtin-meta.json');
  const meta = JSON.parse(readFileSync(META, 'utf8')) as Record<string, unknown> & {
    snapshot: string;
    snapshots?: SnapshotMeta[];
  };
  const listed = meta.snapshots ?? [];
  // The latest snapshot: builtin.json with every delta applied in order.
  let latest = JSON.parse(readFileSync(resolve(args.catalogDir, 'builtin.json'), 'utf8')) as RawEntries;
  for (const s of listed) {
    const d = JSON.parse(readFileSync(resolve(args.catalogDir, s.file), 'utf8')) as SnapshotDelta;
    latest = applyDelta(latest, d);
  }
  const latestDate = listed.length ? listed[listed.length - 1].date : meta.snapshot;
  if (args.date <= latestDate) {
    console.error(
      `--date ${args.date} is not after the latest snapshot (${latestDate}): history is never rewritten`,
    );
    return 1;
  }
  const prev = parseCatalog(latest, { source: 'builtin', snapshot: latestDate }).catalog;
  const next = parseCatalog(out, { source: args.input, snapshot: args.date }).catalog;
  console.log(formatCatalogDiff(diffCatalogs(prev, next)));
  const delta = snapshotDelta(latest, out, args.date);
  const changed = Object.keys(delta.changed).length;
  if (changed === 0 && delta.removed.length === 0) {
    console.log('no entry changed since the latest snapshot: nothing written');
    return 0;
  }
  if (args.dryRun) {
    console.log(
      `dry run: a snapshot of ${changed} changed and ${delta.removed.length} removed entries would be written`,
    );
    return 0;
  }
  const file = `snapshots/${args.date}.json`;
  mkdirSync(resolve(args.catalogDir, 'snapshots'), { recursive: true });
  writeFileSync(resolve(args.catalogDir, file), `${JSON.stringify(delta, null, 1)}\n`);
  const entry: SnapshotMeta = {
    date: args.date,
    file,
    source: args.input.startsWith('http') ? args.input : 'LiteLLM model_prices_and_context_window.json',
    upstreamCommit: args.commit,
    sha256,
    changed,
    removed: delta.removed.length,
  };
  meta.snapshots = [...listed, entry];
  writeFileSync(META, `${JSON.stringify(meta, null, 2)}\n`);
  console.log(
    `wrote ${file} (${changed} changed, ${delta.removed.length} removed of ${next.size} models, in effect from ${args.date}, sha256 ${sha256.slice(0, 12)}…)`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`catalog:update failed: ${(err as Error).message}`);
    process.exit(1);
  },
);
