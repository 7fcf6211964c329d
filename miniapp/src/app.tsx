import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Api, ApiError, type Event, type Page, type User } from './api';
import { price, spots, timeRange, when } from './format';
import { navigate, type Route, useRoute } from './router';
import * as tg from './telegram';

const CATEGORIES = ['meetup', 'workshop', 'talk', 'social', 'sports', 'online'];
const BOT_URL = import.meta.env.VITE_BOT_URL ?? 'https://t.me/community_bot/app';

interface Ctx {
  api: Api;
  user: User | null;
  setUser: (user: User) => void;
}

function message(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 404) return 'This event is gone.';
    if (error.status === 409) return typeof error.detail === 'string' && error.detail !== 'event full'
      ? `Not possible: ${error.detail}.`
      : 'This event is full.';
    if (error.status >= 500) return 'The service is unavailable right now.';
    return typeof error.detail === 'string' ? error.detail : `Error ${error.status}`;
  }
  return 'Network error: check your connection.';
}

/** Renders, then tells Telegram the app is ready (once, after the first screen). */
function useReady(done: boolean): void {
  useEffect(() => {
    if (done) tg.ready();
  }, [done]);
}

function useMainButton(text: string | null, onClick: () => Promise<void>): void {
  const handler = useRef(onClick);
  handler.current = onClick;
  useEffect(() => {
    if (!text) return;
    let busy = false;
    return tg.showMainButton(text, () => {
      if (busy) return;
      busy = true;
      tg.mainButtonBusy(true);
      handler.current().finally(() => {
        busy = false;
        tg.mainButtonBusy(false);
      });
    });
  }, [text]);
}

function useBackButton(): void {
  useEffect(() => tg.showBackButton(() => history.back()), []);
}

export function OutsideTelegram() {
  useEffect(() => {
    document.title = 'Open in Telegram';
  }, []);
  return (
    <main class="outside">
      <h1>Open this app in Telegram</h1>
      <p>This is a Telegram Mini App: it needs the login Telegram gives it when you open it from the bot.</p>
      <a class="button" href={BOT_URL}>
        Open the bot in Telegram
      </a>
    </main>
  );
}

function Skeleton({ count }: { count: number }) {
  return (
    <ul class="cards" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <li key={i} class="card skeleton">
          <div class="line wide" />
          <div class="line" />
          <div class="line short" />
        </li>
      ))}
    </ul>
  );
}

function ErrorState({ error, retry }: { error: unknown; retry: () => void }) {
  // A 404 stays a 404: trying again would not help, going back to the list does.
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <div class="state" role="alert">
      <p>{message(error)}</p>
      <button type="button" class="button" onClick={gone ? () => navigate('', true) : retry}>
        {gone ? 'Back to events' : 'Try again'}
      </button>
    </div>
  );
}

function EventCard({ event }: { event: Event }) {
  const left = spots(event);
  return (
    <li class="card">
      <a href={`/app/events/${event.id}`} onClick={(e) => { e.preventDefault(); navigate(`events/${event.id}`); }}>
        <h2>{event.title}</h2>
        <p class="meta">
          <time dateTime={event.start_date}>{when(event)}</time>
        </p>
        {event.location && <p class="meta">{event.location}</p>}
        <p class="tags">
          <span class="tag">{price(event)}</span>
          {left && <span class={`tag${left === 'Full' ? ' full' : ''}`}>{left}</span>}
          {event.category && <span class="tag category">{event.category}</span>}
        </p>
      </a>
    </li>
  );
}

function usePaged(load: (cursor: string | null) => Promise<Page<Event>>, deps: unknown[]) {
  const [events, setEvents] = useState<Event[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  // A failed "More" keeps the list and says so beside the button (error is the first page's).
  const [moreError, setMoreError] = useState<unknown>(null);
  const first = useCallback(() => {
    setEvents(null);
    setError(null);
    setMoreError(null);
    load(null).then(
      (page) => {
        setEvents(page.events);
        setCursor(page.next_cursor);
      },
      (e: unknown) => setError(e),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(first, [first]);
  const more = () => {
    setLoadingMore(true);
    setMoreError(null);
    load(cursor)
      .then((page) => {
        setEvents((old) => [...(old ?? []), ...page.events]);
        setCursor(page.next_cursor);
      }, setMoreError)
      .finally(() => setLoadingMore(false));
  };
  return { events, cursor, error, first, more, moreError, loadingMore };
}

type Paged = ReturnType<typeof usePaged>;

function MoreButton({ list }: { list: Paged }) {
  const failed = list.moreError !== null;
  return (
    <>
      {failed && (
        <p class="more-error" role="alert">
          Could not load more. {message(list.moreError)}
        </p>
      )}
      <button type="button" class="button secondary more" onClick={list.more} disabled={list.loadingMore}>
        {list.loadingMore ? 'Loading…' : failed ? 'Try again' : 'More'}
      </button>
    </>
  );
}

function EventsScreen({ api, user }: Ctx) {
  const [category, setCategory] = useState<string | null>(null);
  const list = usePaged((cursor) => api.upcoming({ cursor, category, limit: 10 }), [category]);
  useReady(list.events !== null || list.error !== null);
  return (
    <main>
      <header class="top">
        <h1>Upcoming events</h1>
        {user?.role === 'admin' && (
          <button type="button" class="button small" onClick={() => navigate('admin/new')}>
            New event
          </button>
        )}
      </header>
      <div class="chips" role="group" aria-label="Categories">
        {[null, ...CATEGORIES].map((name) => (
          <button
            key={name ?? 'all'}
            type="button"
            class="chip"
            aria-pressed={category === name}
            onClick={() => setCategory(name)}
          >
            {name ?? 'All'}
          </button>
        ))}
      </div>
      {list.error !== null && list.events === null ? (
        <ErrorState error={list.error} retry={list.first} />
      ) : list.events === null ? (
        <Skeleton count={3} />
      ) : list.events.length === 0 ? (
        <div class="state">
          <p>No upcoming events{category ? ` in ${category}` : ''} yet.</p>
        </div>
      ) : (
        <>
          <ul class="cards">
            {list.events.map((event) => (
              <EventCard key={event.id} event={event} />
            ))}
          </ul>
          {list.cursor && <MoreButton list={list} />}
        </>
      )}
    </main>
  );
}

async function isGoing(api: Api, id: string): Promise<boolean> {
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const result: Page<Event> = await api.myEvents(cursor, 50);
    if (result.events.some((event) => event.id === id)) return true;
    cursor = result.next_cursor;
    if (!cursor) return false;
  }
  return false;
}

function EventScreen({ api, user, setUser, id }: Ctx & { id: string }) {
  const [event, setEvent] = useState<Event | null>(null);
  const [going, setGoing] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  // Deactivated (or removed) while open: an RSVP answered 404, so none is offered any more.
  const [gone, setGone] = useState(false);
  useBackButton();
  const load = useCallback(() => {
    setError(null);
    api.event(id).then((r) => setEvent(r.event), setError);
    isGoing(api, id).then(setGoing, () => setGoing(false));
  }, [id]);
  useEffect(load, [load]);
  useReady(event !== null || error !== null);

  const full = event?.spots_left !== null && event?.spots_left !== undefined && event.spots_left <= 0;
  const action =
    event && going !== null && !gone ? (going ? 'Cancel RSVP' : full ? null : 'RSVP') : null;
  useMainButton(action, async () => {
    setNotice(null);
    try {
      if (going) {
        await api.cancelRsvp(id);
        setGoing(false);
        setNotice({ text: 'Your RSVP is cancelled.', error: false });
      } else {
        await api.rsvp(id);
        setGoing(true);
        setNotice({ text: "You're going!", error: false });
      }
      tg.haptic('success');
      const [detail, me] = await Promise.all([api.event(id), api.refreshMe()]);
      setEvent(detail.event);
      setUser(me.user);
    } catch (e) {
      tg.haptic('error');
      setNotice({ text: message(e), error: true });
      if (e instanceof ApiError && e.status === 404) setGone(true);
      else if (e instanceof ApiError && e.status === 409) {
        api.event(id).then((r) => setEvent(r.event), () => undefined);
      }
    }
  });

  if (error) return <main>{<ErrorState error={error} retry={load} />}</main>;
  if (!event) return <main><Skeleton count={1} /></main>;
  const left = spots(event);
  return (
    <main>
      <article class="detail">
        {event.image_url && (
          <img
            src={event.image_url}
            alt=""
            class="hero"
            onError={(e) => (e.currentTarget.hidden = true)}
          />
        )}
        <h1>{event.title}</h1>
        <p class="meta"><time dateTime={event.start_date}>{timeRange(event)}</time></p>
        {event.location && <p class="meta">{event.location}</p>}
        <p class="tags">
          <span class="tag">{price(event)}</span>
          {event.capacity ? (
            <span class="tag">
              {event.attendee_count} / {event.capacity} going{left === 'Full' ? ' · Full' : ''}
            </span>
          ) : (
            <span class="tag">{event.attendee_count} going</span>
          )}
        </p>
        {going && <p class="going">You're going</p>}
        {notice && (
          <p class={notice.error ? 'notice error' : 'notice'} role="status">
            {notice.text}
          </p>
        )}
        {event.description && <p class="description">{event.description}</p>}
        {user?.role === 'admin' && (
          <p>
            <button type="button" class="button secondary" onClick={() => navigate(`admin/events/${id}`)}>
              Edit event
            </button>
          </p>
        )}
      </article>
    </main>
  );
}

function ProfileScreen({ api, user, setUser }: Ctx) {
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);
  const load = useCallback(() => {
    setError(null);
    api.me().then((r) => setUser(r.user), setError);
  }, []);
  useEffect(load, [load]);
  const mine = usePaged((cursor) => api.myEvents(cursor), []);
  useReady(user !== null || error !== null);
  if (error && !user) return <main><ErrorState error={error} retry={load} /></main>;
  if (!user) return <main><Skeleton count={2} /></main>;
  const link = `${location.origin}/u/${user.referral_code}`;
  return (
    <main>
      <section class="profile">
        {user.photo_url ? (
          <img class="avatar" src={user.photo_url} alt="" />
        ) : (
          <div class="avatar" aria-hidden="true">{user.name.slice(0, 1)}</div>
        )}
        <h1>{user.name}</h1>
        {user.username && <p class="meta">@{user.username}</p>}
        <p class="meta">Your referral code</p>
        <p class="code">{user.referral_code}</p>
        <div class="row">
          <button type="button" class="button" onClick={() => tg.share(link, 'Join our community')}>
            Share
          </button>
          <button
            type="button"
            class="button secondary"
            onClick={() => tg.copy(user.referral_code).then(() => setCopied(true), () => setCopied(false))}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        {/* A live region present from the start, so screen readers announce what changes in it. */}
        <p class="visually-hidden" role="status">
          {copied ? 'Referral code copied' : ''}
        </p>
      </section>
      <h2 class="section">My events</h2>
      {mine.error !== null && mine.events === null ? (
        <ErrorState error={mine.error} retry={mine.first} />
      ) : mine.events === null ? (
        <Skeleton count={1} />
      ) : mine.events.length === 0 ? (
        <p class="state">No RSVPs yet.</p>
      ) : (
        <>
          <ul class="cards">
            {mine.events.map((event) => <EventCard key={event.id} event={event} />)}
          </ul>
          {mine.cursor && <MoreButton list={mine} />}
        </>
      )}
    </main>
  );
}

function CallbackScreen({ api, setUser }: Ctx) {
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

interface FormValues {
  [field: string]: string;
}
const FIELDS: { name: string; label: string; type?: string }[] = [
  { name: 'title', label: 'Title' },
  { name: 'description', label: 'Description', type: 'textarea' },
  { name: 'start_date', label: 'Starts', type: 'datetime-local' },
  { name: 'end_date', label: 'Ends', type: 'datetime-local' },
  { name: 'location', label: 'Location' },
  { name: 'price', label: 'Price', type: 'number' },
  { name: 'capacity', label: 'Capacity', type: 'number' },
  { name: 'image_url', label: 'Image URL', type: 'url' },
  { name: 'category', label: 'Category', type: 'select' },
];

function localInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function toPayload(values: FormValues, editing: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name } of FIELDS) {
    const raw = (values[name] ?? '').trim();
    if (name === 'start_date' || name === 'end_date') {
      if (raw) out[name] = new Date(raw).toISOString();
      else if (!editing) out[name] = raw;
    } else if (name === 'price') out[name] = raw === '' ? 0 : raw;
    else if (name === 'capacity') out[name] = raw === '' ? null : Number(raw);
    else if (name === 'image_url' || name === 'category') out[name] = raw === '' ? null : raw;
    else out[name] = raw;
  }
  return out;
}

function AdminScreen({ api, id }: Ctx & { id: string | null }) {
  const [values, setValues] = useState<FormValues | null>(id ? null : {});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  useBackButton();
  useEffect(() => {
    if (!id) return;
    api.event(id).then(({ event }) => {
      const v: FormValues = {};
      for (const { name } of FIELDS) {
        const value = (event as unknown as Record<string, unknown>)[name];
        v[name] = value === null || value === undefined ? '' : String(value);
      }
      v.start_date = localInput(event.start_date);
      v.end_date = localInput(event.end_date);
      setValues(v);
    }, (e: unknown) => setGeneral(message(e)));
  }, [id]);
  useReady(values !== null || general !== null);
  useMainButton(values ? (id ? 'Save changes' : 'Create event') : null, async () => {
    if (!values) return;
    setErrors({});
    setGeneral(null);
    try {
      const payload = toPayload(values, id !== null);
      const result = id ? await api.updateEvent(id, payload) : await api.createEvent(payload);
      tg.haptic('success');
      navigate(`events/${result.event.id}`, true);
    } catch (e) {
      tg.haptic('error');
      if (e instanceof ApiError && e.status === 422) {
        const byField: Record<string, string> = {};
        for (const { field, message: text } of e.fieldErrors()) {
          if (FIELDS.some((f) => f.name === field)) byField[field] = text;
          else setGeneral(text);
        }
        setErrors(byField);
      } else setGeneral(message(e));
    }
  });
  const deactivate = async () => {
    if (!id) return;
    try {
      await api.deactivateEvent(id);
      navigate('', true);
    } catch (e) {
      setGeneral(message(e));
    }
  };
  if (!values) return <main>{general ? <p class="state" role="alert">{general}</p> : <Skeleton count={1} />}</main>;
  const set = (name: string) => (e: { currentTarget: { value: string } }) =>
    setValues({ ...values, [name]: e.currentTarget.value });
  return (
    <main>
      <h1>{id ? 'Edit event' : 'New event'}</h1>
      <form class="form" onSubmit={(e) => e.preventDefault()} noValidate>
        {FIELDS.map(({ name, label, type }) => {
          const err = errors[name];
          const common = {
            id: `f-${name}`,
            name,
            value: values[name] ?? '',
            onInput: set(name),
            'aria-invalid': err ? true : undefined,
            'aria-describedby': err ? `e-${name}` : undefined,
          };
          return (
            <Field key={name} label={label} name={name} error={err}>
              {type === 'textarea' ? (
                <textarea rows={3} {...common} />
              ) : type === 'select' ? (
                <select {...common} onChange={set(name)}>
                  <option value="">None</option>
                  {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              ) : (
                <input type={type ?? 'text'} step={type === 'number' ? 'any' : undefined} {...common} />
              )}
            </Field>
          );
        })}
      </form>
      {general && <p class="notice error" role="alert">{general}</p>}
      {id && (
        <button type="button" class="button danger" onClick={deactivate}>
          Deactivate event
        </button>
      )}
    </main>
  );
}

function Field(props: { label: string; name: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={`f-${props.name}`}>{props.label}</label>
      {props.children}
      {props.error && <p class="field-error" id={`e-${props.name}`}>{props.error}</p>}
    </div>
  );
}

function TabBar({ route }: { route: Route }) {
  const profile = route.name === 'profile';
  const tab = (label: string, path: string, current: boolean) => (
    <a
      href={`/app/${path}`}
      class="tab"
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        navigate(path);
      }}
    >
      {label}
    </a>
  );
  return (
    <nav class="tabbar" aria-label="Main">
      {tab('Events', '', !profile)}
      {tab('Profile', 'profile', profile)}
    </nav>
  );
}

export function App({ api }: { api: Api }) {
  const route = useRoute();
  const [user, setUser] = useState<User | null>(null);
  const [loginError, setLoginError] = useState<unknown>(null);
  const login = useCallback(() => {
    setLoginError(null);
    // The callback's answer carries the member: no /me on the way to the first screen, whose
    // events load alongside the login (2 requests in a row, not 3: README "Performance").
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
  const ctx: Ctx = { api, user, setUser };
  let screen;
  switch (route.name) {
    case 'event':
      screen = <EventScreen key={route.id} {...ctx} id={route.id} />;
      break;
    case 'profile':
      screen = <ProfileScreen {...ctx} />;
      break;
    case 'callback':
      screen = <CallbackScreen {...ctx} />;
      break;
    case 'admin-new':
      screen = <AdminScreen {...ctx} id={null} />;
      break;
    case 'admin-edit':
      screen = <AdminScreen key={route.id} {...ctx} id={route.id} />;
      break;
    default:
      screen = <EventsScreen {...ctx} />;
  }
  return (
    <>
      {loginError !== null && (
        <div class="banner" role="alert">
          Login failed: {message(loginError)}{' '}
          <button type="button" class="link" onClick={login}>Try again</button>
        </div>
      )}
      {screen}
      <TabBar route={route} />
    </>
  );
}
