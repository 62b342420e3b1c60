/**
 * @module ui/components/copy-button
 * Copies a value to the clipboard (request ids, a new key). Says whether it worked, politely.
 */
import { useState } from 'preact/hooks';

export function CopyButton({ value, label }: { value: string; label: string }) {
  const [done, setDone] = useState<'' | 'ok' | 'no'>('');
  return (
    <button
      type="button"
      class="secondary small-button"
      aria-label={label}
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(value);
          setDone('ok');
        } catch {
          setDone('no');
        }
      }}
    >
      {done === 'ok' ? 'Copied' : done === 'no' ? 'Copy failed: select it' : 'Copy'}
    </button>
  );
}
