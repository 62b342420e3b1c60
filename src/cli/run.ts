/**
 * @module cli/run
 * Runs the CLI from source (tests, `node --import tsx src/cli/run.ts`); bin/tollgate.js runs dist/.
 */
import { main } from './main.js';

main(process.argv.slice(2)).catch((err) => {
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
