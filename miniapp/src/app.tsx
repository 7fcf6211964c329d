// The shell: the login, the screen the route table picks for the path, Telegram's BackButton
// as that route says, and the tab bar. Screens live in screens/, their routes in routes.ts.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Api, User } from './api';
import { TabBar } from './components/TabBar';
import { loginExpired, message } from './errors';
import { useBackButton } from './hooks/useBackButton';
import { resolve, usePathname } from './router';
import { ROUTES } from './routes';

export function App({ api }: { api: Api }) {
  const pathname = usePathname();
  const { route, params } = resolve(ROUTES, pathname);
  const [user, setUser] = useState<User | null>(null);
  const [loginError, setLoginError] = useState<unknown>(null);
  const login = useCallback(() => {
    setLoginError(null);
    // The callback's answer carries the member: no /me on the way to the first screen, whose
    // events load alongside the login (2 requests in a row, not 3: docs/performance.md).
    api
      .login()
      .then(() => api.lastLoginUser ?? api.me().then((r) => r.user))
      .then(setUser, setLoginError);
  }, []);
  useEffect(() => {
    // Every launch logs in (Telegram's fresh initData refreshes name and photo, and a new
    // member's start_param referral is recorded); the old /auth/callback route redeems its code.
    if (route.name !== 'callback') login();
  }, []);
  useBackButton(route.back);
  const { Screen } = route;
  return (
    <>
      {loginError !== null &&
        (loginExpired(loginError) ? (
          <div class="banner" role="alert">{message(loginError)}</div>
        ) : (
          <div class="banner" role="alert">
            <span>Login failed: {message(loginError)}</span>
            <button type="button" class="button small" onClick={login}>Try again</button>
          </div>
        ))}
      {/* A new path is a new screen (its own state and requests), even on the same route. */}
      <Screen key={pathname} api={api} user={user} setUser={setUser} params={params} />
      <TabBar current={route.tab} />
    </>
  );
}
