/**
 * @module cost-map/cost-map-manager
 * Holds the price catalog in use and keeps it current. Where it comes from is decided once
 * (`cost-map-source`): by default LiteLLM's public map, fetched in the background after start while the
 * built-in snapshot (or the last cached map) serves, then swapped in atomically; refreshed on an interval
 * with conditional requests. Every new map goes through `applyFetchedMap`, the one place a map becomes the
 * catalog: layered over the built-in catalog, compared with the one in use, offered to `adopt` (which
 * re-resolves deployments and may refuse it), then committed. Any failure keeps the catalog in use with one
 * clear message — never a crash, never a failed start.
 */
import { join } from 'node:path';
import { builtinCatalog, type Catalog } from '../pricing/index.js';
import {
  type CatalogChange,
  describeCatalogChange,
  formatChange,
  largeChangeWarning,
  summarizeChange,
} from './catalog-change.js';
import { readCachedMap, touchCachedMap, writeCachedMap, writeChangeReport } from './cost-map-cache.js';
import { costMapChanges, costMapChecks, costMapLargeChanges, trackCatalog } from './cost-map-metrics.js';
import {
  type CostMapSource,
  DEFAULT_REFRESH_INTERVAL_MS,
  displayLocation,
  resolveCostMapSource,
} from './cost-map-source.js';
import type {
  CatalogOrigin,
  CatalogState,
  CostMapManagerOptions,
  FetchedMap,
  ReloadResult,
} from './cost-map-types.js';
import { layerFetchedMap } from './layer-fetched-map.js';
import { parseCostMapText, sha256Text } from './parse-cost-map.js';
import { readCostMapSource } from './read-cost-map-source.js';
import { formatDelay, nextCheckDelay } from './refresh-schedule.js';

/** LiteLLM's integrity rule: a public map with under half the models of the bundled copy is truncated. */
const MIN_SHARE_OF_BUILTIN = 0.5;

export class CostMapManager {
  readonly #opts: CostMapManagerOptions;
  readonly #source: CostMapSource;
  readonly #intervalMs: number;
  readonly #now: () => Date;
  #catalog: Catalog = builtinCatalog();
  #origin: CatalogOrigin = 'builtin';
  #sha: string | null = null;
  #etag?: string;
  #lastModified?: string;
  #fetchedAt: Date | null = null;
  #checkedAt: Date | null = null;
  #lastChange: CatalogChange | null = null;
  #lastError: { message: string; at: Date } | null = null;
  #failures = 0;
  #inflight: Promise<ReloadResult> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #nextCheckAt: Date | null = null;
  #started = false;
  #stopped = false;
  readonly #abort = new AbortController();
  #untrack: (() => void) | null = null;

  constructor(opts: CostMapManagerOptions = {}) {
    this.#opts = opts;
    this.#source = resolveCostMapSource(opts.location, opts.env ?? process.env);
    this.#intervalMs = Math.max(0, opts.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS);
    this.#now = opts.now ?? (() => new Date());
  }

  /** The catalog in use (built-in until a map was loaded). */
  current(): Catalog {
    return this.#catalog;
  }

  source(): CostMapSource {
    return this.#source;
  }

  /** Where a runtime map is read from, or null for built-in only. */
  location(): string | null {
    return this.#source.kind === 'builtin' ? null : this.#source.location;
  }

  /** The last change applied after start (null until a refresh replaced the catalog). */
  lastChange(): CatalogChange | null {
    return this.#lastChange;
  }

  /** Where the catalog in use came from and how it is being kept current (status endpoints). */
  state(): CatalogState {
    return {
      origin: this.#origin,
      fetchedAt: this.#fetchedAt,
      checkedAt: this.#checkedAt,
      etag: this.#etag,
      lastError: this.#lastError,
      nextCheckAt: this.#nextCheckAt,
      refreshIntervalMs: this.#intervalMs,
    };
  }

  /**
   * What is available without the network: a file map is read; for a URL, the last cached copy (if it is
   * this URL's) is used. Used at start before serving, so it never waits on the network.
   */
  async loadLocal(): Promise<ReloadResult> {
    const src = this.#source;
    if (src.kind === 'builtin') return { ok: true, warnings: [], changed: false };
    if (src.kind === 'file') return this.#check({ quiet: true });
    if (!this.#opts.cacheDir) return { ok: true, warnings: [], changed: false };
    const { cached, problem } = await readCachedMap(this.#opts.cacheDir, src.location);
    if (problem) this.#log('warn', `cost map cache in ${this.#opts.cacheDir} ignored: ${problem}`);
    if (!cached) return { ok: true, warnings: problem ? [problem] : [], changed: false };
    try {
      const { meta, text } = cached;
      const parsed = parseCostMapText(text, { source: meta.source, snapshot: meta.snapshot });
      const r = this.applyFetchedMap(
        {
          source: meta.source,
          snapshot: meta.snapshot,
          fetchedAt: new Date(meta.fetchedAt),
          etag: meta.etag,
          lastModified: meta.lastModified,
          entries: parsed.entries,
          invalidKeys: parsed.invalidKeys,
          sha256: meta.sha256,
          origin: 'cache',
        },
        { quiet: true },
      );
      if (r.ok) this.#checkedAt = new Date(meta.checkedAt);
      return r;
    } catch (err) {
      const msg = `cost map cache in ${this.#opts.cacheDir} ignored: ${(err as Error).message}`;
      this.#log('warn', msg);
      return { ok: false, warnings: [msg], changed: false };
    }
  }

  /**
   * Starts keeping the catalog current: a URL is checked now (in the background: the returned promise is
   * for tests and callers that want to wait), then every refresh interval; a file is re-read on the interval.
   */
  start(): Promise<ReloadResult> {
    this.#untrack ??= trackCatalog(this);
    if (this.#started || this.#stopped || this.#source.kind === 'builtin')
      return Promise.resolve({ ok: true, warnings: [], changed: false });
    this.#started = true;
    if (this.#source.kind === 'file') {
      this.#schedule();
      return Promise.resolve({ ok: true, warnings: [], changed: false });
    }
    return this.refresh();
  }

  /** Checks the source now (one check at a time; a second caller shares the first one's result). */
  refresh(): Promise<ReloadResult> {
    if (this.#source.kind === 'builtin' || this.#stopped)
      return Promise.resolve({ ok: true, warnings: [], changed: false });
    this.#inflight ??= this.#check({ quiet: false }).finally(() => {
      this.#inflight = null;
      this.#schedule();
    });
    return this.#inflight;
  }

  /** POST /pricing/reload and SIGHUP: check the source now. */
  reload(): Promise<ReloadResult> {
    return this.refresh();
  }

  /** Stops refreshing and aborts a fetch in flight. */
  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextCheckAt = null;
    this.#abort.abort();
    this.#untrack?.();
    this.#untrack = null;
  }

  /** For the metrics gauges. */
  catalogInfo() {
    return {
      source: this.#catalog.source,
      snapshot: this.#catalog.snapshot,
      origin: this.#origin,
      checkedAtSeconds: this.#checkedAt ? Math.floor(this.#checkedAt.getTime() / 1000) : null,
    };
  }

  /**
   * The one place a map becomes the catalog in use. Layers the map over the built-in catalog (models it
   * lacks keep built-in prices; its invalid entries keep the prices in use), compares the result with the
   * catalog in use, offers it to `adopt`, then commits. `quiet`: at start, where nothing was served yet, the
   * map is not logged as a change.
   */
  applyFetchedMap(map: FetchedMap, opts: { quiet?: boolean } = {}): ReloadResult {
    const current = this.#catalog;
    const next = layerFetchedMap(map, current);
    const change = describeCatalogChange(current, next, this.#now());
    const problems = this.#opts.adopt?.(next, change) ?? [];
    if (problems.length > 0) {
      costMapChecks.inc({ result: 'refused' });
      const msg = `cost map ${map.source} refused: deployments cannot be priced with it (${problems.join('; ')}); ${this.#keeping()}`;
      this.#fail(msg, 'warn');
      return { ok: false, warnings: [msg], changed: false };
    }
    this.#catalog = next;
    this.#origin = map.origin;
    this.#sha = map.sha256;
    this.#etag = map.etag;
    this.#lastModified = map.lastModified;
    this.#fetchedAt = map.fetchedAt;
    this.#checkedAt = this.#now();
    this.#opts.committed?.(next, map, this.#checkedAt);
    this.#lastError = null;
    this.#failures = 0;
    costMapChecks.inc({ result: 'applied' });
    if (opts.quiet) return { ok: true, warnings: [], changed: true };
    this.#lastChange = change;
    costMapChanges.inc({ kind: 'models_added' }, change.diff.added.length);
    costMapChanges.inc({ kind: 'models_removed' }, change.diff.removed.length);
    costMapChanges.inc({ kind: 'prices_changed' }, change.diff.priceChanges.length);
    const summary = summarizeChange(change);
    if (change.large) {
      costMapLargeChanges.inc();
      const report = this.#opts.cacheDir ? join(this.#opts.cacheDir, 'last-change.txt') : null;
      this.#log('warn', largeChangeWarning(change, report));
    } else {
      this.#log('info', `price catalog updated: ${map.source} (snapshot ${map.snapshot}): ${summary}`);
    }
    return { ok: true, warnings: [], changed: true, summary, large: change.large };
  }

  async #check(opts: { quiet: boolean }): Promise<ReloadResult> {
    const src = this.#source;
    if (src.kind === 'builtin') return { ok: true, warnings: [], changed: false };
    const shown = displayLocation(src.location);
    const startedAt = this.#now();
    try {
      const read = await readCostMapSource(
        src.location,
        src.kind === 'url' ? { etag: this.#etag, lastModified: this.#lastModified } : {},
        { ...this.#opts, signal: this.#abort.signal },
      );
      if (this.#stopped) return { ok: false, warnings: [], changed: false };
      if (read.status === 'not-modified' || sha256Text(read.text) === this.#sha) {
        if (read.status === 'ok') {
          this.#etag = read.etag ?? this.#etag;
          this.#lastModified = read.lastModified ?? this.#lastModified;
        }
        return await this.#unchanged();
      }
      const snapshot = (read.modifiedAt ?? startedAt).toISOString().slice(0, 10);
      const parsed = parseCostMapText(read.text, { source: shown, snapshot });
      const floor = Math.floor(builtinCatalog().size * MIN_SHARE_OF_BUILTIN);
      if (src.kind === 'url' && src.isDefault && parsed.entries.size < floor) {
        costMapChecks.inc({ result: 'refused' });
        const msg = `cost map ${shown} refused: only ${parsed.entries.size} valid models, fewer than half of the built-in snapshot's ${builtinCatalog().size} (a truncated file?); ${this.#keeping()}`;
        this.#fail(msg, 'warn');
        return { ok: false, warnings: [msg], changed: false };
      }
      for (const w of parsed.warnings) this.#log(this.#quietLevel(), w);
      const r = this.applyFetchedMap(
        {
          source: shown,
          snapshot,
          fetchedAt: startedAt,
          etag: read.etag,
          lastModified: read.lastModified,
          entries: parsed.entries,
          invalidKeys: parsed.invalidKeys,
          sha256: sha256Text(read.text),
          origin: src.kind === 'url' ? 'fetched' : 'file',
        },
        { quiet: opts.quiet },
      );
      if (r.ok) await this.#persist(src.location, read.text, r);
      return { ...r, warnings: [...parsed.warnings, ...r.warnings] };
    } catch (err) {
      if (this.#stopped) return { ok: false, warnings: [], changed: false };
      costMapChecks.inc({ result: 'failed' });
      const msg = `cost map ${shown} could not be loaded (${(err as Error).message}); ${this.#keeping()}`;
      this.#fail(msg, this.#quietLevel());
      return { ok: false, warnings: [msg], changed: false };
    }
  }

  async #unchanged(): Promise<ReloadResult> {
    costMapChecks.inc({ result: 'unchanged' });
    this.#checkedAt = this.#now();
    this.#lastError = null;
    this.#failures = 0;
    const dir = this.#opts.cacheDir;
    if (dir && this.#source.kind === 'url' && this.#sha && this.#fetchedAt) {
      await touchCachedMap(dir, this.#cacheMeta(this.#source.location)).catch((err) =>
        this.#log('warn', `cost map cache in ${dir} not updated: ${(err as Error).message}`),
      );
    }
    return { ok: true, warnings: [], changed: false };
  }

  /** Caches a fetched map and writes the full change list; a disk problem is logged, never fatal. */
  async #persist(location: string, text: string, r: ReloadResult): Promise<void> {
    const dir = this.#opts.cacheDir;
    if (!dir) return;
    try {
      if (this.#source.kind === 'url') await writeCachedMap(dir, { meta: this.#cacheMeta(location), text });
      if (r.changed && this.#lastChange && r.summary)
        await writeChangeReport(dir, formatChange(this.#lastChange));
    } catch (err) {
      this.#log('warn', `cost map cache in ${dir} not written: ${(err as Error).message}`);
    }
  }

  #cacheMeta(location: string) {
    return {
      source: this.#catalog.source,
      locationSha256: sha256Text(location),
      etag: this.#etag,
      lastModified: this.#lastModified,
      fetchedAt: (this.#fetchedAt ?? this.#now()).toISOString(),
      checkedAt: (this.#checkedAt ?? this.#now()).toISOString(),
      snapshot: this.#catalog.snapshot,
      sha256: this.#sha ?? '',
    };
  }

  /** The default source fails quietly (offline machines, CI): info, not warn. */
  #quietLevel(): 'info' | 'warn' {
    return this.#source.kind === 'url' && this.#source.isDefault ? 'info' : 'warn';
  }

  #keeping(): string {
    const builtin = builtinCatalog();
    return this.#catalog === builtin
      ? `using the built-in catalog (LiteLLM snapshot ${builtin.snapshot}, ${builtin.size} models)`
      : `keeping the current catalog (${this.#catalog.source}, snapshot ${this.#catalog.snapshot})`;
  }

  /** Records a failure; logs it when it is new (same reason again → debug only, so offline stays quiet). */
  #fail(msg: string, level: 'info' | 'warn'): void {
    const repeated = this.#lastError?.message === msg;
    this.#lastError = { message: msg, at: this.#now() };
    this.#failures++;
    const retry =
      this.#started && this.#intervalMs > 0 ? `; next try in ${formatDelay(this.#retryDelay())}` : '';
    this.#log(repeated ? 'debug' : level, `${msg}${retry}`);
  }

  #retryDelay(): number {
    return nextCheckDelay(this.#intervalMs, this.#failures);
  }

  #schedule(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#nextCheckAt = null;
    if (!this.#started || this.#stopped || this.#intervalMs <= 0) return;
    const delay = this.#retryDelay();
    this.#nextCheckAt = new Date(Date.now() + delay);
    this.#timer = setTimeout(() => void this.refresh(), delay);
    this.#timer.unref();
  }

  #log(level: 'debug' | 'info' | 'warn', msg: string): void {
    const l = this.#opts.logger;
    if (!l) return;
    if (level === 'warn') l.warn(msg);
    else if (level === 'info') l.info?.(msg);
    else l.debug?.(msg);
  }
}

/**
 * Creates the manager and loads what is available locally (file map, or the cached copy of a URL map),
 * logging the catalog in use. Does not start the background fetch: call `start()` once the gateway is wired.
 */
export async function createCostMapManager(
  opts: { source?: string } & Omit<CostMapManagerOptions, 'location'> = {},
): Promise<CostMapManager> {
  const { source, ...rest } = opts;
  const manager = new CostMapManager({ ...rest, location: source });
  await manager.loadLocal();
  const c = manager.current();
  opts.logger?.info?.(`price catalog: ${c.source} (snapshot ${c.snapshot}, ${c.size} models)`);
  return manager;
}
