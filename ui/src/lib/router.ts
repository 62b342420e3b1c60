/**
 * @module ui/lib/router
 * Hash routing (#/logs?model=gpt-4o): works behind any reverse proxy and needs nothing from the
 * server but /ui. Filters and ranges live in the hash, so a view can be bookmarked or shared
 * (never the key: it is not part of any URL).
 */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  params: URLSearchParams;
}

export function parseHash(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  const page = (q >= 0 ? h.slice(0, q) : h) || 'usage';
  return { page, params: new URLSearchParams(q >= 0 ? h.slice(q + 1) : '') };
}

export function hrefOf(page: string, params: Record<string, string | undefined | null> = {}): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return `#/${page}${s ? `?${s}` : ''}`;
}

export function navigate(
  page: string,
  params: Record<string, string | undefined | null> = {},
  replace = false,
) {
  const href = hrefOf(page, params);
  if (replace) window.history.replaceState(null, '', href);
  else window.history.pushState(null, '', href);
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', on);
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('hashchange', on);
      window.removeEventListener('popstate', on);
    };
  }, []);
  return route;
}
