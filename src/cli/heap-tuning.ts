/**
 * @module cli/heap-tuning
 * How far V8 lets the old generation grow before its next full collection. V8 picks the factor
 * itself (up to 4× the live heap for a fast mutator), which under load took the gateway with its
 * ledger on PostgreSQL, ~30 MB of live heap, to a 183–216 MB peak RSS of mostly dead objects. A fixed
 * 50% growth held the same load at 148–163 MB with CPU per request unchanged within the run-to-run
 * noise (docs/BENCHMARKS.md, seventh session). Set at runtime by the `tollgate` command before the rest of
 * the program loads, so `npx tollgate` and `npm start` get it without node flags;
 * TOLLGATE_HEAP_GROWING_PERCENT changes it, 0 leaves the choice to V8.
 */
import { setFlagsFromString } from 'node:v8';

export const DEFAULT_HEAP_GROWING_PERCENT = 50;

/** The percent to apply (0 = V8's own choice), or an error for a value that is not one. */
export function heapGrowingPercent(env: NodeJS.ProcessEnv): { percent: number; error?: string } {
  const raw = env.TOLLGATE_HEAP_GROWING_PERCENT?.trim();
  if (raw === undefined || raw === '') return { percent: DEFAULT_HEAP_GROWING_PERCENT };
  if (!/^\d{1,4}$/.test(raw) || Number(raw) > 1000) {
    return {
      percent: DEFAULT_HEAP_GROWING_PERCENT,
      error: `TOLLGATE_HEAP_GROWING_PERCENT must be a whole number from 0 (V8's own choice) to 1000, not "${raw}"; using ${DEFAULT_HEAP_GROWING_PERCENT}`,
    };
  }
  return { percent: Number(raw) };
}

/** Applies the setting; returns the warning to print for an unusable value. */
export function tuneHeap(env: NodeJS.ProcessEnv): string | undefined {
  const { percent, error } = heapGrowingPercent(env);
  if (percent > 0) setFlagsFromString(`--heap-growing-percent=${percent}`);
  return error;
}
