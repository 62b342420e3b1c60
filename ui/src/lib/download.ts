/**
 * @module ui/lib/download
 * Saves text the gateway produced (CSV exports) as a file. The export is fetched with the Bearer
 * key like every other call, so it cannot be a plain link; the Blob URL is revoked right after.
 */
export function saveText(text: string, filename: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
