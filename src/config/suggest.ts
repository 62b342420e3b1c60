/**
 * @module config/suggest
 * "Did you mean …?" for config keys: optimal-string-alignment (Damerau–Levenshtein) distance and
 * the nearest candidate within a length-scaled threshold.
 */

/** Edit distance counting insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (n === 0) return m;
  if (m === 0) return n;
  let prev2: number[] = new Array(m + 1).fill(0);
  let prev: number[] = Array.from({ length: m + 1 }, (_, j) => j);
  let cur: number[] = new Array(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur[j] = v;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m];
}

/** Largest distance still considered a typo of a word of this length (`strict`: for free-form maps). */
function threshold(len: number, strict = false): number {
  if (strict) return Math.max(1, Math.floor(len / 8));
  if (len <= 3) return 1;
  if (len <= 6) return 2;
  return Math.max(2, Math.floor(len / 4));
}

/**
 * The candidate closest to `word` (case-insensitive), if it is close enough to be a likely typo.
 * Ties go to the earlier candidate.
 */
export function nearest(
  word: string,
  candidates: Iterable<string>,
  opts: { strict?: boolean } = {},
): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  if (best === undefined || bestD === 0) return best;
  return bestD <= threshold(Math.max(w.length, best.length), opts.strict) ? best : undefined;
}

/** ` (did you mean \`x\`?)` or '' when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const n = nearest(word, candidates);
  return n === undefined ? '' : ` (did you mean \`${n}\`?)`;
}
