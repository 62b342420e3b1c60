/**
 * @module mock-upstream/main
 * Runs the mock upstream from the command line:
 * `node --import tsx src/mock-upstream/main.ts --port 4100 [--host 127.0.0.1] [--record]`.
 * Requests are not recorded unless `--record` (a long benchmark run would otherwise grow memory).
 */

import { warmTokenizer } from '../providers/token-count.js';
import { startMockUpstream } from './server.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
}

const port = Number(arg('port') ?? 4100);
const host = arg('host') ?? '127.0.0.1';
warmTokenizer('gpt-4o');
warmTokenizer();
const mock = await startMockUpstream({ port, host, record: process.argv.includes('--record') });
process.stdout.write(`mock upstream listening on ${mock.url}\n`);
const stop = () => {
  mock.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
