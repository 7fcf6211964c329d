// Where the access token is kept between launches (localStorage; tests pass their own).

export interface TokenStore {
  get(): string | null;
  set(token: string | null): void;
}

export const TOKEN_KEY = 'community.token';

export function localStorageTokens(storage: Storage = localStorage): TokenStore {
  return {
    get: () => storage.getItem(TOKEN_KEY),
    set: (token) => (token ? storage.setItem(TOKEN_KEY, token) : storage.removeItem(TOKEN_KEY)),
  };
}
