import type { ComponentChildren } from 'preact';
import type { Event, MyEvent } from '../api';
import { message } from '../errors';
import type { Paged } from '../hooks/usePaged';
import { ErrorState } from './ErrorState';
import { EventCard } from './EventCard';
import { Skeleton } from './Skeleton';

/** A paged list of events (usePaged) in its states: failed, loading (`skeleton` cards),
 * `empty`, or the cards with "More" while there is a next page; the member's own events
 * (MyEvent) carry the member's part in each, which their cards show. */
export function EventList<E extends Event | MyEvent>(props: {
  list: Paged<E>;
  skeleton: number;
  empty: ComponentChildren;
}) {
  const { list } = props;
  if (list.error !== null && list.events === null) {
    return <ErrorState error={list.error} retry={list.first} />;
  }
  if (list.events === null) return <Skeleton count={props.skeleton} />;
  if (list.events.length === 0) return <>{props.empty}</>;
  return (
    <>
      <ul class="cards">
        {list.events.map((event) => (
          <EventCard key={event.id} event={event} />
        ))}
      </ul>
      {list.cursor && <MoreButton list={list} />}
    </>
  );
}

function MoreButton<E extends Event>({ list }: { list: Paged<E> }) {
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
