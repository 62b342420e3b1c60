/**
 * @module cache/cache-settings
 * `litellm_settings.cache` and `cache_params` (LiteLLM names) → typed, validated settings. Bad values
 * are startup errors naming the setting, so a typo never silently turns caching off.
 */
import type { CallType } from '../providers/types.js';

export type CacheBackend = 'local' | 'redis';

export interface CacheSettings {
  backend: CacheBackend;
  /** Seconds a stored answer lives (cache_params.ttl; default 600). */
  ttlSeconds: number;
  /** Prepended to every key (cache_params.namespace). */
  namespace: string;
  callTypes: ReadonlySet<CallType>;
  /** default_on: every call uses the cache; default_off: only calls with `cache: {"use-cache": true}`. */
  mode: 'default_on' | 'default_off';
  /** Redis URL for type redis (cache_params.url / host+port+password, else the gateway's Redis). */
  redisUrl: string | undefined;
  /** Local backend: most entries kept (cache_params.max_size_in_memory; default 10,000). */
  maxEntries: number;
  /** Largest answer stored, in characters of JSON (default 1,048,576). */
  maxEntryChars: number;
}

/** LiteLLM call-type names (sync and async) → Tollgate call types. */
const CALL_TYPE_NAMES: Record<string, CallType> = {
  completion: 'chat',
  acompletion: 'chat',
  text_completion: 'completion',
  atext_completion: 'completion',
  embedding: 'embedding',
  aembedding: 'embedding',
  image_generation: 'image_generation',
  aimage_generation: 'image_generation',
  anthropic_messages: 'anthropic_messages',
  aanthropic_messages: 'anthropic_messages',
};

/** LiteLLM's default supported_call_types (transcription is not a Tollgate call type). */
const DEFAULT_CALL_TYPES: CallType[] = ['chat', 'completion', 'embedding'];

export interface CacheSettingsResult {
  settings: CacheSettings | null;
  errors: string[];
  warnings: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function positiveInt(v: unknown, path: string, errors: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n <= 0) {
    errors.push(`${path} must be a positive whole number (got ${JSON.stringify(v)})`);
    return undefined;
  }
  return n;
}

/** Reads the cache settings; `gatewayRedisUrl` is general_settings.redis_url / REDIS_URL. */
export function readCacheSettings(
  litellm: Record<string, unknown>,
  gatewayRedisUrl: string | undefined,
  env: NodeJS.ProcessEnv,
): CacheSettingsResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const on = litellm.cache;
  if (on === undefined || on === null || on === false) return { settings: null, errors, warnings };
  if (on !== true) {
    errors.push(`litellm_settings.cache must be true or false (got ${JSON.stringify(on)})`);
    return { settings: null, errors, warnings };
  }
  const p = litellm.cache_params ?? {};
  if (!isRecord(p)) {
    errors.push('litellm_settings.cache_params must be a mapping');
    return { settings: null, errors, warnings };
  }
  const P = 'litellm_settings.cache_params';
  const type = p.type ?? 'local';
  let backend: CacheBackend = 'local';
  if (type === 'redis') backend = 'redis';
  else if (type === 'local' || type === 'in-memory' || type === 'in_memory') backend = 'local';
  else errors.push(`${P}.type must be "redis" or "local" (got ${JSON.stringify(type)})`);
  const ttlSeconds = positiveInt(p.ttl, `${P}.ttl`, errors) ?? 600;
  const namespace = p.namespace === undefined || p.namespace === null ? '' : String(p.namespace);
  const callTypes = new Set<CallType>();
  if (p.supported_call_types === undefined || p.supported_call_types === null) {
    for (const t of DEFAULT_CALL_TYPES) callTypes.add(t);
  } else if (!Array.isArray(p.supported_call_types)) {
    errors.push(`${P}.supported_call_types must be a list such as ["acompletion", "aembedding"]`);
  } else {
    for (const name of p.supported_call_types) {
      const t = typeof name === 'string' ? CALL_TYPE_NAMES[name] : undefined;
      if (t) callTypes.add(t);
      else if (name === 'transcription' || name === 'atranscription')
        warnings.push(`${P}.supported_call_types: ${name} is not a Tollgate call type; ignored`);
      else
        errors.push(
          `${P}.supported_call_types: unknown call type ${JSON.stringify(name)}; known: ${Object.keys(CALL_TYPE_NAMES).join(', ')}`,
        );
    }
  }
  const mode = p.mode ?? 'default_on';
  if (mode !== 'default_on' && mode !== 'default_off')
    errors.push(`${P}.mode must be "default_on" or "default_off" (got ${JSON.stringify(mode)})`);
  let redisUrl: string | undefined;
  if (backend === 'redis') {
    if (typeof p.url === 'string' && p.url) redisUrl = p.url;
    else if (typeof p.redis_url === 'string' && p.redis_url) redisUrl = p.redis_url;
    else if (p.host !== undefined && p.host !== null) {
      const auth = p.password ? `:${encodeURIComponent(String(p.password))}@` : '';
      redisUrl = `redis://${auth}${String(p.host)}:${String(p.port ?? 6379)}`;
    } else if (gatewayRedisUrl) redisUrl = gatewayRedisUrl;
    else if (env.REDIS_HOST) {
      const auth = env.REDIS_PASSWORD ? `:${encodeURIComponent(env.REDIS_PASSWORD)}@` : '';
      redisUrl = `redis://${auth}${env.REDIS_HOST}:${env.REDIS_PORT ?? '6379'}`;
    } else
      errors.push(
        `${P}.type is redis but no Redis is configured: set cache_params.host/port (or url), general_settings.redis_url or REDIS_URL`,
      );
  }
  const maxEntries = positiveInt(p.max_size_in_memory, `${P}.max_size_in_memory`, errors) ?? 10_000;
  const maxEntryChars = positiveInt(p.max_item_size, `${P}.max_item_size`, errors) ?? 1_048_576;
  if (errors.length) return { settings: null, errors, warnings };
  return {
    settings: {
      backend,
      ttlSeconds,
      namespace,
      callTypes,
      mode: mode as CacheSettings['mode'],
      redisUrl,
      maxEntries,
      maxEntryChars,
    },
    errors,
    warnings,
  };
}
