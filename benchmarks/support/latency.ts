/**
 * Sequential latency probe (one connection): N requests after 50 warm-ups; prints JSON
 * {p50Ms, p95Ms, p99Ms}. Non-streaming: time to the complete response; streaming: time to first byte.
 * Usage: node --import tsx benchmarks/support/latency.ts URL N stream(0|1) [authorization]
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { latencySummary } from './percentiles.js';

const [url, nArg, streamArg, auth] = process.argv.slice(2);
const n = Number(nArg ?? 500);
const stream = streamArg === '1';
const agent = new Agent({ connections: 1 });
const body = JSON.stringify({ model: 'bench', stream, messages: [{ role: 'user', content: 'hello' }] });
const samples: number[] = [];
for (let i = 0; i < n + 50; i++) {
  const t0 = performance.now();
  const r = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body,
  });
  let first = -1;
  for await (const _c of r.body) if (first < 0) first = performance.now() - t0;
  const total = performance.now() - t0;
  if (r.statusCode !== 200) throw new Error(`status ${r.statusCode}`);
  if (i >= 50) samples.push(stream ? first : total);
}
process.stdout.write(`${JSON.stringify(latencySummary(samples))}\n`);
await agent.close();
