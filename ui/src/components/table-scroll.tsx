/**
 * @module ui/components/table-scroll
 * A horizontally scrollable box for a wide table. It is a labelled region that takes keyboard
 * focus, so a keyboard user can scroll it too (axe: scrollable-region-focusable) at narrow widths.
 */
import type { ComponentChildren } from 'preact';

export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <section class="table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
