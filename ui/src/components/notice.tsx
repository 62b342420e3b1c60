/**
 * @module ui/components/notice
 * Error and information banners. Errors use role="alert" so screen readers announce them; the
 * gateway's own message is always shown under the title.
 */
import type { ComponentChildren } from 'preact';
import { describeError } from '../lib/api';

export function ErrorNotice({ error, id }: { error: unknown; id?: string }) {
  if (!error) return null;
  const e = describeError(error);
  return (
    <div class="notice error" role="alert" id={id}>
      <p class="notice-title">{e.title}</p>
      {e.detail ? <p class="notice-detail">{e.detail}</p> : null}
    </div>
  );
}

export function InfoNotice({ children, id }: { children: ComponentChildren; id?: string }) {
  return (
    <div class="notice info" role="note" id={id}>
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="muted loading" aria-live="polite">
      Loading {what}…
    </p>
  );
}
