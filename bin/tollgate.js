#!/usr/bin/env node
// Entry point of the `tollgate` command: runs the compiled CLI (npm run build makes dist/). The heap
// setting goes first, while the heap is still small (src/cli/heap-tuning.ts says why).
import('../dist/cli/heap-tuning.js')
  .then((heap) => {
    const warning = heap.tuneHeap(process.env);
    if (warning) console.error(warning);
    return import('../dist/cli/main.js');
  })
  .then((m) => m.main(process.argv.slice(2)))
  .catch((err) => {
    console.error(err?.stack ?? String(err));
    process.exit(1);
  });
