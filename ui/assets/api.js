/**
 * @module ui/api
 * Calls the gateway's spend API (same origin) with the signed-in key as a Bearer header, parses
 * responses with exact numbers, and turns the gateway's OpenAI-shaped errors into messages a
 * person can act on. The key is never put in a URL and never logged.
 */
import { parseExactJson } from './json.js';

export const NEXT_CURSOR_HEADER = 'x-tollgate-next-cursor';

export class ApiError extends Error {
  constructor(status, type, code, message, path) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.type = type ?? null;
    this.code = code ?? null;
    this.path = path;
  }
  /** The key was refused: missing, invalid, expired, blocked, or not allowed spend routes. */
  get isAuth() {
    return this.status === 401 || this.status === 403;
  }
}

/**
 * GET `path` with query `params`; resolves to { body, headers }. `getKey` returns the key at call time.
 */
export async function apiGet(getKey, path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  let res;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${getKey()}`, accept: 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(
      0,
      'network',
      'network_error',
      `Cannot reach the gateway (${err?.message ?? err}).`,
      path,
    );
  }
  const text = await res.text();
  let body = null;
  try {
    body = text ? parseExactJson(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = body && typeof body === 'object' ? body.error : null;
    const message = e && typeof e.message === 'string' ? e.message : `HTTP ${res.status} ${res.statusText}`;
    throw new ApiError(res.status, e?.type, e?.code, message, path);
  }
  if (body === null) {
    throw new ApiError(
      res.status,
      'invalid_response',
      'invalid_json',
      `The gateway sent a response that is not JSON.`,
      path,
    );
  }
  return { body, headers: res.headers };
}

/** { title, detail } for showing an error. */
export function describeError(err) {
  if (!(err instanceof ApiError)) {
    return { title: 'Something went wrong in the dashboard.', detail: String(err?.message ?? err) };
  }
  const said = `The gateway said: ${err.message}`;
  if (err.isAuth) {
    const hint =
      'Sign in with the master key or a virtual key created with permissions {"get_spend_routes": true}.';
    return {
      title: 'This key cannot read spend, it needs get_spend_routes.',
      detail: err.message.includes('get_spend_routes') ? said : `${said} ${hint}`,
    };
  }
  if (err.status === 0) return { title: 'The gateway is unreachable.', detail: err.message };
  if (err.status === 404) {
    return {
      title: `This gateway does not serve ${err.path}.`,
      detail: `The spend reporting routes may be missing from this version. ${said}`,
    };
  }
  if (err.status === 400) return { title: 'The gateway refused this query.', detail: said };
  if (err.status === 503) return { title: 'The spend database is unavailable.', detail: said };
  return { title: `The gateway answered ${err.status} for ${err.path}.`, detail: said };
}
