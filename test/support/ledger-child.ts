/**
 * Child process for the kill -9 test: `node --import tsx test/support/ledger-child.ts <databaseUrl>
 * <spoolDir> <count> [batchSize] [flushIntervalMs]`. Records spend events in a loop against the
 * database and prints `ack <requestId> <spend>` for each event once record() has returned (the
 * point where the gateway would send its 2xx). Prints `ready` after start() and `done` at the end.
 */
import { createLedger } from '../../src/ledger/ledger.js';
import { openStore } from '../../src/store/open.js';
import { makeSpendEvent, prng } from './ledger-events.js';

const [databaseUrl, spoolDir, countArg, batchArg, intervalArg] = process.argv.slice(2);
if (!databaseUrl || !spoolDir) {
  process.stderr.write(
    'usage: ledger-child.ts <databaseUrl> <spoolDir> <count> [batchSize] [flushIntervalMs]\n',
  );
  process.exit(2);
}
const count = Number(countArg ?? 100_000);
const db = await openStore({ databaseUrl, migrate: false });
const ledger = createLedger({
  db,
  spoolDir,
  batchSize: Number(batchArg ?? 50),
  flushIntervalMs: Number(intervalArg ?? 20),
});
await ledger.start();
process.stdout.write('ready\n');

const rnd = prng(process.pid);
for (let i = 0; i < count; i++) {
  const spend = `0.${String(Math.floor(rnd() * 1e9)).padStart(9, '0')}${i % 7}`;
  const e = makeSpendEvent({
    requestId: `kill-${process.pid}-${i}`,
    spend,
    apiKey: `k${i % 3}`.padEnd(64, '0'),
    user: `u${i % 4}`,
    teamId: `t${i % 2}`,
    endUser: `c${i % 5}`,
    requestTags: [`tag${i % 3}`],
  });
  ledger.record(e);
  // stdout is a pipe: synchronous on Linux, so the line is out once write() returns.
  process.stdout.write(`ack ${e.requestId} ${spend}\n`);
  // Let the writer run between requests, as a server's event loop would.
  if (i % 10 === 9) await new Promise((r) => setImmediate(r));
}
await ledger.close();
await db.close();
process.stdout.write('done\n');
