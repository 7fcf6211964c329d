// Path routing under /app/. Telegram's launch parameters stay in the URL hash, untouched:
// every navigation keeps the hash, so a reload still launches with them. The routes themselves
// are a table (routes.ts); this module only matches paths against it and moves between them.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app/';

/** A route's `:name` segments, by name. */
export type Params = Record<string, string>;

/** The path under /app/ as segments; the old `/auth/callback` link counts as `auth/callback`. */
function segments(pathname: string): string[] {
  const path =
    pathname === '/auth/callback'
      ? 'auth/callback'
      : pathname.startsWith(BASE)
        ? pathname.slice(BASE.length)
        : '';
  return path.split('/').filter(Boolean).map(decodeURIComponent);
}

/** The first route whose `match` ('events/:id') fits the path's leading segments (later ones
 * are ignored), with its params. An empty `match` fits every path: the table ends with one. */
export function resolve<R extends { match: string }>(
  routes: readonly R[],
  pathname: string,
): { route: R; params: Params } {
  const parts = segments(pathname);
  for (const route of routes) {
    const params: Params = {};
    const fits = route.match
      .split('/')
      .filter(Boolean)
      .every((want, i) => {
        const part = parts[i];
        if (part === undefined) return false;
        if (want.startsWith(':')) params[want.slice(1)] = part;
        return want.startsWith(':') || want === part;
      });
    if (fits) return { route, params };
  }
  throw new Error(`no route for ${pathname}: the table's last route should match ''`);
}

export function navigate(path: string, replace = false): void {
  const url = BASE + path.replace(/^\//, '') + location.hash;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** location.pathname, following navigate() and the browser's back and forward. */
export function usePathname(): string {
  const [pathname, setPathname] = useState(() => location.pathname);
  useEffect(() => {
    const update = () => setPathname(location.pathname);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return pathname;
}
