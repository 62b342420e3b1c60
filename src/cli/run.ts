/**
 * @module cli/run
 * Runs the CLI: from source in tests (`node --import tsx src/cli/run.ts`), compiled through
 * bin/tollgate.js. The heap setting is applied before the program loads (hence the dynamic import).
 */
import { tuneHeap } from './heap-tuning.js';

const warning = tuneHeap(process.env);
if (warning) process.stderr.write(`${warning}\n`);
import('./main.js')
  .then((m) => m.main(process.argv.slice(2)))
  .catch((err) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
