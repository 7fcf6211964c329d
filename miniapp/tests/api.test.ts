import { describe, expect, it } from 'vitest';
import { Api, ApiError, localStorageTokens, ownerOf, type TokenStore } from '../src/api';

interface Call {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

type Responder = (call: Call) => Response;

function memoryTokens(initial: string | null = null): TokenStore & { value: string | null } {
  const store = {
    value: initial,
    get: () => store.value,
    set: (token: string | null) => {
      store.value = token;
    },
  };
  return store;
}

function fakeFetch(respond: Responder) {
  const calls: Call[] = [];
  const fetchFn = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call: Call = {
      method: init?.method ?? 'GET',
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      body: init?.body as string | undefined,
    };
    calls.push(call);
    return respond(call);
  }) as typeof fetch;
  return { calls, fetchFn };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const INIT_DATA = 'query_id=Q&user=%7B%22id%22%3A42%2C%22first_name%22%3A%22Alice%22%7D&auth_date=1&signature=s&hash=h';
const USER = { id: 'u1', telegram_id: 42, name: 'Alice', role: 'member', referral_code: 'UP-ABC123' };

/** A server with a login that hands out token-1, token-2, ... */
function server(routes: Record<string, Responder>) {
  let issued = 0;
  return fakeFetch((call) => {
    const path = call.url.split('?')[0] ?? '';
    if (path === '/api/auth/generate-code') return json(200, { code: 'CODE', expires_in: 600 });
    if (path === '/api/auth/callback') {
      issued += 1;
      return json(200, { token: `token-${issued}`, token_type: 'bearer', user: USER });
    }
    const route = routes[`${call.method} ${path}`];
    return route ? route(call) : json(404, { success: false, detail: 'Not Found' });
  });
}

describe('login', () => {
  it('sends the raw initData as `tma`, redeems the code for the Telegram id and keeps the token', async () => {
    const { calls, fetchFn } = server({});
    const tokens = memoryTokens();
    const api = new Api({ initData: () => INIT_DATA, tokens, fetch: fetchFn });
    expect(await api.login()).toBe('token-1');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/auth/generate-code' });
    expect(calls[0]?.headers.Authorization).toBe(`tma ${INIT_DATA}`);
    expect(calls[1]?.url).toBe('/api/auth/callback?code=CODE&telegram_id=42');
    expect(tokens.value).toBe('token-1');
    expect(api.lastLoginUser?.referral_code).toBe('UP-ABC123');
  });

  it('runs one login for concurrent callers', async () => {
    const { calls, fetchFn } = server({});
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens(), fetch: fetchFn });
    await Promise.all([api.login(), api.login()]);
    expect(calls.filter((c) => c.url.startsWith('/api/auth/callback'))).toHaveLength(1);
  });
});

describe('401 re-login', () => {
  it('logs in again once, silently, and retries with the new token', async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me': (call) =>
        call.headers.Authorization === 'Bearer token-1'
          ? json(200, { success: true, user: USER })
          : json(401, { success: false, detail: 'expired' }),
    });
    const tokens = memoryTokens('expired-token');
    const api = new Api({ initData: () => INIT_DATA, tokens, fetch: fetchFn });
    const result = await api.me();
    expect(result.user.name).toBe('Alice');
    expect(calls.map((c) => `${c.method} ${c.url.split('?')[0]}`)).toEqual([
      'GET /api/users/me',
      'POST /api/auth/generate-code',
      'POST /api/auth/callback',
      'GET /api/users/me',
    ]);
    expect(tokens.value).toBe('token-1');
  });

  it('gives up after the one retry (no loop)', async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me': () => json(401, { success: false, detail: 'revoked' }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    await expect(api.me()).rejects.toMatchObject({ status: 401 });
    expect(calls.filter((c) => c.url === '/api/users/me')).toHaveLength(2);
  });

  it('does not re-login on other errors', async () => {
    const { calls, fetchFn } = server({
      'POST /api/v1/events/e1/rsvp': () => json(409, { success: false, detail: 'event full' }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    const error = await api.rsvp('e1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(409);
    expect(calls).toHaveLength(1);
  });
});

describe('ETag revalidation', () => {
  it('sends If-None-Match with the kept ETag and answers a 304 from the kept body', async () => {
    let version = 'v1';
    const { calls, fetchFn } = server({
      'GET /api/users/me': (call) =>
        call.headers['If-None-Match'] === `"${version}"`
          ? new Response(null, { status: 304, headers: { ETag: `"${version}"` } })
          : json(200, { success: true, user: { ...USER, name: version } }, { ETag: `"${version}"` }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    expect((await api.me()).user.name).toBe('v1');
    expect(calls[0]?.headers['If-None-Match']).toBeUndefined();
    expect((await api.me()).user.name).toBe('v1');
    expect(calls[1]?.headers['If-None-Match']).toBe('"v1"');
    version = 'v2';
    expect((await api.me()).user.name).toBe('v2');
  });

  it('replaces the kept /me with the /me/refresh answer (same ETag afterwards)', async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me': (call) =>
        call.headers['If-None-Match'] === '"fresh"'
          ? new Response(null, { status: 304 })
          : json(200, { success: true, user: { ...USER, name: 'old' } }, { ETag: '"old"' }),
      'POST /api/users/me/refresh': () =>
        json(200, { success: true, user: { ...USER, name: 'fresh' } }, { ETag: '"fresh"' }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    await api.me();
    await api.refreshMe();
    expect((await api.me()).user.name).toBe('fresh');
    expect(calls[calls.length - 1]?.headers['If-None-Match']).toBe('"fresh"');
  });

  it('never revalidates one token with the copy kept for another', async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me': () => json(200, { success: true, user: USER }, { ETag: '"e"' }),
    });
    const tokens = memoryTokens('a');
    const api = new Api({ initData: () => INIT_DATA, tokens, fetch: fetchFn });
    await api.me();
    tokens.value = 'b';
    await api.me();
    expect(calls[1]?.headers['If-None-Match']).toBeUndefined();
  });

  it('asks the browser cache to stay out of the way', async () => {
    const seen: RequestInit[] = [];
    const fetchFn = (async (_: RequestInfo | URL, init?: RequestInit) => {
      seen.push(init ?? {});
      return json(200, { events: [], next_cursor: null, has_more: false });
    }) as typeof fetch;
    const api = new Api({ initData: () => null, tokens: memoryTokens(), fetch: fetchFn });
    await api.upcoming({ category: 'talk', cursor: 'C' });
    expect(seen[0]?.cache).toBe('no-store');
  });
});

describe('waitlist', () => {
  it('joins and leaves with one request each, answering the position and then nothing', async () => {
    const path = '/api/v1/events/e%2F1/waitlist';
    const place = { event_id: 'e/1', position: 3, created_at: '2026-01-01T00:00:00Z' };
    const { calls, fetchFn } = server({
      [`POST ${path}`]: () => json(201, { success: true, waitlist: place }),
      [`DELETE ${path}`]: () => new Response(null, { status: 204 }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('token-0'), fetch: fetchFn });
    expect((await api.joinWaitlist('e/1')).waitlist.position).toBe(3);
    expect(await api.leaveWaitlist('e/1')).toBeNull();
    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers.Authorization}`)).toEqual([
      `POST ${path} Bearer token-0`,
      `DELETE ${path} Bearer token-0`,
    ]);
  });
});

describe('errors', () => {
  it("turns FastAPI's 422 detail into field errors", async () => {
    const detail = [
      { loc: ['body', 'capacity'], msg: 'Input should be greater than or equal to 1', type: 'x' },
      { loc: ['body', 'end_date'], msg: 'must be after start_date', type: 'y' },
    ];
    const { fetchFn } = server({ 'POST /api/v1/events': () => json(422, { success: false, detail }) });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    const error = (await api.createEvent({}).catch((e: unknown) => e)) as ApiError;
    expect(error.fieldErrors()).toEqual([
      { field: 'capacity', message: 'Input should be greater than or equal to 1' },
      { field: 'end_date', message: 'must be after start_date' },
    ]);
  });

  it('refuses to log in without initData (outside Telegram)', async () => {
    const { calls, fetchFn } = server({});
    const api = new Api({ initData: () => null, tokens: memoryTokens(), fetch: fetchFn });
    await expect(api.login()).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(0);
  });
});

describe('concurrent 401s', () => {
  it('a request refused with an old token retries with the token another one already got', async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me': (call) =>
        call.headers.Authorization === 'Bearer token-1'
          ? json(200, { success: true, user: USER })
          : json(401, { success: false, detail: 'expired' }),
      'GET /api/users/me/events': (call) =>
        call.headers.Authorization === 'Bearer token-1'
          ? json(200, { events: [], next_cursor: null, has_more: false })
          : json(401, { success: false, detail: 'expired' }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('old'), fetch: fetchFn });
    await Promise.all([api.me(), api.myEvents()]);
    expect(calls.filter((c) => c.url === '/api/auth/generate-code')).toHaveLength(1);
  });
});

describe('calendar', () => {
  const FEED = { success: true, url: 'https://a.test/api/calendar/T1.ics', webcal_url: 'webcal://a.test/api/calendar/T1.ics' };
  const NEW = { ...FEED, url: 'https://a.test/api/calendar/T2.ics', webcal_url: 'webcal://a.test/api/calendar/T2.ics' };

  it("reads the member's feed with the token and resets it with one POST", async () => {
    const { calls, fetchFn } = server({
      'GET /api/users/me/calendar': () => json(200, FEED, { 'cache-control': 'no-store' }),
      'POST /api/users/me/calendar/reset': () => json(200, NEW),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    expect(await api.calendarFeed()).toEqual(FEED);
    expect(await api.resetCalendarFeed()).toEqual(NEW);
    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers.Authorization}`)).toEqual([
      'GET /api/users/me/calendar Bearer t',
      'POST /api/users/me/calendar/reset Bearer t',
    ]);
  });

  it("names an event's .ics on the API's own origin, the id escaped", () => {
    const api = new Api({ initData: () => null, tokens: memoryTokens(), base: 'https://app.test' });
    expect(api.eventCalendarUrl('e1')).toBe('https://app.test/api/v1/events/e1/calendar.ics');
    expect(api.eventCalendarUrl('a/b')).toBe('https://app.test/api/v1/events/a%2Fb/calendar.ics');
  });
});

describe('the door (issue 28)', () => {
  it('submits a scanned ticket with its Idempotency-Key and reads attendees a page at a time', async () => {
    const checkin = { user: { name: 'Bob', photo_url: null, referral_code: 'UP-B' }, checked_in_at: '2031-05-01T18:03:00Z', checked_in_by: 'UP-S' };
    const { calls, fetchFn } = server({
      'POST /api/v1/events/e%201/checkins': () => json(201, { success: true, checkin }),
      'GET /api/v1/events/e%201/attendees': () =>
        json(200, { success: true, attendees: [], next_cursor: null, checked_in: 1, going: 2 }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    expect((await api.checkIn('e 1', 'TICKET', 'key-1')).checkin.user.name).toBe('Bob');
    expect(calls[0]).toMatchObject({ method: 'POST', body: JSON.stringify({ ticket: 'TICKET' }) });
    expect(calls[0]?.headers['Idempotency-Key']).toBe('key-1');
    expect((await api.attendees('e 1', 'CUR', 25)).going).toBe(2);
    expect(calls[1]?.url).toBe('/api/v1/events/e%201/attendees?limit=25&cursor=CUR');
  });

  it('keeps the whole refusal: a 409 says when the ticket was checked in', async () => {
    const { fetchFn } = server({
      'POST /api/v1/events/e1/checkins': () =>
        json(409, { success: false, detail: 'already checked in', checked_in_at: '2031-05-01T18:03:00Z' }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    const error = (await api.checkIn('e1', 'T', 'k').catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(409);
    expect(error.body).toMatchObject({ checked_in_at: '2031-05-01T18:03:00Z' });
  });

  it('puts a role by referral code', async () => {
    const { calls, fetchFn } = server({
      'PUT /api/v1/members/UP-B%2F1/role': () => json(200, { success: true, user: { ...USER, role: 'staff' } }),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    expect((await api.setRole('UP-B/1', 'staff')).user.role).toBe('staff');
    expect(calls[0]?.body).toBe(JSON.stringify({ role: 'staff' }));
  });
});

describe('growth (issue 29)', () => {
  it("prepares an event's card with one POST and reads the leaderboard of a period", async () => {
    const shared = { success: true, prepared_message_id: 'P1', expires_at: 1900000000, url: 'https://t.me/b/app?startapp=e_E_r_UP-ABC123' };
    const top = { success: true, period: 'all', members: [{ name: 'Ann', photo_url: null, referral_code: 'UP-A', role: 'member', referral_count: 3 }] };
    const { calls, fetchFn } = server({
      'POST /api/v1/events/e%201/share': () => json(200, shared),
      'GET /api/v1/referrals/top': () => json(200, top),
    });
    const api = new Api({ initData: () => INIT_DATA, tokens: memoryTokens('t'), fetch: fetchFn });
    expect(await api.shareEvent('e 1')).toEqual(shared);
    expect((await api.topReferrers('all')).members[0]?.referral_count).toBe(3);
    expect(calls.map((c) => `${c.method} ${c.url} ${c.headers.Authorization}`)).toEqual([
      'POST /api/v1/events/e%201/share Bearer t',
      'GET /api/v1/referrals/top?period=all Bearer t',
    ]);
  });
});

describe('the kept token', () => {
  const storage = () => {
    const items = new Map<string, string>();
    return {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    } as unknown as Storage;
  };

  it("is its owner's alone: another Telegram account's launch gets none", () => {
    const kept = storage();
    localStorageTokens('42', kept).set('token-of-42');
    expect(localStorageTokens('42', kept).get()).toBe('token-of-42');
    expect(localStorageTokens('43', kept).get()).toBeNull();
    expect(localStorageTokens(null, kept).get()).toBeNull();
  });

  it('names its owner from the launch initData', () => {
    expect(ownerOf('user=%7B%22id%22%3A42%2C%22first_name%22%3A%22A%22%7D&hash=x')).toBe('42');
    expect(ownerOf('hash=x')).toBeNull();
    expect(ownerOf('user=not-json')).toBeNull();
    expect(ownerOf(null)).toBeNull();
  });
});
