/**
 * @module ui/lib/use-load
 * Loads data for a view and keeps only the answer of the latest call: when inputs change quickly,
 * an older, slower response can never overwrite a newer one (the stale-data bug of the first
 * dashboard). A failed load clears the data instead of leaving the previous numbers on screen.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

export function useLoad<T>(load: (() => Promise<T>) | null, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: unknown; loading: boolean }>({
    data: null,
    error: null,
    loading: load !== null,
  });
  const seq = useRef(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const mine = ++seq.current;
    if (!load) {
      setState({ data: null, error: null, loading: false });
      return;
    }
    setState((s) => ({ data: s.data, error: null, loading: true }));
    load().then(
      (data) => {
        if (mine === seq.current) setState({ data, error: null, loading: false });
      },
      (error: unknown) => {
        if (mine === seq.current) setState({ data: null, error, loading: false });
      },
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}
