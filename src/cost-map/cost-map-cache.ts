/**
 * @module cost-map/cost-map-cache
 * The last good fetched map, kept in the data directory so a restart without network keeps current prices:
 * `cost-map/map.json` (the raw text as fetched) and `cost-map/meta.json` (source, ETag / Last-Modified,
 * fetch and check times, sha256 of the text). Both are written to a temporary name and renamed, meta last;
 * a read checks the sha256, so a torn or edited copy is ignored rather than trusted.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Text } from './parse-cost-map.js';

export interface CacheMeta {
  /** Display form of the location (no credentials). */
  source: string;
  /** sha256 of the configured location: tells whether the cache belongs to it without storing a signed URL. */
  locationSha256: string;
  etag?: string;
  lastModified?: string;
  /** ISO time the text was downloaded. */
  fetchedAt: string;
  /** ISO time the source last confirmed it (200 or 304). */
  checkedAt: string;
  /** YYYY-MM-DD the catalog is dated (Last-Modified, else the fetch day). */
  snapshot: string;
  sha256: string;
}

export interface CachedMap {
  meta: CacheMeta;
  text: string;
}

const MAP = 'map.json';
const META = 'meta.json';

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

/** The cached map for `location`, or null (none, another source, or damaged: `problem` says which). */
export async function readCachedMap(
  dir: string,
  location: string,
): Promise<{ cached: CachedMap | null; problem?: string }> {
  let metaText: string;
  try {
    metaText = await readFile(join(dir, META), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { cached: null };
    return { cached: null, problem: (err as Error).message };
  }
  try {
    const meta = JSON.parse(metaText) as CacheMeta;
    if (meta.locationSha256 !== sha256Text(location)) return { cached: null };
    const text = await readFile(join(dir, MAP), 'utf8');
    if (sha256Text(text) !== meta.sha256)
      return { cached: null, problem: 'map.json does not match meta.json' };
    return { cached: { meta, text } };
  } catch (err) {
    return { cached: null, problem: (err as Error).message };
  }
}

/** Stores a newly fetched map (text and meta). */
export async function writeCachedMap(dir: string, entry: CachedMap): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, MAP), entry.text);
  await writeAtomic(join(dir, META), `${JSON.stringify(entry.meta, null, 2)}\n`);
}

/** Records a successful conditional check (304): only meta changes. */
export async function touchCachedMap(dir: string, meta: CacheMeta): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, META), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Writes the full list of the last catalog change (the log shows the first lines only). */
export async function writeChangeReport(dir: string, text: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'last-change.txt');
  await writeAtomic(path, text);
  return path;
}
