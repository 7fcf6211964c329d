// Where the access token is kept between launches (localStorage; tests pass their own).

export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const TOKEN_KEY = 'community.token';
// Whose token it is: the Telegram user id of the launch that stored it.
export const TOKEN_OWNER_KEY = 'community.token.owner';

/** The Telegram user id the launch's initData names (`user.id`), or null. */
export function ownerOf(initData: string | null): string | null {
  const user = initData ? new URLSearchParams(initData).get('user') : null;
  if (!user) return null;
  try {
    const id = (JSON.parse(user) as { id?: unknown }).id;
    return typeof id === 'number' ? String(id) : null;
  } catch {
    return null;
  }
}

/** The token kept for `owner` alone: a webview whose storage another Telegram account used
 * before (a shared device, a switched account) must not act as that account, not even for the
 * requests made before this launch's own login. */
export function localStorageTokens(owner: string | null, storage: Storage = localStorage): TokenStore {
  return {
    get: () => (owner !== null && storage.getItem(TOKEN_OWNER_KEY) === owner ? storage.getItem(TOKEN_KEY) : null),
    set: (token) => {
      if (token && owner !== null) {
        storage.setItem(TOKEN_KEY, token);
        storage.setItem(TOKEN_OWNER_KEY, owner);
      } else {
        storage.removeItem(TOKEN_KEY);
        storage.removeItem(TOKEN_OWNER_KEY);
      }
    },
  };
}
