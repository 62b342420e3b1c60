/**
 * @module ui/lib/api
 * Calls the gateway (same origin) with the signed-in key as a Bearer header, parses responses with
 * exact numbers, and turns the gateway's OpenAI-shaped errors into messages a person can act on.
 * The key is never put in a URL, a cookie or the console.
 */
import { isObject, type Json, parseExactJson } from './exact-json';

export const NEXT_CURSOR_HEADER = 'x-tollgate-next-cursor';

export type Params = Record<string, string | number | boolean | null | undefined>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string | null,
    readonly code: string | null,
    message: string,
    readonly path: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  /** The key itself was refused (unknown, deleted, expired, blocked): the session is over. */
  get isSessionEnd(): boolean {
    return this.status === 401 || this.code === 'blocked_api_key';
  }
}

export interface ApiResponse<T = Json> {
  body: T;
  headers: Headers;
}

export interface Api {
  get<T = Json>(path: string, params?: Params): Promise<ApiResponse<T>>;
  post<T = Json>(path: string, body: unknown): Promise<ApiResponse<T>>;
  /** GET returning text (CSV exports). */
  text(path: string, params?: Params): Promise<string>;
}

function url(path: string, params: Params = {}): URL {
  const u = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
  }
  return u;
}

async function call(getKey: () => string, path: string, init: RequestInit, params?: Params) {
  let res: Response;
  try {
    res = await fetch(url(path, params), {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${getKey()}` },
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch (err) {
    throw new ApiError(0, 'network', 'network_error', `Cannot reach the gateway (${String(err)}).`, path);
  }
  const text = await res.text();
  if (!res.ok) {
    let body: Json = null;
    try {
      body = text ? parseExactJson(text) : null;
    } catch {
      body = null;
    }
    const e = isObject(body) && isObject(body.error) ? body.error : null;
    const str = (v: Json | undefined) => (typeof v === 'string' ? v : null);
    throw new ApiError(
      res.status,
      str(e?.type),
      str(e?.code),
      str(e?.message) ?? `HTTP ${res.status} ${res.statusText}`,
      path,
      str(e?.param),
    );
  }
  return { text, headers: res.headers };
}

export function createApi(getKey: () => string): Api {
  const json = async <T>(path: string, init: RequestInit, params?: Params): Promise<ApiResponse<T>> => {
    const r = await call(
      getKey,
      path,
      { ...init, headers: { accept: 'application/json', ...init.headers } },
      params,
    );
    try {
      return { body: parseExactJson(r.text) as T, headers: r.headers };
    } catch {
      throw new ApiError(
        200,
        'invalid_response',
        'invalid_json',
        'The gateway sent a response that is not JSON.',
        path,
      );
    }
  };
  return {
    get: (path, params) => json(path, { method: 'GET' }, params),
    post: (path, body) =>
      json(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
      }),
    text: async (path, params) => (await call(getKey, path, { method: 'GET' }, params)).text,
  };
}

export interface ErrorText {
  title: string;
  detail: string;
}

/** What to tell a person about a failed call. */
export function describeError(err: unknown): ErrorText {
  if (!(err instanceof ApiError)) {
    return { title: 'Something went wrong in the console.', detail: String((err as Error)?.message ?? err) };
  }
  const said = `The gateway said: ${err.message}`;
  switch (err.code) {
    case 'missing_api_key':
    case 'invalid_api_key':
      return {
        title: 'This key is not valid: the gateway does not know it.',
        detail: `${said} Check for a typo, or the key may have been deleted or regenerated.`,
      };
    case 'expired_api_key':
      return { title: 'This key has expired.', detail: said };
    case 'blocked_api_key':
      return { title: 'This key is blocked.', detail: `${said} An admin can unblock it on the Keys page.` };
  }
  if (err.status === 401) return { title: 'The gateway refused this key.', detail: said };
  if (err.status === 403) {
    return err.message.includes('get_spend_routes')
      ? { title: 'This key cannot read spend: it needs get_spend_routes.', detail: said }
      : { title: 'This key may not do that.', detail: said };
  }
  if (err.status === 0) return { title: 'The gateway is unreachable.', detail: err.message };
  if (err.status === 404 && err.message.startsWith('Route not found')) {
    return { title: `This gateway does not serve ${err.path} (an older version?).`, detail: said };
  }
  if (err.status === 404) return { title: 'Not found.', detail: said };
  if (err.status === 400) return { title: 'The gateway refused this request.', detail: said };
  if (err.status === 429) return { title: 'Rate limited.', detail: said };
  if (err.status === 503)
    return { title: 'The gateway is unavailable (database or shutdown).', detail: said };
  return { title: `The gateway answered ${err.status} for ${err.path}.`, detail: said };
}
