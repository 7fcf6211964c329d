import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Event } from '../api';
import { ErrorState } from '../components/ErrorState';
import { Skeleton } from '../components/Skeleton';
import { ApiError, message } from '../errors';
import { price, spots, timeRange } from '../format';
import { useMainButton } from '../hooks/useMainButton';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import type { ScreenProps } from '../screen';
import * as tg from '../telegram';

/** One event, with RSVP or Cancel RSVP on Telegram's MainButton; admins get "Edit event". */
export function EventScreen({ api, user, params }: ScreenProps) {
  const id = params.id ?? '';
  const [event, setEvent] = useState<Event | null>(null);
  const [going, setGoing] = useState<boolean | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  // Deactivated (or removed) while open: an RSVP answered 404, so none is offered any more.
  const [gone, setGone] = useState(false);
  const load = useCallback(() => {
    setError(null);
    // Two requests side by side: the event (the same for everyone) and the member's RSVP to it.
    api.event(id).then((r) => setEvent(r.event), setError);
    api.rsvpState(id).then((r) => setGoing(r.rsvp.status === 'going'), () => setGoing(false));
  }, [id]);
  useEffect(load, [load]);
  useReady(event !== null || error !== null);

  const full = event?.spots_left !== null && event?.spots_left !== undefined && event.spots_left <= 0;
  const action =
    event && going !== null && !gone ? (going ? 'Cancel RSVP' : full ? null : 'RSVP') : null;
  useMainButton(action, async () => {
    setNotice(null);
    // One request a tap: its answer carries the event as the change left it (an RSVP does not
    // change the member's profile, so /me is not read again either).
    try {
      if (going) {
        setEvent((await api.cancelRsvp(id)).event);
        setGoing(false);
        setNotice({ text: 'Your RSVP is cancelled.', error: false });
      } else {
        setEvent((await api.rsvp(id)).event);
        setGoing(true);
        setNotice({ text: "You're going!", error: false });
      }
      tg.haptic('success');
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
        <h1 dir="auto">{event.title}</h1>
        <p class="meta"><time dateTime={event.start_date}>{timeRange(event)}</time></p>
        {event.location && <p class="meta" dir="auto">{event.location}</p>}
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
        {/* Right after the RSVP its notice says "You're going!": one line, not two. */}
        {going && !(notice && !notice.error) && <p class="going">You're going</p>}
        {notice && (
          <p class={notice.error ? 'notice error' : 'notice'} role="status">
            {notice.text}
          </p>
        )}
        {event.description && <p class="description" dir="auto">{event.description}</p>}
        {user?.role === 'admin' && (
          <p>
            <button type="button" class="button" onClick={() => navigate(`admin/events/${id}`)}>
              Edit event
            </button>
          </p>
        )}
      </article>
    </main>
  );
}
