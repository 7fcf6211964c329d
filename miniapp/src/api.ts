// The one module that talks to the API (same origin only). It keeps the access token, logs in
// again once on a 401, and revalidates cached GETs with their ETag (If-None-Match -> 304).

export interface User {
  id: string;
  telegram_id: number;
  name: string;
  username?: string | null;
  photo_url?: string | null;
  role: string;
  coins?: number;
  referral_code: string;
  referred_by?: string | null;
  created_at?: string;
}

export interface Event {
  id: string;
  title: string;
  description?: string | null;
  start_date: string;
  end_date: string;
  location?: string | null;
  price: number | string;
  capacity?: number | null;
  image_url?: string | null;
  category?: string | null;
  is_active: boolean;
  attendee_count: number;
  spots_left?: number | null;
}

export interface Page<T> {
  events: T[];
  next_cursor: string | null;
  has_more: boolean;
}

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
  }

  /** FastAPI's 422 `detail` list as `{field, message}` (the last `loc` item is the field). */
  fieldErrors(): FieldError[] {
    if (!Array.isArray(this.detail)) return [];
    return this.detail.map((item: { loc?: unknown[]; msg?: string }) => ({
      field: String(item.loc?.[item.loc.length - 1] ?? ''),
      message: item.msg ?? 'invalid',
    }));
  }
}

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

export interface ApiOptions {
  /** Raw initData for `Authorization: tma ...`; null outside Telegram. */
  initData: () => string | null;
  tokens: TokenStore;
  fetch?: typeof fetch;
  base?: string;
}

interface Cached {
  etag: string;
  body: unknown;
}

export class Api {
  private readonly fetchFn: typeof fetch;
  private readonly base: string;
  private readonly etags = new Map<string, Cached>();
  private loggingIn: Promise<string> | null = null;
  /** The user of the last login, when it came with one. */
  lastLoginUser: User | null = null;

  constructor(private readonly options: ApiOptions) {
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.base = options.base ?? '';
  }

  get token(): string | null {
    return this.options.tokens.get();
  }

  /** generate-code with the raw initData, then callback; keeps the token. */
  login(): Promise<string> {
    this.loggingIn ??= this.doLogin().finally(() => {
      this.loggingIn = null;
    });
    return this.loggingIn;
  }

  private async doLogin(): Promise<string> {
    const initData = this.options.initData();
    if (!initData) throw new ApiError(401, 'not opened in Telegram');
    const generated = (await this.send('POST', '/api/auth/generate-code', {
      headers: { Authorization: `tma ${initData}` },
    })) as { code: string };
    const telegramId = new URLSearchParams(initData).get('user');
    const id = telegramId ? (JSON.parse(telegramId) as { id: number }).id : undefined;
    return this.redeem(generated.code, String(id));
  }

  /** POST /api/auth/callback (also the old `/auth/callback?code=&telegram_id=` route). */
  async redeem(code: string, telegramId: string): Promise<string> {
    const query = new URLSearchParams({ code, telegram_id: telegramId });
    const result = (await this.send('POST', `/api/auth/callback?${query}`)) as {
      token: string;
      user?: User;
    };
    this.options.tokens.set(result.token);
    this.lastLoginUser = result.user ?? null;
    return result.token;
  }

  /** A request with the bearer token; a 401 logs in again once and retries. */
  async authed(method: string, path: string, body?: unknown): Promise<unknown> {
    const token = this.token ?? (await this.login());
    try {
      return await this.send(method, path, { token, body });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      // Another request may have logged in again meanwhile: use its token, else log in.
      const current = this.token;
      if (current && current !== token) return this.send(method, path, { token: current, body });
      this.options.tokens.set(null);
      return this.send(method, path, { token: await this.login(), body });
    }
  }

  me(): Promise<{ user: User }> {
    return this.authed('GET', '/api/users/me') as Promise<{ user: User }>;
  }

  /** After a change: a consistent read that also replaces the cached `/me`. */
  async refreshMe(): Promise<{ user: User }> {
    const result = (await this.authed('POST', '/api/users/me/refresh')) as { user: User };
    return result;
  }

  myEvents(cursor?: string | null, limit = 10): Promise<Page<Event>> {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.authed('GET', `/api/users/me/events?${query}`) as Promise<Page<Event>>;
  }

  upcoming(options: { cursor?: string | null; category?: string | null; limit?: number } = {}) {
    const query = new URLSearchParams({ limit: String(options.limit ?? 10) });
    if (options.cursor) query.set('cursor', options.cursor);
    if (options.category) query.set('category', options.category);
    return this.send('GET', `/api/v1/events/upcoming?${query}`) as Promise<Page<Event>>;
  }

  event(id: string): Promise<{ event: Event }> {
    return this.send('GET', `/api/v1/events/${encodeURIComponent(id)}`) as Promise<{
      event: Event;
    }>;
  }

  rsvp(id: string): Promise<unknown> {
    return this.authed('POST', `/api/v1/events/${encodeURIComponent(id)}/rsvp`);
  }

  cancelRsvp(id: string): Promise<unknown> {
    return this.authed('DELETE', `/api/v1/events/${encodeURIComponent(id)}/rsvp`);
  }

  createEvent(fields: Record<string, unknown>): Promise<{ event: Event }> {
    return this.authed('POST', '/api/v1/events', fields) as Promise<{ event: Event }>;
  }

  updateEvent(id: string, fields: Record<string, unknown>): Promise<{ event: Event }> {
    const path = `/api/v1/events/${encodeURIComponent(id)}`;
    return this.authed('PATCH', path, fields) as Promise<{ event: Event }>;
  }

  deactivateEvent(id: string): Promise<unknown> {
    return this.authed('DELETE', `/api/v1/events/${encodeURIComponent(id)}`);
  }

  /** One HTTP request; GETs are revalidated with the ETag of the copy kept for that URL. */
  async send(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    // The cache key includes the token: one member's copy is never shown to another.
    const key = `${options.token ?? ''} ${path}`;
    const cached = method === 'GET' ? this.etags.get(key) : undefined;
    if (cached) headers['If-None-Match'] = cached.etag;
    const response = await this.fetchFn(this.base + path, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      // Revalidation is ours (If-None-Match); the browser's cache would hide the 304.
      cache: 'no-store',
    });
    if (response.status === 304 && cached) return cached.body;
    if (response.status === 204) return null;
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    if (!response.ok) {
      const detail = (body as { detail?: unknown } | null)?.detail ?? body;
      throw new ApiError(response.status, detail);
    }
    const etag = response.headers.get('ETag');
    if (etag && method === 'GET') this.etags.set(key, { etag, body });
    if (path === '/api/users/me/refresh' && etag && options.token) {
      this.etags.set(`${options.token} /api/users/me`, { etag, body });
    }
    return body;
  }
}
