import type { Event } from '../api';
import { price, spots, when } from '../format';
import { navigate } from '../router';

/** One event in a list: a link to its detail. In the member's own list (`going`) the tag says
 * "Going" where others see the spots left ("Full" once they took the last). */
export function EventCard({ event, going = false }: { event: Event; going?: boolean }) {
  const left = spots(event);
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
          {going ? (
            <span class="tag going">Going</span>
          ) : (
            left && <span class={`tag${left === 'Full' ? ' full' : ''}`}>{left}</span>
          )}
          {event.category && <span class="tag category">{event.category}</span>}
        </p>
      </a>
    </li>
  );
}
