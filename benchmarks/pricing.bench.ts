/**
 * @module benchmarks/pricing
 * ns per priceUsage() call (resolution done once beforehand, as at config load). Target: <= 2 µs.
 *   node --import tsx benchmarks/pricing.bench.ts
 */
import { builtinCatalog, emptyUsage, priceUsage, resolvePricing, type Usage } from '../src/pricing/index.js';

const catalog = builtinCatalog();
const cases = [
  resolvePricing({ name: 'gpt-4o', model: 'openai/gpt-4o', provider: 'openai' }, catalog),
  resolvePricing(
    { name: 'sonnet', model: 'anthropic/claude-sonnet-4-5-20250929', provider: 'anthropic' },
    catalog,
  ),
  resolvePricing({ name: 'gemini', model: 'gemini/gemini-2.5-pro', provider: 'gemini' }, catalog),
  resolvePricing(
    {
      name: 'custom',
      model: 'azure/x',
      provider: 'azure',
      customPricing: { input_cost_per_token: '0.000421', output_cost_per_token: '0.00052' },
    },
    catalog,
  ),
];
const usages: Usage[] = [
  { ...emptyUsage(), inputTokens: 1234, outputTokens: 567 },
  {
    ...emptyUsage(),
    inputTokens: 12_000,
    cacheReadTokens: 8_000,
    cacheWriteTokens: 1_000,
    outputTokens: 900,
    reasoningTokens: 300,
    durationMs: 2345,
  },
  { ...emptyUsage(), inputTokens: 250_000, cacheReadTokens: 100_000, outputTokens: 4_000 },
];

function run(n: number): bigint {
  let sink = 0n;
  for (let i = 0; i < n; i++) {
    const c = priceUsage(cases[i & 3], usages[i % 3]);
    sink += c.costUsd;
  }
  return sink;
}

run(200_000); // warm-up (JIT, plan cache)
const N = 1_000_000;
const t0 = process.hrtime.bigint();
const sink = run(N);
const ns = Number(process.hrtime.bigint() - t0) / N;
console.log(
  `pricing: priceUsage ${ns.toFixed(0)} ns/call over ${N} calls (target <= 2000 ns) ${ns <= 2000 ? 'OK' : 'SLOW'} [checksum ${sink > 0n ? 'ok' : 'zero'}]`,
);
process.exit(0);
