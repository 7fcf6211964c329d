import { useEffect, useState } from 'preact/hooks';
import { ApiError, message } from '../errors';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import type { ScreenProps } from '../screen';

/** The old `/auth/callback?code=&telegram_id=` link: redeems its code, then shows the events. */
export function CallbackScreen({ api, setUser }: ScreenProps) {
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const query = new URLSearchParams(location.search);
    const code = query.get('code');
    const telegramId = query.get('telegram_id');
    if (!code || !telegramId) {
      setError(new ApiError(422, 'The link is missing its code.'));
      return;
    }
    api.redeem(code, telegramId).then(() => {
      if (api.lastLoginUser) setUser(api.lastLoginUser);
      navigate('', true);
    }, setError);
  }, []);
  useReady(error !== null);
  return (
    <main>
      {error ? (
        <div class="state" role="alert">
          <p>Login failed: {message(error)}</p>
        </div>
      ) : (
        <p class="state" aria-busy="true">Logging in…</p>
      )}
    </main>
  );
}
