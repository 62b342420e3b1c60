/**
 * @module benchmarks/tokenizer
 * Worst cases of token counting on the request path: 1 MB of adversarial text in several shapes
 * (one repeated character, random letters without spaces, CJK, emoji, whitespace, digits, one
 * long JSON line) and ordinary English, through countTextTokens (chunked, budgeted, linear beyond
 * the budget). For reference the tokenizer library alone on 20 KB of the same shape (it is
 * quadratic in the length of a piece). Target: every 1 MB shape under 100 ms (event loop blocked
 * at most that long by one request).
 *   node --import tsx benchmarks/tokenizer.bench.ts
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { countTextTokensDetailed, EXACT_BUDGET_CHARS, warmTokenizer } from '../src/providers/token-count.js';

const require = createRequire(import.meta.url);
const lib = require('gpt-tokenizer/encoding/o200k_base') as {
  countTokens(t: string, o?: { disallowedSpecial?: Set<string> }): number;
};

const MB = 1024 * 1024;
const TARGET_MS = 100;

function seeded(n: number, alphabet: (x: number) => string): string {
  let x = 12345;
  const out: string[] = [];
  let len = 0;
  while (len < n) {
    x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
    const s = alphabet(x);
    out.push(s);
    len += s.length;
  }
  return out.join('').slice(0, n);
}

const SHAPES: Record<string, (n: number) => string> = {
  'one repeated char': (n) => 'a'.repeat(n),
  'random letters, no spaces': (n) => seeded(n, (x) => String.fromCharCode(97 + (x % 26))),
  'CJK, no spaces': (n) => seeded(n, (x) => String.fromCharCode(0x4e00 + (x % 2000))),
  'emoji run': (n) => '😀'.repeat(Math.floor(n / 2)),
  'spaces only': (n) => ' '.repeat(n),
  'digits only': (n) => '7'.repeat(n),
  'one JSON line': (n) =>
    JSON.stringify({ k: seeded(n, (x) => String.fromCharCode(33 + (x % 90))) }).slice(0, n),
  'English words': (n) =>
    'The quick brown fox jumps over the lazy dog while the gateway counts every token. '
      .repeat(Math.ceil(n / 83))
      .slice(0, n),
};

warmTokenizer('gpt-4o');
const rows: Array<Record<string, unknown>> = [];
let worst = 0;
for (const [shape, make] of Object.entries(SHAPES)) {
  const text = make(MB);
  countTextTokensDetailed(text.slice(0, 10_000), 'gpt-4o'); // warm-up (JIT, caches of this shape)
  const t0 = performance.now();
  const r = countTextTokensDetailed(text, 'gpt-4o');
  const ms = performance.now() - t0;
  const small = text.slice(0, 20_000);
  const t1 = performance.now();
  const libTokens = lib.countTokens(small, { disallowedSpecial: new Set() });
  const libMs = performance.now() - t1;
  const ours20k = countTextTokensDetailed(small, 'gpt-4o').tokens;
  worst = Math.max(worst, ms);
  rows.push({
    shape,
    '1 MB ms': Number(ms.toFixed(1)),
    tokens: r.tokens,
    exact: r.exact,
    'library alone, 20 KB ms': Number(libMs.toFixed(1)),
    '20 KB tokens (library / ours)': `${libTokens} / ${ours20k}`,
  });
}
console.table(rows);
console.log(
  `tokenizer: worst 1 MB shape ${worst.toFixed(0)} ms (target <= ${TARGET_MS} ms; exact budget ${EXACT_BUDGET_CHARS} chars) ${worst <= TARGET_MS ? 'OK' : 'SLOW'}`,
);
const dir = join(import.meta.dirname, '..', 'bench-results');
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'tokenizer.json'),
  JSON.stringify({ targetMs: TARGET_MS, worstMs: worst, rows }, null, 2),
);
process.exit(0);
