/**
 * @module scripts/catalog-update
 * Regenerates the built-in price catalog (src/pricing/catalog/builtin.json + builtin-meta.json) from a
 * LiteLLM model cost map file or URL. Validates every entry, prints models added/removed and prices changed.
 *
 *   npm run catalog:update -- FILE_OR_URL [--commit SHA] [--date YYYY-MM-DD] [--skip-invalid] [--dry-run]
 *
 * Invalid entries abort the update unless --skip-invalid (then they are left out, listed).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCatalog, SAMPLE_SPEC_KEY, validateEntry } from '../src/pricing/catalog.js';
import { diffCatalogs, formatCatalogDiff } from '../src/pricing/catalog-diff.js';

const here = dirname(fileURLToPath(import.meta.url));
const CATALOG_DIR = resolve(here, '../src/pricing/catalog');
const BUILTIN = resolve(CATALOG_DIR, 'builtin.json');
const META = resolve(CATALOG_DIR, 'builtin-meta.json');

interface Args {
  input: string;
  commit: string | null;
  date: string;
  skipInvalid: boolean;
  dryRun: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    input: '',
    commit: null,
    date: new Date().toISOString().slice(0, 10),
    skipInvalid: false,
    dryRun: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--commit') args.commit = argv[++i] ?? null;
    else if (a === '--date') args.date = argv[++i] ?? args.date;
    else if (a === '--skip-invalid') args.skipInvalid = true;
    else if (a === '--dry-run') args.dryRun = true;
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
  const meta = { source: args.input, snapshot: args.date };
  const next = parseCatalog(out, meta).catalog;
  if (existsSync(BUILTIN)) {
    const prev = parseCatalog(JSON.parse(readFileSync(BUILTIN, 'utf8')), {
      source: 'builtin',
      snapshot: '',
    }).catalog;
    console.log(formatCatalogDiff(diffCatalogs(prev, next)));
  } else {
    console.log(`new catalog: ${next.size} models`);
  }
  if (args.dryRun) {
    console.log('dry run: nothing written');
    return 0;
  }
  writeFileSync(BUILTIN, `${JSON.stringify(out, null, 2)}\n`);
  const metaJson = {
    source: args.input.startsWith('http') ? args.input : 'LiteLLM model_prices_and_context_window.json',
    upstream: 'https://github.com/BerriAI/litellm/blob/main/model_prices_and_context_window.json',
    upstreamCommit: args.commit,
    snapshot: args.date,
    sha256,
    bytes: Buffer.byteLength(text),
    entries: next.size,
    skippedInvalid: invalid.length,
    license: 'MIT (LiteLLM)',
  };
  writeFileSync(META, `${JSON.stringify(metaJson, null, 2)}\n`);
  console.log(
    `wrote ${BUILTIN} (${next.size} models, snapshot ${args.date}, sha256 ${sha256.slice(0, 12)}…)`,
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
