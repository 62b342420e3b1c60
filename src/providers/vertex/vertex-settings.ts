/**
 * @module providers/vertex/vertex-settings
 * A `vertex_ai/` deployment's project, location, endpoint base and service-account key, read once per
 * deployment as LiteLLM reads them:
 * - credentials: `vertex_credentials` (or `vertex_ai_credentials`) as a service-account JSON key — a JSON
 *   string, a YAML map, or the path to the key file (`os.environ/…` already resolved by the loader) — else
 *   the file named by GOOGLE_APPLICATION_CREDENTIALS;
 * - project: `vertex_project` / `vertex_ai_project`, else the key's `project_id`, else VERTEXAI_PROJECT /
 *   GOOGLE_CLOUD_PROJECT; location: `vertex_location` / `vertex_ai_location`, else VERTEXAI_LOCATION, else
 *   `us-central1`;
 * - the key's `token_uri` is where tokens are fetched (Google's endpoint unless it says otherwise).
 * Problems are reported in words that name what to set, never a value; project and location are checked
 * against Google's formats because they become part of the URL's host and path.
 */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DeploymentConfig } from '../../config/types.js';
import { isRecord, type Json, str } from '../shared/json.js';
import { providerConfigError } from '../shared/upstream-error.js';

export const GOOGLE_TOKEN_URI = 'https://oauth2.googleapis.com/token';
export const DEFAULT_LOCATION = 'us-central1';

export interface ServiceAccountKey {
  clientEmail: string;
  /** PEM; never logged or shown. */
  privateKey: string;
  privateKeyId?: string;
  projectId?: string;
  tokenUri: string;
}

export interface VertexSettings {
  project: string;
  location: string;
  /** `https://{location}-aiplatform.googleapis.com/v1` (`aiplatform.googleapis.com` for global), or api_base. */
  base: string;
  key: ServiceAccountKey;
}

type Result = { settings: VertexSettings; problems: [] } | { settings: null; problems: string[] };

const cache = new WeakMap<DeploymentConfig, Result>();

function option(d: DeploymentConfig, ...names: string[]): unknown {
  for (const n of names) {
    const v = d.deploymentOptions?.[n];
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

function env(...names: string[]): string | undefined {
  for (const n of names) {
    const v = process.env[n];
    if (v !== undefined && v !== '') return v;
  }
  return undefined;
}

/** The key's JSON from an inline value or a file; `where` names the setting in messages. */
function readKeyJson(value: unknown, where: string, problems: string[]): Json | undefined {
  if (isRecord(value)) return value;
  if (typeof value !== 'string') {
    problems.push(`${where} must be a service-account JSON key or the path to one`);
    return undefined;
  }
  let text = value.trim();
  if (!text.startsWith('{')) {
    try {
      text = readFileSync(text, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${where} is neither a JSON key nor a readable key file (${code})`);
      return undefined;
    }
  }
  try {
    const json = JSON.parse(text);
    if (isRecord(json)) return json;
  } catch {
    // reported below
  }
  problems.push(`${where} is not valid JSON (expected a service-account key)`);
  return undefined;
}

function parseKey(json: Json, where: string, problems: string[]): ServiceAccountKey | undefined {
  const type = str(json.type);
  if (type !== undefined && type !== 'service_account') {
    problems.push(`${where} holds credentials of type "${type}"; only service-account keys are supported`);
    return undefined;
  }
  const clientEmail = str(json.client_email);
  const privateKey = str(json.private_key);
  if (!clientEmail || !privateKey) {
    problems.push(
      `${where} lacks ${clientEmail ? 'private_key' : 'client_email'} (expected a service-account key)`,
    );
    return undefined;
  }
  try {
    createPrivateKey(privateKey);
  } catch {
    problems.push(`${where}: private_key is not a valid PEM private key`);
    return undefined;
  }
  const tokenUri = str(json.token_uri) ?? GOOGLE_TOKEN_URI;
  if (!/^https?:\/\//i.test(tokenUri)) {
    problems.push(`${where}: token_uri must be an http(s) URL`);
    return undefined;
  }
  return {
    clientEmail,
    privateKey,
    privateKeyId: str(json.private_key_id),
    projectId: str(json.project_id),
    tokenUri,
  };
}

function credentials(d: DeploymentConfig, problems: string[]): ServiceAccountKey | undefined {
  const inline = option(d, 'vertex_credentials', 'vertex_ai_credentials');
  if (inline !== undefined) {
    const json = readKeyJson(inline, 'vertex_credentials', problems);
    return json && parseKey(json, 'vertex_credentials', problems);
  }
  const path = env('GOOGLE_APPLICATION_CREDENTIALS');
  if (path === undefined) {
    problems.push(
      'no credentials: set litellm_params.vertex_credentials (a service-account JSON key or its path) or GOOGLE_APPLICATION_CREDENTIALS',
    );
    return undefined;
  }
  const json = readKeyJson(path, 'GOOGLE_APPLICATION_CREDENTIALS', problems);
  return json && parseKey(json, 'GOOGLE_APPLICATION_CREDENTIALS', problems);
}

/** `us-central1`, `europe-west4`, `global`… (it becomes part of a host name). */
const LOCATION = /^[a-z][a-z0-9-]{1,62}$/;
/** Project ids (`my-proj-123`) and domain-scoped ones (`example.com:my-proj`). */
const PROJECT = /^[a-z0-9][a-z0-9.:-]{2,127}$/i;

/** `{base}/v1`: api_base (as the host, or ending in its API version) or the location's endpoint. */
export function vertexBase(location: string, apiBase: string | undefined): string {
  if (apiBase) {
    const b = apiBase.replace(/\/+$/, '');
    return /\/v1(?:beta1)?$/.test(b) ? b : `${b}/v1`;
  }
  const host = location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`;
  return `https://${host}/v1`;
}

function resolve(d: DeploymentConfig): Result {
  const problems: string[] = [];
  const key = credentials(d, problems);
  const project =
    str(option(d, 'vertex_project', 'vertex_ai_project')) ??
    key?.projectId ??
    env('VERTEXAI_PROJECT', 'GOOGLE_CLOUD_PROJECT');
  if (project === undefined) {
    problems.push(
      'no project: set litellm_params.vertex_project (or VERTEXAI_PROJECT), or use a key with project_id',
    );
  } else if (!PROJECT.test(project)) {
    problems.push('vertex_project is not a valid Google Cloud project id');
  }
  const location =
    str(option(d, 'vertex_location', 'vertex_ai_location')) ?? env('VERTEXAI_LOCATION') ?? DEFAULT_LOCATION;
  if (!LOCATION.test(location))
    problems.push('vertex_location is not a valid location (e.g. us-central1, global)');
  if (d.apiBase !== undefined && !/^https?:\/\//i.test(d.apiBase))
    problems.push('api_base must be an http(s) URL');
  if (problems.length > 0 || !key || project === undefined) return { settings: null, problems };
  return { settings: { project, location, base: vertexBase(location, d.apiBase), key }, problems: [] };
}

function cached(d: DeploymentConfig): Result {
  let r = cache.get(d);
  if (!r) {
    r = resolve(d);
    cache.set(d, r);
  }
  return r;
}

/** What stops a deployment from reaching Vertex (empty when nothing), for `checkDeployment`. */
export function vertexProblems(d: DeploymentConfig): string[] {
  return cached(d).problems;
}

/** The deployment's settings; throws TG_ERR_PROVIDER_CONFIG (never retried) naming what to fix. */
export function vertexSettings(d: DeploymentConfig): VertexSettings {
  const r = cached(d);
  if (!r.settings) throw providerConfigError(d, r.problems.join('; '));
  return r.settings;
}
