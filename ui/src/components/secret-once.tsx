/**
 * @module ui/components/secret-once
 * Shows a newly created or regenerated key exactly once. The console keeps it only in this
 * component's props: closing the dialog drops it, and it is never stored or logged.
 */
import { CopyButton } from './copy-button';
import { Dialog } from './dialog';

export function SecretOnce({
  title,
  secret,
  note,
  onClose,
}: {
  title: string;
  secret: string;
  note?: string;
  onClose: () => void;
}) {
  return (
    <Dialog title={title} onClose={onClose} id="secret-once">
      <p>
        <strong>Copy this key now: it is shown only once.</strong> The gateway stores only its sha256 hash and
        cannot show it again.
      </p>
      {note ? <p class="muted">{note}</p> : null}
      <div class="secret-row">
        <code class="secret" id="new-key-value">
          {secret}
        </code>
        <CopyButton value={secret} label="Copy the new key" />
      </div>
      <div class="actions">
        <button type="button" onClick={onClose}>
          I have copied it
        </button>
      </div>
    </Dialog>
  );
}
