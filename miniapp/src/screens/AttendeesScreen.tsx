import { useEffect, useState } from 'preact/hooks';
import { Avatar } from '../components/Avatar';
import { ErrorState } from '../components/ErrorState';
import { Skeleton } from '../components/Skeleton';
import { message } from '../errors';
import { clock } from '../format';
import { useAttendees } from '../hooks/useAttendees';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import { isStaff, type ScreenProps } from '../screen';

/** Lower case, accents and case folded away: "Zoë" is found by "zoe". */
function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase();
}

/** Staff and admins: who is going to the event and who has been checked in, with a search by
 * name. The search runs here, over the pages loaded; typing one loads the rest first, so it
 * finds anyone going (a door's few hundred names are a few pages). */
export function AttendeesScreen({ api, user, params }: ScreenProps) {
  const id = params.id ?? '';
  const list = useAttendees(api, id);
  const [query, setQuery] = useState('');
  useReady(list.attendees !== null || list.error !== null);
  const searching = query.trim() !== '';
  useEffect(() => {
    if (searching && list.cursor && !list.loadingMore && list.moreError === null) list.more();
  }, [searching, list.cursor, list.loadingMore, list.moreError]);
  if (user && !isStaff(user)) {
    return <main><p class="state" role="alert">Only staff and admins see the attendee list.</p></main>;
  }
  if (list.error !== null) return <main><ErrorState error={list.error} retry={list.first} /></main>;
  if (list.attendees === null || list.totals === null) return <main><Skeleton count={2} /></main>;
  const wanted = fold(query.trim());
  const shown = searching ? list.attendees.filter((a) => fold(a.user.name).includes(wanted)) : list.attendees;
  return (
    <main>
      <header class="top">
        <h1>Attendees</h1>
        <button type="button" class="button small" onClick={() => navigate(`events/${id}/checkin`)}>
          Check in
        </button>
      </header>
      <p class="count">
        {list.totals.checked_in} / {list.totals.going} checked in
      </p>
      <div class="search">
        <label for="attendee-search" class="visually-hidden">Search by name</label>
        <input
          id="attendee-search"
          type="search"
          dir="auto"
          placeholder="Search by name"
          value={query}
          onInput={(e) => setQuery(e.currentTarget.value)}
          autoComplete="off"
        />
      </div>
      {searching && list.cursor && <p class="meta" role="status">Loading the rest of the list…</p>}
      {shown.length === 0 ? (
        <p class="state">{searching ? `Nobody going is called “${query.trim()}”.` : 'Nobody is going yet.'}</p>
      ) : (
        <ul class="people">
          {shown.map((a, i) => (
            <li key={a.user.referral_code ?? i} class="person">
              <Avatar person={a.user} size="small" />
              <div class="text"><span class="name" dir="auto">{a.user.name}</span></div>
              {a.checked_in_at ? (
                <span class="tag going">In {clock(a.checked_in_at)}</span>
              ) : (
                <span class="tag">Not yet</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {list.moreError !== null && (
        <p class="more-error" role="alert">Could not load more. {message(list.moreError)}</p>
      )}
      {list.cursor && (!searching || list.moreError !== null) && (
        <button type="button" class="button secondary more" onClick={list.more} disabled={list.loadingMore}>
          {list.loadingMore ? 'Loading…' : list.moreError !== null ? 'Try again' : 'More'}
        </button>
      )}
    </main>
  );
}
