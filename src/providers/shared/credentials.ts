/**
 * @module providers/shared/credentials
 * Resolves a deployment's API key and base URL (config value, else environment variables, else a
 * default), once per deployment object. Errors name the deployment and the variable to set, never a value.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { GatewayError } from '../../errors.js';

export interface EndpointSpec {
  /** Provider prefix, for messages. */
  provider: string;
  /** Environment variables tried in order for the key. */
  keyEnv: readonly string[];
  /** Environment variables tried in order for the base URL. */
  baseEnv: readonly string[];
  /** Default base URL; undefined = api_base is required. */
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

function describe(d: DeploymentConfig): string {
  return `deployment "${d.modelName}" (${d.model})`;
}

/** Base URL and key for a deployment, cached per deployment object. Throws a clear config error. */
export function resolveEndpoint(d: DeploymentConfig, spec: EndpointSpec): Endpoint {
  const hit = cache.get(d);
  if (hit) return hit;
  const base = d.apiBase ?? firstEnv(spec.baseEnv) ?? spec.defaultBase;
  if (base === undefined || base === '') {
    const env = spec.baseEnv.length > 0 ? ` or ${spec.baseEnv.join('/')}` : '';
    throw new GatewayError(
      'TG_ERR_UPSTREAM',
      `${describe(d)} has no api_base: provider "${spec.provider}" needs litellm_params.api_base${env}`,
    );
  }
  const apiKey = d.apiKey ?? firstEnv(spec.keyEnv);
  if (apiKey === undefined && spec.keyRequired) {
    throw new GatewayError(
      'TG_ERR_UPSTREAM',
      `${describe(d)} has no API key: set litellm_params.api_key or ${spec.keyEnv.join('/')}`,
    );
  }
  const endpoint: Endpoint = { base: base.replace(/\/+$/, ''), apiKey };
  cache.set(d, endpoint);
  return endpoint;
}
