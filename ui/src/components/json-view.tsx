/**
 * @module ui/components/json-view
 * A parsed JSON value printed back with its numbers exactly as the gateway sent them.
 */
import { stringifyExact } from '../lib/exact-json';

export function JsonView({ value, label }: { value: unknown; label: string }) {
  return (
    // A scrollable region must be reachable by keyboard (axe: scrollable-region-focusable).
    // biome-ignore lint/a11y/noNoninteractiveTabindex: focusable so keyboard users can scroll it
    <pre class="json" title={label} tabIndex={0}>
      {stringifyExact(value)}
    </pre>
  );
}
