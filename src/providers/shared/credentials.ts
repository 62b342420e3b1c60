/**
 * @module providers/shared/credentials
 * Resolves a deployment's API key and base URL (config value, else environment variables, else a
 * default), once per deployment object. Errors name the deployment and the variable to set, never a value.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { providerConfigError } from './upstream-error.js';

export interface EndpointSpec {
  /** Provider prefix, for messages. */
  provider: string;
  /** Environment variables tried in order for the key. */
  keyEnv: readonly string[];
  /** Environment variables tried in order for the base URL. */
  baseEnv: readonly string[];
  /**
   * Default base URL; undefined = api_base is required. `{NAME}` placeholders are filled from the
   * environment (e.g. Cloudflare's `{CLOUDFLARE_ACCOUNT_ID}`); a missing one makes api_base required.
   */
  defaultBase: string | undefined;
  /** Whether a request without a key is a configuration error (false for local servers). */
  keyRequired: boolean;
}

export interface Endpoint {
  /** Base URL without trailing slash. */
  base: string;
  apiKey: string | undefined;
}

const cache = new WeakMap<DeploymentConfig, Endpoint>();

function firstEnv(names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = process.env[name];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** The default base with its `{NAME}` placeholders filled, or the names that are not set. */
function defaultBase(spec: EndpointSpec): { base?: string; missing: string[] } {
  if (spec.defaultBase === undefined) return { missing: [] };
  const missing: string[] = [];
  const base = spec.defaultBase.replace(/\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const v = firstEnv([name]);
    if (v === undefined) missing.push(name);
    return v === undefined ? '' : encodeURIComponent(v);
  });
  return missing.length > 0 ? { missing } : { base, missing };
}

/**
 * The base URL a deployment is sent to (config value, else the environment, else the provider default), without
 * throwing; undefined when there is none. For spend logs and /model/info (callers strip credentials).
 */
export function endpointBase(d: DeploymentConfig, spec: EndpointSpec): string | undefined {
  const base = d.apiBase ?? firstEnv(spec.baseEnv) ?? defaultBase(spec).base;
  return base === undefined || base === '' ? undefined : base.replace(/\/+$/, '');
}

/** What is missing for a deployment to reach its provider (empty when nothing). */
export function endpointProblems(d: DeploymentConfig, spec: EndpointSpec): string[] {
  const problems: string[] = [];
  const fallback = defaultBase(spec);
  const base = d.apiBase ?? firstEnv(spec.baseEnv) ?? fallback.base;
  if (base === undefined || base === '') {
    const env = [...spec.baseEnv, ...fallback.missing];
    problems.push(
      `no api_base: provider "${spec.provider}" needs litellm_params.api_base${env.length > 0 ? ` or ${env.join('/')}` : ''}`,
    );
  } else if (!/^https?:\/\//i.test(base)) {
    problems.push(`api_base must be an http(s) URL (got a value of ${base.length} characters)`);
  }
  if ((d.apiKey ?? firstEnv(spec.keyEnv)) === undefined && spec.keyRequired) {
    problems.push(`no API key: set litellm_params.api_key or ${spec.keyEnv.join('/')}`);
  }
  return problems;
}

/**
 * Base URL and key for a deployment, cached per deployment object. Throws TG_ERR_PROVIDER_CONFIG (never
 * retried) naming what to set, never a value.
 */
export function resolveEndpoint(d: DeploymentConfig, spec: EndpointSpec): Endpoint {
  const hit = cache.get(d);
  if (hit) return hit;
  const problems = endpointProblems(d, spec);
  if (problems.length > 0) throw providerConfigError(d, problems.join('; '));
  const base = (d.apiBase ?? firstEnv(spec.baseEnv) ?? defaultBase(spec).base) as string;
  const endpoint: Endpoint = { base: base.replace(/\/+$/, ''), apiKey: d.apiKey ?? firstEnv(spec.keyEnv) };
  cache.set(d, endpoint);
  return endpoint;
}
