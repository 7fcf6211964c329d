// Path routing under /app/. Telegram's launch parameters stay in the URL hash, untouched:
// every navigation keeps the hash, so a reload still launches with them.
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/app/';

export type Route =
  | { name: 'events' }
  | { name: 'event'; id: string }
  | { name: 'profile' }
  | { name: 'callback' }
  | { name: 'admin-new' }
  | { name: 'admin-edit'; id: string };

export function parse(pathname: string): Route {
  if (pathname === '/auth/callback') return { name: 'callback' };
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : '';
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'events' && parts[1]) return { name: 'event', id: parts[1] };
  if (parts[0] === 'profile') return { name: 'profile' };
  if (parts[0] === 'auth' && parts[1] === 'callback') return { name: 'callback' };
  if (parts[0] === 'admin' && parts[1] === 'new') return { name: 'admin-new' };
  if (parts[0] === 'admin' && parts[1] === 'events' && parts[2])
    return { name: 'admin-edit', id: parts[2] };
  return { name: 'events' };
}

export function navigate(path: string, replace = false): void {
  const url = BASE + path.replace(/^\//, '') + location.hash;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parse(location.pathname));
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return route;
}
