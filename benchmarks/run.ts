/**
 * `npm run bench`: runs the benchmarks one after another (they must not compete for the two
 * cores): gateway overhead, pricing, ledger, tokenizer worst cases. Each prints its table and writes bench-results/*.json.
 * The reports benchmark seeds a large database and runs on its own: `npm run bench:reports`.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const only = process.argv.slice(2);
const benches = ['gateway', 'pricing', 'ledger', 'tokenizer'].filter(
  (b) => only.length === 0 || only.includes(b),
);
for (const b of benches) {
  process.stdout.write(`\n=== ${b} ===\n`);
  execFileSync(process.execPath, ['--import', 'tsx', join(root, `benchmarks/${b}.bench.ts`)], {
    cwd: root,
    stdio: 'inherit',
  });
}
