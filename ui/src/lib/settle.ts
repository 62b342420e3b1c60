/**
 * @module ui/lib/settle
 * Several independent calls for one view: each part shows its own result or its own error.
 */
export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export async function settle<T>(p: Promise<T>): Promise<Settled<T>> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

export function settledValue<T>(s: Settled<T> | null | undefined): T | null {
  return s?.ok ? s.value : null;
}

export function settledError(s: Settled<unknown> | null | undefined): unknown {
  return s && !s.ok ? s.error : null;
}
