// The one module that talks to the API (same origin only). It keeps the access token, logs in
// again once on a 401, and revalidates cached GETs with their ETag (If-None-Match -> 304).
import type {
  Answer,
  Category,
  Method,
  Paths,
  ReferralPeriod,
  Role,
  User,
} from './api-contract';
import { ApiError } from './errors';
import type { TokenStore } from './tokens';

export {
  CATEGORIES,
  type CalendarFeed,
  ROLES,
  type Attendee,
  type AttendeesPage,
  type Category,
  type Checkin,
  type Person,
  type Role,
  type RoleChange,
  type RoleMember,
  type ReferralPeriod,
  type Referrer,
  type SharePrepared,
  type TopReferrers,
  type Event,
  type MyEvent,
  type MyPage,
  type Page,
  type RsvpState,
  type User,
} from './api-contract';
export { ApiError, type FieldError } from './errors';
export { localStorageTokens, ownerOf, TOKEN_KEY, type TokenStore } from './tokens';

export interface ApiOptions {
  /** Raw initData for `Authorization: tma ...`; null outside Telegram. */
  initData: () => string | null;
  tokens: TokenStore;
  fetch?: typeof fetch;
  base?: string;
}

/** What a request sends besides its method and path. */
interface Sent {
  body?: unknown;
  headers?: Record<string, string>;
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
    })) as Answer<'/api/auth/generate-code', 'post'>;
    const telegramId = new URLSearchParams(initData).get('user');
    const id = telegramId ? (JSON.parse(telegramId) as { id: number }).id : undefined;
    return this.redeem(generated.code, String(id));
  }

  /** POST /api/auth/callback (also the old `/auth/callback?code=&telegram_id=` route). */
  async redeem(code: string, telegramId: string): Promise<string> {
    const query = new URLSearchParams({ code, telegram_id: telegramId });
    const result = (await this.send('POST', `/api/auth/callback?${query}`)) as Partial<
      Answer<'/api/auth/callback', 'post'>
    > & { token: string };
    this.options.tokens.set(result.token);
    this.lastLoginUser = result.user ?? null;
    return result.token;
  }

  /** A request with the bearer token; a 401 logs in again once and retries. */
  async authed(method: string, path: string, sent: Sent = {}): Promise<unknown> {
    const token = this.token ?? (await this.login());
    try {
      return await this.send(method, path, { ...sent, token });
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 401) throw error;
      // Another request may have logged in again meanwhile: use its token, else log in.
      const current = this.token;
      if (current && current !== token) return this.send(method, path, { ...sent, token: current });
      this.options.tokens.set(null);
      return this.send(method, path, { ...sent, token: await this.login() });
    }
  }

  me() {
    return this.call('get', '/api/users/me');
  }

  /** After a change: a consistent read that also replaces the cached `/me`. */
  refreshMe() {
    return this.call('post', '/api/users/me/refresh');
  }

  myEvents(cursor?: string | null, limit = 10) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.call('get', '/api/users/me/events', { query });
  }

  upcoming(options: { cursor?: string | null; category?: Category | null; limit?: number } = {}) {
    const query = new URLSearchParams({ limit: String(options.limit ?? 10) });
    if (options.cursor) query.set('cursor', options.cursor);
    if (options.category) query.set('category', options.category);
    return this.call('get', '/api/v1/events/upcoming', { query, anonymous: true });
  }

  event(id: string) {
    return this.call('get', '/api/v1/events/{event_id}', { id, anonymous: true });
  }

  /** The member's RSVP to the event: `{status: 'going', created_at}`, `{status: 'waitlisted',
   * position}` or `{status: 'none'}`. */
  rsvpState(id: string) {
    return this.call('get', '/api/v1/events/{event_id}/rsvp', { id });
  }

  /** The answer carries the event as the RSVP left it: no second request to show the count. */
  rsvp(id: string) {
    return this.call('post', '/api/v1/events/{event_id}/rsvp', { id });
  }

  /** Asks for the event back with the cancel (RFC 7240), as the RSVP's answer has it. */
  cancelRsvp(id: string) {
    const headers = { Prefer: 'return=representation' };
    return this.call('delete', '/api/v1/events/{event_id}/rsvp', { id, headers });
  }

  /** A full event's waitlist: the answer is the member's 1-based position (200 when already
   * waiting, with the same body). */
  joinWaitlist(id: string) {
    return this.call('post', '/api/v1/events/{event_id}/waitlist', { id });
  }

  /** 204, also when the member was not waiting. */
  leaveWaitlist(id: string) {
    return this.call('delete', '/api/v1/events/{event_id}/waitlist', { id });
  }

  /** The event as an .ics file on the app's own origin (public: the client downloads it, or
   * the browser opens it, without the member's token). */
  eventCalendarUrl(id: string): string {
    const path = `${this.base}/api/v1/events/${encodeURIComponent(id)}/calendar.ics`;
    return new URL(path, globalThis.location?.href).href;
  }

  /** The member's calendar feed (its token made on first use); answered `no-store`. */
  calendarFeed() {
    return this.call('get', '/api/users/me/calendar');
  }

  /** A new feed URL; the old one stops working. */
  resetCalendarFeed() {
    return this.call('post', '/api/users/me/calendar/reset');
  }

  // The admin form sends what was typed; the API validates it, and its 422 names the fields.
  createEvent(fields: Record<string, unknown>) {
    return this.call('post', '/api/v1/events', { body: fields });
  }

  updateEvent(id: string, fields: Record<string, unknown>) {
    return this.call('patch', '/api/v1/events/{event_id}', { id, body: fields });
  }

  deactivateEvent(id: string) {
    return this.call('delete', '/api/v1/events/{event_id}', { id });
  }

  /** The member's ticket to an event they are going to (404 otherwise); the API answers it
   * `no-store`, without an ETag, so nothing here keeps it: a cancelled RSVP's ticket is void. */
  ticket(id: string) {
    return this.call('get', '/api/v1/events/{event_id}/ticket', { id });
  }

  /** One scanned ticket. `key` is the Idempotency-Key: the same for every submission of the
   * same scanned text, so a retry after a lost answer gets the first answer back, not a 409. */
  checkIn(id: string, ticket: string, key: string) {
    const headers = { 'Idempotency-Key': key };
    return this.call('post', '/api/v1/events/{event_id}/checkins', { id, body: { ticket }, headers });
  }

  /** Staff and admins: the going members with their check-in time, and the totals. */
  attendees(id: string, cursor?: string | null, limit = 50) {
    const query = new URLSearchParams({ limit: String(limit) });
    if (cursor) query.set('cursor', cursor);
    return this.call('get', '/api/v1/events/{event_id}/attendees', { id, query });
  }

  /** A prepared inline message (the event's card, its button carrying the member's referral)
   * for the client's share dialog (`shareMessage`, Bot API 8.0+); 502/503 when the Bot API
   * refused or could not be reached. */
  shareEvent(id: string) {
    return this.call('post', '/api/v1/events/{event_id}/share', { id });
  }

  /** The top 10 members by how many joined through their code, this month or ever. */
  topReferrers(period: ReferralPeriod) {
    const query = new URLSearchParams({ period });
    return this.call('get', '/api/v1/referrals/top', { query });
  }

  /** Admins: the members whose role is not `member`, and the audit of role changes (newest
   * first, its first page). */
  roles() {
    return this.call('get', '/api/v1/members/roles');
  }

  /** `changed` is false when the member already had the role (nothing written). */
  setRole(referralCode: string, role: Role) {
    return this.call('put', '/api/v1/members/{referral_code}/role', { id: referralCode, body: { role } });
  }

  /** `method path` as openapi.json documents it: its one `{param}` becomes `id`, `query` is added,
   * the answer is typed. Bearer-authenticated unless `anonymous`. */
  private call<P extends keyof Paths, M extends Method & keyof Paths[P]>(
    method: M,
    path: P,
    options: Sent & { id?: string; query?: URLSearchParams; anonymous?: boolean } = {},
  ): Promise<Answer<P, M>> {
    const { body, headers } = options;
    let url: string = path.replace(/\{[a-z_]+\}/, encodeURIComponent(options.id ?? ''));
    if (options.query) url += `?${options.query}`;
    const verb = method.toUpperCase();
    const answer = options.anonymous
      ? this.send(verb, url, { body, headers })
      : this.authed(verb, url, { body, headers });
    return answer as Promise<Answer<P, M>>;
  }

  /** One HTTP request; GETs are revalidated with the ETag of the copy kept for that URL. */
  async send(method: string, path: string, options: Sent & { token?: string } = {}): Promise<unknown> {
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
      throw new ApiError(response.status, detail, body);
    }
    const etag = response.headers.get('ETag');
    if (etag && method === 'GET') this.etags.set(key, { etag, body });
    if (path === '/api/users/me/refresh' && etag && options.token) {
      this.etags.set(`${options.token} /api/users/me`, { etag, body });
    }
    return body;
  }
}
