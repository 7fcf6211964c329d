import type { Event } from '../api';
import { price, spots, when } from '../format';
import { navigate } from '../router';

/** One event in a list: a link to its detail. */
export function EventCard({ event }: { event: Event }) {
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
