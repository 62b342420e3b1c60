#!/usr/bin/env node
// Entry point of the `tollgate` command: runs the compiled CLI (npm run build makes dist/).
import('../dist/cli/main.js')
  .then((m) => m.main(process.argv.slice(2)))
  .catch((err) => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
  });
