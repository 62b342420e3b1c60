/**
 * @module cost-map/cost-map-source
 * Which cost map a gateway uses, decided once from settings and environment, in this order:
 * `LITELLM_LOCAL_MODEL_COST_MAP=True` (built-in only, as in LiteLLM) → `general_settings.cost_map` →
 * env `TOLLGATE_COST_MAP` → env `LITELLM_MODEL_COST_MAP_URL` (LiteLLM's own override) → LiteLLM's public map.
 * The value `builtin` (setting or env) means the built-in snapshot only, never a fetch.
 */

/** The URL LiteLLM fetches at import (`litellm.model_cost_map_url`). */
export const LITELLM_COST_MAP_URL =
  'https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json';

/** Default refresh interval of a URL map: daily. */
export const DEFAULT_REFRESH_INTERVAL_MS = 24 * 60 * 60 * 1000;

export type CostMapSource =
  /** Built-in snapshot only; `reason` names the setting that asked for it. */
  | { kind: 'builtin'; reason: string }
  | { kind: 'file'; location: string; setBy: string }
  /** `isDefault`: LiteLLM's public map, chosen because nothing else was configured. */
  | { kind: 'url'; location: string; setBy: string; isDefault: boolean };

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes|on)$/i.test(v.trim());
const isUrl = (s: string) => /^https?:\/\//i.test(s);

function fromValue(value: string, setBy: string): CostMapSource {
  if (value.toLowerCase() === 'builtin') return { kind: 'builtin', reason: `${setBy}: builtin` };
  if (isUrl(value)) return { kind: 'url', location: value, setBy, isDefault: false };
  return { kind: 'file', location: value, setBy };
}

export function resolveCostMapSource(setting: string | undefined, env: NodeJS.ProcessEnv): CostMapSource {
  if (truthy(env.LITELLM_LOCAL_MODEL_COST_MAP))
    return { kind: 'builtin', reason: 'LITELLM_LOCAL_MODEL_COST_MAP=True' };
  const configured = setting?.trim();
  if (configured) return fromValue(configured, 'general_settings.cost_map');
  const tg = env.TOLLGATE_COST_MAP?.trim();
  if (tg) return fromValue(tg, 'TOLLGATE_COST_MAP');
  const litellm = env.LITELLM_MODEL_COST_MAP_URL?.trim();
  if (litellm) return fromValue(litellm, 'LITELLM_MODEL_COST_MAP_URL');
  return { kind: 'url', location: LITELLM_COST_MAP_URL, setBy: 'default', isDefault: true };
}

/** A URL safe to log and show: no user:password@, no query string (signed URLs carry keys there). */
export function displayLocation(location: string): string {
  if (!isUrl(location)) return location;
  try {
    const u = new URL(location);
    const hidden = u.username !== '' || u.password !== '' || u.search !== '';
    u.username = '';
    u.password = '';
    u.search = '';
    return hidden ? `${u.toString()}[…]` : u.toString();
  } catch {
    return '[invalid URL]';
  }
}
