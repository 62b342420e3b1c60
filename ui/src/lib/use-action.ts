/**
 * @module ui/lib/use-action
 * Runs one management call at a time for a page: busy while it runs, its error kept for display
 * (or the session ended when the key itself was refused).
 */
import { useState } from 'preact/hooks';
import { useConsole } from './context';

export function useAction() {
  const { fail } = useConsole();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (fn: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(fail(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
