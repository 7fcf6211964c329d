import { useCallback, useEffect, useState } from 'preact/hooks';
import { CalendarFeed } from '../components/CalendarFeed';
import { ErrorState } from '../components/ErrorState';
import { EventList } from '../components/EventList';
import { Leaderboard } from '../components/Leaderboard';
import { Skeleton } from '../components/Skeleton';
import { usePaged } from '../hooks/usePaged';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import type { ScreenProps } from '../screen';
import * as tg from '../telegram';

/** The member: name, referral code to share or copy, how many members joined through it and
 * who brought the most, the calendar feed, and the events they RSVPed to. */
export function ProfileScreen({ api, user, setUser }: ScreenProps) {
  const [error, setError] = useState<unknown>(null);
  const [copied, setCopied] = useState(false);
  // What the live region below says: one for the screen, whichever part changed.
  const [said, say] = useState('');
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
          <div class="avatar" aria-hidden="true" dir="auto">{user.name.slice(0, 1)}</div>
        )}
        <h1 dir="auto">{user.name}</h1>
        {user.username && <p class="meta" dir="auto">@{user.username}</p>}
        <p class="meta">Your referral code</p>
        <p class="code">{user.referral_code}</p>
        <div class="row">
          <button type="button" class="button" onClick={() => tg.share(link, 'Join our community')}>
            Share
          </button>
          <button
            type="button"
            class="button secondary"
            onClick={() =>
              tg.copy(user.referral_code).then(
                () => {
                  setCopied(true);
                  say('Referral code copied');
                },
                () => setCopied(false),
              )
            }
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
        <p class="brought">{brought(user.referral_count)}</p>
        {user.role === 'admin' && (
          <p>
            <button type="button" class="button" onClick={() => navigate('admin/roles')}>
              Roles
            </button>
          </p>
        )}
        {/* A live region present from the start, so screen readers announce what changes in it. */}
        <p class="visually-hidden" role="status">
          {said}
        </p>
      </section>
      <Leaderboard api={api} me={user.referral_code} />
      <CalendarFeed api={api} say={say} />
      <h2 class="section">My events</h2>
      <EventList list={mine} skeleton={1} empty={<p class="state">No RSVPs yet.</p>} />
    </main>
  );
}

function brought(count: number): string {
  return `You brought ${count} ${count === 1 ? 'member' : 'members'}`;
}
