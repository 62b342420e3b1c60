/**
 * @module cost-map/cost-map-types
 * The shapes CostMapManager works with: its options, a validated fetched map (the unit that becomes the
 * catalog in use), what a load or check reports, and the state status endpoints show.
 */
import type { Catalog } from '../pricing/index.js';
import type { CatalogChange } from './catalog-change.js';
import type { ReadOptions } from './read-cost-map-source.js';

export type CatalogOrigin = 'builtin' | 'file' | 'cache' | 'fetched';

/** The little of a logger this needs (pino's Logger fits). */
export interface WarnLogger {
  warn(msg: string): void;
  info?(msg: string): void;
  debug?(msg: string): void;
}

export interface CostMapManagerOptions extends ReadOptions {
  /** `general_settings.cost_map`: file, URL or `builtin`. */
  location?: string;
  env?: NodeJS.ProcessEnv;
  /** Folder for the last good fetched map (`<data dir>/cost-map`); without it nothing is cached. */
  cacheDir?: string;
  /** Between refresh checks (ms); 0 = never; default daily. */
  refreshIntervalMs?: number;
  logger?: WarnLogger;
  /**
   * Offered every candidate catalog before it is used (the gateway checks that its deployments still
   * resolve). Problems returned → the candidate is refused and the catalog in use stays.
   */
  adopt?: (next: Catalog, change: CatalogChange) => string[];
  /**
   * Called once a catalog is in use (after `adopt` accepted it), with the instant it took effect: the
   * gateway registers it as a dated price version and swaps in the repriced deployments.
   */
  committed?: (next: Catalog, map: FetchedMap, at: Date) => void;
  /** Clock (tests pass a fixed one). */
  now?: () => Date;
}

export interface ReloadResult {
  ok: boolean;
  warnings: string[];
  /** True when the catalog in use was replaced by different data. */
  changed: boolean;
  /** What the replacement changed, one line (`+3 models, -0 models, 5 prices changed in 2 models`). */
  summary?: string;
  large?: boolean;
}

export interface CatalogState {
  origin: CatalogOrigin;
  /** When the map in use was downloaded (null for the built-in catalog). */
  fetchedAt: Date | null;
  /** When its source last confirmed it (200 or 304). */
  checkedAt: Date | null;
  etag?: string;
  lastError: { message: string; at: Date } | null;
  nextCheckAt: Date | null;
  /** 0 = no periodic refresh. */
  refreshIntervalMs: number;
}

/** A validated map about to become the catalog (the unit a dated price version would be made of). */
export interface FetchedMap {
  /** Display form of where it came from (no credentials). */
  source: string;
  /** YYYY-MM-DD the prices are dated. */
  snapshot: string;
  fetchedAt: Date;
  etag?: string;
  lastModified?: string;
  /** The map's own valid entries. */
  entries: Catalog;
  /** Keys whose entry was invalid: they keep the prices in use. */
  invalidKeys: string[];
  sha256: string;
  origin: Exclude<CatalogOrigin, 'builtin'>;
}
