/**
 * Streaming time to first byte of two targets, measured in alternation on one connection each: request i goes to
 * A, then to B, so both see the same state of the machine. (Two probes run one after the other differed by up to
 * ±0.2 ms on this machine from drift alone, as much as the target being measured.) After 100 warm-up pairs, N
 * pairs; prints JSON {a: {p50Ms,p95Ms,p99Ms}, b: {…}, diffP50Ms} where diffP50Ms is the median of the pairwise
 * differences b − a.
 * Usage: node --import tsx benchmarks/support/ttfb-pair.ts URL_A AUTH_A URL_B AUTH_B N  (AUTH '-' for none)
 */
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { latencySummary, percentile } from './percentiles.js';

const [urlA, authA, urlB, authB, nArg] = process.argv.slice(2);
const n = Number(nArg ?? 1000);
const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: 'hello' }] });
const targets = [
  { url: urlA, auth: authA, agent: new Agent({ connections: 1 }), samples: [] as number[] },
  { url: urlB, auth: authB, agent: new Agent({ connections: 1 }), samples: [] as number[] },
];

async function firstByte(t: (typeof targets)[number]): Promise<number> {
  const t0 = performance.now();
  const r = await request(t.url, {
    method: 'POST',
    dispatcher: t.agent,
    headers: {
      'content-type': 'application/json',
      ...(t.auth && t.auth !== '-' ? { authorization: t.auth } : {}),
    },
    body,
  });
  let first = -1;
  for await (const _c of r.body) if (first < 0) first = performance.now() - t0;
  if (r.statusCode !== 200) throw new Error(`${t.url}: status ${r.statusCode}`);
  return first;
}

for (let i = 0; i < n + 100; i++) {
  for (const t of targets) {
    const ms = await firstByte(t);
    if (i >= 100) t.samples.push(ms);
  }
}
const [a, b] = targets;
const diffs = b.samples.map((ms, i) => ms - a.samples[i]);
process.stdout.write(
  `${JSON.stringify({ a: latencySummary(a.samples), b: latencySummary(b.samples), diffP50Ms: percentile(diffs, 0.5) })}\n`,
);
for (const t of targets) await t.agent.close();
