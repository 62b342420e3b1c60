#!/usr/bin/env node
// Entry point of the `tollgate` command: runs the compiled CLI (npm run build makes dist/), through
// the same cli/run module the tests run from source (heap setting first, then the program).
import('../dist/cli/run.js').catch((err) => {
  console.error(err?.stack ?? String(err));
  process.exit(1);
});
