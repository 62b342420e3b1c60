/**
 * @module config/settings
 * `general_settings`, `router_settings` and `litellm_settings`: the settings Tollgate acts on are
 * typed and validated; known LiteLLM settings it does not act on are kept and listed in one warning
 * per section; unknown keys get a "did you mean" warning.
 */

import { isIP } from 'node:net';
import { type Diagnostics, joinPath } from './diagnostics.js';
import { readBool, readInt, readNumber, readString } from './fields.js';
import {
  GENERAL_SETTINGS_IGNORED,
  GENERAL_SETTINGS_TYPED,
  LITELLM_SETTINGS_ACTED_ON,
  ROUTER_SETTINGS_IGNORED,
  ROUTER_SETTINGS_TYPED,
} from './known-keys.js';
import { LITELLM_ROUTER_KEYS, ROUTER_POLICY_KEYS, readRouterPolicy } from './router-settings.js';
import { didYouMean, nearest } from './suggest.js';
import type { BudgetEnforcement, GeneralSettings, RouterSettings } from './types.js';
import { describe, type LEntry, type LMap, type LNode, lineOf, toPlain } from './yaml-tree.js';

export const DEFAULT_MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;
export const DEFAULT_NUM_RETRIES = 2;
export const DEFAULT_TIMEOUT_SECONDS = 600;

const BUDGET_MODES: readonly BudgetEnforcement[] = ['strict', 'soft'];

/** A section's mapping, or undefined (null / absent = empty; anything else is an error). */
export function sectionMap(entry: LEntry | undefined, path: string, diags: Diagnostics): LMap | undefined {
  if (!entry) return undefined;
  const v = entry.value;
  if (v.kind === 'map') return v;
  if (v.kind === 'scalar' && v.value === null) return undefined;
  diags.error(path, lineOf(entry), `must be a mapping (got ${describe(v)})`);
  return undefined;
}

function readUrl(node: LNode, path: string, diags: Diagnostics): string | undefined {
  const s = readString(node, path, diags, { nonEmpty: true });
  if (s === undefined) return undefined;
  try {
    const u = new URL(s);
    if (u.protocol === 'http:' || u.protocol === 'https:') return s;
  } catch {
    // reported below
  }
  diags.error(path, node.line, `must be an http(s) URL (got ${describe(node)})`);
  return undefined;
}

/** Shortest accepted refresh interval: the public map changes a few times a day at most. */
export const MIN_COST_MAP_REFRESH_SECONDS = 60;

const INTERVAL_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/**
 * `cost_map_refresh_interval`: seconds (`3600`) or a duration (`30m`, `6h`, `1d`, `1w`); `0`, `off`, `never`
 * or `false` turn refreshing off. Returns seconds.
 */
function readRefreshInterval(node: LNode, path: string, diags: Diagnostics): number | undefined {
  const bad = () => {
    diags.error(
      path,
      node.line,
      `must be seconds or a duration such as "6h" or "1d" (at least ${MIN_COST_MAP_REFRESH_SECONDS}s), or 0 / "off" to never refresh (got ${describe(node)})`,
    );
    return undefined;
  };
  if (node.kind !== 'scalar') return bad();
  if (node.invalid) return undefined; // an unresolved os.environ/ reference, already reported
  const v = node.value;
  if (v === false) return 0;
  let seconds: number;
  if (typeof v === 'number') seconds = v;
  else if (typeof v === 'string') {
    const t = v.trim().toLowerCase();
    if (t === 'off' || t === 'never' || t === 'false') return 0;
    const m = /^(\d+(?:\.\d+)?)\s*([smhdw]?)$/.exec(t);
    if (!m) return bad();
    seconds = Number(m[1]) * INTERVAL_UNITS[m[2] || 's'];
  } else return bad();
  if (!Number.isFinite(seconds) || seconds < 0) return bad();
  if (seconds === 0) return 0;
  if (seconds < MIN_COST_MAP_REFRESH_SECONDS) return bad();
  return seconds;
}

/** Reports keys Tollgate knows but ignores (one warning) and unknown keys (one warning each). */
function reportUnused(
  section: string,
  map: LMap,
  typed: readonly string[],
  ignored: readonly string[],
  diags: Diagnostics,
): void {
  const unused: string[] = [];
  for (const e of map.entries) {
    if (typed.includes(e.key)) continue;
    if (ignored.includes(e.key)) {
      unused.push(e.key);
      continue;
    }
    diags.warn(
      joinPath(section, e.key),
      e.keyLine,
      `unknown key \`${e.key}\`, ignored${didYouMean(e.key, [...typed, ...ignored])}`,
    );
  }
  if (unused.length > 0) {
    diags.warn(section, map.line, `accepted but not acted on by Tollgate: ${unused.join(', ')}`);
  }
}

export function readGeneralSettings(map: LMap | undefined, diags: Diagnostics): GeneralSettings {
  const s: GeneralSettings = {
    requirePricing: false,
    storePromptsInSpendLogs: false,
    disableSpendLogs: false,
    maxRequestBodyBytes: DEFAULT_MAX_REQUEST_BODY_BYTES,
    raw: {},
  };
  if (!map) return s;
  s.raw = toPlain(map) as Record<string, unknown>;
  const P = 'general_settings';
  let bytesSet = false;
  let mbEntry: LEntry | undefined;
  for (const e of map.entries) {
    const p = joinPath(P, e.key);
    const v = e.value;
    switch (e.key) {
      case 'master_key': {
        const k = readString(v, p, diags, { scalars: true, nonEmpty: true });
        if (k !== undefined) {
          s.masterKey = k;
          if (!k.startsWith('sk-'))
            diags.warn(p, v.line, 'LiteLLM expects the master key to start with `sk-`');
        }
        break;
      }
      case 'database_url':
        if (v.kind === 'scalar' && v.invalid) {
          // LiteLLM reads a missing os.environ/DATABASE_URL as "no database" and starts without one.
          diags.warn(
            p,
            v.line,
            'not set: the embedded database in the data folder is used instead of PostgreSQL',
          );
          break;
        }
        s.databaseUrl = readString(v, p, diags, { nonEmpty: true });
        break;
      case 'redis_url':
        if (v.kind === 'scalar' && v.invalid) {
          diags.warn(p, v.line, 'not set: counters are kept in this process (no Redis)');
          break;
        }
        s.redisUrl = readString(v, p, diags, { nonEmpty: true });
        break;
      case 'cost_map':
        s.costMap = readString(v, p, diags, { nonEmpty: true });
        break;
      case 'cost_map_refresh_interval':
        s.costMapRefreshIntervalSeconds = readRefreshInterval(v, p, diags);
        break;
      case 'require_pricing':
        s.requirePricing = readBool(v, p, diags) ?? false;
        break;
      case 'store_prompts_in_spend_logs':
        s.storePromptsInSpendLogs = readBool(v, p, diags) ?? false;
        break;
      case 'disable_spend_logs':
        s.disableSpendLogs = readBool(v, p, diags) ?? false;
        break;
      case 'budget_enforcement': {
        const m = readString(v, p, diags);
        if (m === undefined) break;
        if ((BUDGET_MODES as readonly string[]).includes(m)) s.budgetEnforcement = m as BudgetEnforcement;
        else
          diags.error(
            p,
            v.line,
            `must be one of ${BUDGET_MODES.join(', ')} (got ${describe(v)})${didYouMean(m, BUDGET_MODES)}`,
          );
        break;
      }
      case 'max_request_body_bytes': {
        const n = readInt(v, p, diags, { min: 1 });
        if (n !== undefined) {
          s.maxRequestBodyBytes = n;
          bytesSet = true;
        }
        break;
      }
      case 'max_request_size_mb':
        mbEntry = e;
        break;
      case 'alert_webhook_url':
        s.alertWebhookUrl = readUrl(v, p, diags);
        break;
      case 'alerting':
        if (v.kind !== 'seq' || v.items.some((it) => it.kind !== 'scalar' || typeof it.value !== 'string')) {
          diags.error(p, v.line, `must be a list of strings, e.g. ["webhook"] (got ${describe(v)})`);
        }
        break;
      case 'strict_config':
        s.strictConfig = readBool(v, p, diags) ?? false;
        break;
      case 'allow_requests_on_db_unavailable':
        s.allowRequestsOnDbUnavailable = readBool(v, p, diags) ?? false;
        break;
      case 'allowed_ips':
        s.allowedIps = readAllowedIps(v, p, diags);
        break;
      case 'litellm_key_header_name': {
        const h = readString(v, p, diags, { nonEmpty: true });
        if (h !== undefined) {
          if (/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(h)) s.keyHeaderName = h.toLowerCase();
          else diags.error(p, v.line, `must be an HTTP header name (got ${describe(v)})`);
        }
        break;
      }
    }
  }
  // Where alerts go (webhook, Slack, alert_to_webhook_url) is checked at startup by the alerting module.
  if (mbEntry) {
    const p = joinPath(P, 'max_request_size_mb');
    const mb = readNumber(mbEntry.value, p, diags, { positive: true });
    if (mb !== undefined) {
      if (bytesSet) diags.warn(p, mbEntry.keyLine, 'ignored: max_request_body_bytes is also set and wins');
      else s.maxRequestBodyBytes = Math.floor(mb * 1024 * 1024);
    }
  }
  reportUnused(P, map, GENERAL_SETTINGS_TYPED, GENERAL_SETTINGS_IGNORED, diags);
  return s;
}

export interface LitellmSettingsResult {
  settings: Record<string, unknown>;
  numRetries?: number;
  requestTimeout?: number;
  /** The section as read, for the router keys LiteLLM also takes from litellm_settings. */
  map?: LMap;
}

/** `allowed_ips`: IPv4/IPv6 addresses or CIDR ranges. */
function readAllowedIps(node: LNode, path: string, diags: Diagnostics): string[] | undefined {
  const items = node.kind === 'seq' ? node.items : [node];
  const out: string[] = [];
  items.forEach((it, i) => {
    const p = node.kind === 'seq' ? joinPath(path, i) : path;
    const s = readString(it, p, diags, { nonEmpty: true });
    if (s === undefined) return;
    const [addr, bits, extra] = s.trim().split('/');
    const family = isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    if (family === 0 || !okBits || extra !== undefined) {
      diags.error(
        p,
        it.line,
        `must be an IP address or a CIDR range such as 10.0.0.0/8 (got ${describe(it)})`,
      );
      return;
    }
    out.push(s.trim());
  });
  return out;
}

export function readLitellmSettings(map: LMap | undefined, diags: Diagnostics): LitellmSettingsResult {
  const r: LitellmSettingsResult = { settings: {} };
  if (!map) return r;
  r.settings = toPlain(map) as Record<string, unknown>;
  r.map = map;
  const P = 'litellm_settings';
  const acted: readonly string[] = LITELLM_SETTINGS_ACTED_ON;
  const routerKeys: readonly string[] = LITELLM_ROUTER_KEYS;
  const unused: string[] = [];
  for (const e of map.entries) {
    const p = joinPath(P, e.key);
    switch (e.key) {
      case 'num_retries':
        r.numRetries = readInt(e.value, p, diags);
        break;
      case 'request_timeout':
        r.requestTimeout = readNumber(e.value, p, diags, { positive: true });
        break;
      case 'drop_params':
        readBool(e.value, p, diags);
        break;
      case 'set_verbose':
        // Deprecated in LiteLLM too: Tollgate's log level comes from --detailed_debug / LITELLM_LOG.
        readBool(e.value, p, diags);
        unused.push(e.key);
        break;
      case 'allow_requests_on_db_unavailable':
        // A common mistake: LiteLLM reads it from general_settings only, so here it changes nothing.
        diags.warn(
          p,
          e.keyLine,
          'allow_requests_on_db_unavailable belongs in general_settings (LiteLLM reads it only there); ignored here',
        );
        break;
      default: {
        if (routerKeys.includes(e.key)) break; // read by readRouterPolicy (router_settings wins)
        // Acted on elsewhere (cache, callbacks…: validated where they are used, at startup).
        if (acted.includes(e.key)) break;
        unused.push(e.key);
        const near = nearest(e.key, acted);
        if (near !== undefined && near !== e.key) {
          diags.warn(p, e.keyLine, `unknown key \`${e.key}\` (did you mean \`${near}\`?)`);
        }
      }
    }
  }
  if (unused.length > 0)
    diags.warn(P, map.line, `accepted but not acted on by Tollgate: ${unused.join(', ')}`);
  return r;
}

export function readRouterSettings(
  map: LMap | undefined,
  litellm: LitellmSettingsResult,
  diags: Diagnostics,
): RouterSettings {
  const s: RouterSettings = {
    numRetries: litellm.numRetries ?? DEFAULT_NUM_RETRIES,
    timeout: litellm.requestTimeout ?? DEFAULT_TIMEOUT_SECONDS,
    raw: {},
    policy: readRouterPolicy(map, litellm.map, diags),
  };
  if (!map) return s;
  s.raw = toPlain(map) as Record<string, unknown>;
  const P = 'router_settings';
  for (const e of map.entries) {
    const p = joinPath(P, e.key);
    if (e.key === 'num_retries') {
      const n = readInt(e.value, p, diags);
      if (n !== undefined) s.numRetries = n;
    } else if (e.key === 'timeout') {
      const n = readNumber(e.value, p, diags, { positive: true });
      if (n !== undefined) s.timeout = n;
    } else if (e.key === 'ignore_invalid_deployments') {
      // LiteLLM's proxy default is true (a bad deployment does not block the others); false = refuse.
      const b = readBool(e.value, p, diags);
      if (b === false) s.strictDeployments = true;
    }
  }
  reportUnused(P, map, [...ROUTER_SETTINGS_TYPED, ...ROUTER_POLICY_KEYS], ROUTER_SETTINGS_IGNORED, diags);
  return s;
}

/** Settings whose missing environment variable means "unset", as LiteLLM reads it (None), not an error. */
const UNSET_WHEN_MISSING = new Set(['general_settings.database_url', 'general_settings.redis_url']);

/** Severity for env-reference problems in settings: errors only where Tollgate uses the value. */
export function settingsSeverity(path: string): 'error' | 'warning' {
  if (UNSET_WHEN_MISSING.has(path)) return 'warning';
  const m = /^(general_settings|router_settings|litellm_settings)(?:\.([A-Za-z_][\w-]*))?/.exec(path);
  if (!m) return 'error';
  const key = m[2] ?? '';
  const used: readonly string[] =
    m[1] === 'general_settings'
      ? GENERAL_SETTINGS_TYPED
      : m[1] === 'router_settings'
        ? [...ROUTER_SETTINGS_TYPED, ...ROUTER_POLICY_KEYS]
        : [...LITELLM_SETTINGS_ACTED_ON, ...LITELLM_ROUTER_KEYS];
  return used.includes(key) ? 'error' : 'warning';
}
