import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Event, SharePrepared } from '../api';
import { ErrorState } from '../components/ErrorState';
import { Skeleton } from '../components/Skeleton';
import { ApiError, message } from '../errors';
import { calendarFileName, price, spots, timeRange } from '../format';
import { useMainButton } from '../hooks/useMainButton';
import { useReady } from '../hooks/useReady';
import { navigate } from '../router';
import { isStaff, type ScreenProps } from '../screen';
import * as tg from '../telegram';

/** The member's part in the event, as the screen shows it. */
type Part = { status: 'going' } | { status: 'waitlisted'; position: number } | { status: 'none' };

/** The MainButton's text for the member's part: RSVP while there are spots, else a full
 * event's waitlist; going or waiting, the way out. */
function actionFor(part: Part, full: boolean): string {
  if (part.status === 'going') return 'Cancel RSVP';
  if (part.status === 'waitlisted') return 'Leave waitlist';
  return full ? 'Join waitlist' : 'RSVP';
}

/** One event, with RSVP, Cancel RSVP, Join or Leave waitlist on Telegram's MainButton; admins
 * get "Edit event". A promotion from the waitlist shows as going the next time it loads (the
 * member's RSVP state is read with the event). */
export function EventScreen({ api, user, params }: ScreenProps) {
  const id = params.id ?? '';
  const [event, setEvent] = useState<Event | null>(null);
  const [part, setPart] = useState<Part | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<{ text: string; error: boolean } | null>(null);
  // Deactivated (or removed) while open: an RSVP answered 404, so none is offered any more.
  const [gone, setGone] = useState(false);
  const [calendarNote, setCalendarNote] = useState('');
  const [shareNote, setShareNote] = useState('');
  const [sharing, setSharing] = useState(false);
  // The event chat's invite link: the RSVP answer has it for a going member only.
  const [chatUrl, setChatUrl] = useState<string | null>(null);
  const load = useCallback(() => {
    setError(null);
    // Two requests side by side: the event (the same for everyone) and the member's RSVP to it.
    api.event(id).then((r) => setEvent(r.event), setError);
    api.rsvpState(id).then(
      (r) => {
        setPart(r.rsvp.status === 'waitlisted' ? r.rsvp : { status: r.rsvp.status });
        setChatUrl(r.chat_url ?? null);
      },
      () => setPart({ status: 'none' }),
    );
  }, [id]);
  useEffect(load, [load]);
  useReady(event !== null || error !== null);

  const full = event?.spots_left !== null && event?.spots_left !== undefined && event.spots_left <= 0;
  const action = event && part !== null && !gone ? actionFor(part, full) : null;
  useMainButton(action, async () => {
    if (!event || !part) return;
    setNotice(null);
    // One request a tap: the RSVP's answers carry the event as the change left it (an RSVP does
    // not change the member's profile, so /me is not read again either); the waitlist's carry
    // the position, and the count beside it is kept here.
    try {
      if (part.status === 'going') {
        setEvent((await api.cancelRsvp(id)).event);
        setPart({ status: 'none' });
        setChatUrl(null);
        setNotice({ text: 'Your RSVP is cancelled.', error: false });
      } else if (part.status === 'waitlisted') {
        await api.leaveWaitlist(id);
        setEvent({ ...event, waitlist_count: Math.max(0, (event.waitlist_count ?? 1) - 1) });
        setPart({ status: 'none' });
        setNotice({ text: 'You left the waitlist.', error: false });
      } else if (full) {
        const { position } = (await api.joinWaitlist(id)).waitlist;
        setEvent({ ...event, waitlist_count: Math.max(event.waitlist_count ?? 0, position) });
        setPart({ status: 'waitlisted', position });
        setNotice({ text: `You're #${position} on the waitlist`, error: false });
      } else {
        setEvent((await api.rsvp(id)).event);
        setPart({ status: 'going' });
        setNotice({ text: "You're going!", error: false });
      }
      tg.haptic('success');
    } catch (e) {
      tg.haptic('error');
      setNotice({ text: message(e), error: true });
      if (e instanceof ApiError && e.status === 404) setGone(true);
      else if (e instanceof ApiError && e.status === 409) {
        // Filled (or freed) meanwhile: the event as it is now offers the other button.
        api.event(id).then((r) => setEvent(r.event), () => undefined);
      }
    }
  });

  // The event's .ics, from this origin: the client downloads it where it can (Bot API 8.0+),
  // else the browser opens it and hands it to the calendar.
  const addToCalendar = async (title: string) => {
    setCalendarNote('');
    try {
      const saved = await tg.saveFile(api.eventCalendarUrl(id), calendarFileName(title, id));
      if (saved === 'downloading') setCalendarNote('Downloading: open the file to add the event to your calendar.');
      if (saved === 'opened') setCalendarNote('Opened the calendar file.');
    } catch (e) {
      setCalendarNote(`Could not add it to your calendar: ${message(e)}`);
    }
  };

  // One request a tap: the API prepares the event's card (its "Open event" button carrying the
  // member's referral) and answers with its id and that link. Bot API 8.0+ clients send the card
  // into a chat the member picks; older ones (or a client that could not send it) share the
  // link through Telegram's share link instead.
  const share = async (title: string) => {
    setShareNote('');
    setSharing(true);
    try {
      let prepared: SharePrepared;
      try {
        prepared = await api.shareEvent(id);
      } catch (e) {
        // The Bot API refused or was unreachable (502/503): the link alone, if the answer has it.
        const url = e instanceof ApiError && e.status >= 502 ? linkIn(e.body) : null;
        if (!url) throw e;
        tg.share(url, title);
        return;
      }
      if (tg.canShareMessage()) {
        const shared = await tg.sharePrepared(prepared.prepared_message_id);
        if (shared === 'sent') {
          setShareNote('Shared: the event card is in the chat.');
          tg.haptic('success');
        }
        if (shared !== 'failed') return;
      }
      tg.share(prepared.url, title);
    } catch (e) {
      setShareNote(`Could not share: ${message(e)}`);
    } finally {
      setSharing(false);
    }
  };

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
          {(event.waitlist_count ?? 0) > 0 && <span class="tag">{event.waitlist_count} waiting</span>}
        </p>
        {/* Right after the tap its notice says the same ("You're going!"): one line, not two. */}
        {!(notice && !notice.error) && part?.status === 'going' && <p class="going">You're going</p>}
        {!(notice && !notice.error) && part?.status === 'waitlisted' && (
          <p class="going">You're #{part.position} on the waitlist</p>
        )}
        {notice && (
          <p class={notice.error ? 'notice error' : 'notice'} role="status">
            {notice.text}
          </p>
        )}
        {!gone && (
          <div class="share-action">
            <div class="actions">
              <button type="button" class="button" disabled={sharing} onClick={() => share(event.title)}>
                Share
              </button>
              {chatUrl && part?.status === 'going' && (
                <button type="button" class="button" onClick={() => tg.openInTelegram(chatUrl)}>
                  Join the event chat
                </button>
              )}
            </div>
            <p class="meta" aria-live="polite">{shareNote}</p>
          </div>
        )}
        {!gone && (
          <div class="calendar-action">
            <button type="button" class="button" onClick={() => addToCalendar(event.title)}>
              Add to calendar
            </button>
            {/* Present from the start, so screen readers announce what comes into it. */}
            <p class="meta" aria-live="polite">{calendarNote}</p>
          </div>
        )}
        {event.description && <p class="description" dir="auto">{event.description}</p>}
        {part?.status === 'going' && !gone && (
          <p>
            <button type="button" class="button" onClick={() => navigate(`events/${id}/ticket`)}>
              Show ticket
            </button>
          </p>
        )}
        {/* Staff: the door; admins (staff too) also edit. */}
        {isStaff(user) && (
          <p class="actions">
            <button type="button" class="button" onClick={() => navigate(`events/${id}/checkin`)}>
              Check in
            </button>
            <button type="button" class="button" onClick={() => navigate(`events/${id}/attendees`)}>
              Attendees
            </button>
            {user?.role === 'admin' && (
              <button type="button" class="button" onClick={() => navigate(`admin/events/${id}`)}>
                Edit event
              </button>
            )}
          </p>
        )}
      </article>
    </main>
  );
}

/** A direct link an error's body carries (`url`), if any. */
function linkIn(body: unknown): string | null {
  const url = (body as { url?: unknown } | null)?.url;
  return typeof url === 'string' && url.startsWith('https://') ? url : null;
}
