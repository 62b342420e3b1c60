/**
 * @module reprice/price-file
 * A price file (LiteLLM-format cost map, e.g. corrected or negotiated prices) as price versions for a date
 * range: for every version in effect inside the range, one version `file@<start>#<sha8>` with the file's
 * entries layered over it, so models the file lacks keep the prices of their day.
 */
import { createHash } from 'node:crypto';
import { overlayCatalog, type PriceVersionRegistry, parseCatalog } from '../pricing/index.js';

export interface PriceFile {
  /** Where it came from (path, or `request` for the admin API). */
  source: string;
  sha256: string;
  entries: Record<string, unknown>;
}

export function priceFileFromJson(source: string, text: string): PriceFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new RangeError(`price file ${source} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new RangeError(
      `price file ${source} must be a JSON object of model entries (LiteLLM cost map format)`,
    );
  return {
    source,
    sha256: createHash('sha256').update(text).digest('hex'),
    entries: json as Record<string, unknown>,
  };
}

/**
 * Registers the file over [fromMs, toMs). Returns the warnings of invalid entries (skipped). Throws when
 * the file has no valid entry.
 */
export function registerPriceFile(
  versions: PriceVersionRegistry,
  file: PriceFile,
  fromMs: number,
  toMs: number,
): string[] {
  const { catalog, warnings } = parseCatalog(file.entries, { source: file.source, snapshot: '' });
  if (catalog.size === 0) throw new RangeError(`price file ${file.source} has no valid model entries`);
  const windows = versions.list().filter((v) => v.kind !== 'file');
  windows.forEach((v, i) => {
    const vFrom = i === 0 ? Number.NEGATIVE_INFINITY : Date.parse(v.effectiveFrom);
    const vTo = v.effectiveTo === null ? Number.POSITIVE_INFINITY : Date.parse(v.effectiveTo);
    const start = Math.max(vFrom, fromMs);
    const end = Math.min(vTo, toMs);
    if (!(start < end)) return;
    const at = new Date(start).toISOString();
    const id = `file@${at}#${file.sha256.slice(0, 8)}`;
    versions.registerVersion({
      id,
      kind: 'file',
      source: `file:${file.source} over ${v.id}`,
      effectiveFrom: start,
      effectiveTo: end,
      entries: overlayCatalog(catalog, v.catalog, { source: file.source, snapshot: at.slice(0, 10) }),
      mode: 'replace',
    });
  });
  return warnings;
}
