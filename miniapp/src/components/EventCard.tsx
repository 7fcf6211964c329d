import type { Event, MyEvent } from '../api';
import { price, spots, when } from '../format';
import { navigate } from '../router';

/** One event in a list: a link to its detail. In the member's own list (a MyEvent, with the
 * member's `rsvp`) the tag says "Going" or "Waitlist #n" where others see the spots left
 * ("Full" once they took the last). */
export function EventCard({ event }: { event: Event | MyEvent }) {
  const left = spots(event);
  const rsvp = 'rsvp' in event ? event.rsvp : null;
  return (
    <li class="card">
      <a href={`/app/events/${event.id}`} onClick={(e) => { e.preventDefault(); navigate(`events/${event.id}`); }}>
        {/* dir="auto": what an admin typed, in whatever script, sets its own direction. */}
        <h2 dir="auto">{event.title}</h2>
        <p class="meta">
          <time dateTime={event.start_date}>{when(event)}</time>
        </p>
        {event.location && <p class="meta" dir="auto">{event.location}</p>}
        <p class="tags">
          <span class="tag">{price(event)}</span>
          {rsvp?.status === 'going' ? (
            <span class="tag going">Going</span>
          ) : rsvp?.status === 'waitlisted' ? (
            <span class="tag waiting">Waitlist #{rsvp.position}</span>
          ) : (
            left && <span class={`tag${left === 'Full' ? ' full' : ''}`}>{left}</span>
          )}
          {event.category && <span class="tag category">{event.category}</span>}
        </p>
      </a>
      {/* The member's own event they are going to: its ticket one tap away (beside the link,
          not in it: a button inside a link is neither). */}
      {rsvp?.status === 'going' && (
        <div class="card-actions">
          <button type="button" class="button small" onClick={() => navigate(`events/${event.id}/ticket`)}>
            Show ticket
          </button>
        </div>
      )}
    </li>
  );
}
