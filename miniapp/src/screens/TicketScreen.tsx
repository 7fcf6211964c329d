import { useCallback, useEffect, useState } from 'preact/hooks';
import type { Event } from '../api';
import type { Answer } from '../api-contract';
import { Avatar } from '../components/Avatar';
import { ErrorState } from '../components/ErrorState';
import { Skeleton } from '../components/Skeleton';
import { TicketQr } from '../components/TicketQr';
import { ApiError } from '../errors';
import { timeRange } from '../format';
import { useReady } from '../hooks/useReady';
import type { ScreenProps } from '../screen';

/** The member's ticket to an event they are going to: a QR code the door's staff scan, with
 * the member's name and photo, which the staff compare with whoever holds the phone. */
export function TicketScreen({ api, params }: ScreenProps) {
  const id = params.id ?? '';
  const [ticket, setTicket] = useState<Answer<'/api/v1/events/{event_id}/ticket', 'get'> | null>(null);
  const [event, setEvent] = useState<Event | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(() => {
    setError(null);
    // Side by side: the ticket (never cached: a cancelled RSVP's ticket is void) and the event.
    api.ticket(id).then(setTicket, setError);
    api.event(id).then((r) => setEvent(r.event), () => undefined);
  }, [id]);
  useEffect(load, [load]);
  useReady(ticket !== null || error !== null);
  if (error instanceof ApiError && error.status === 404) {
    return (
      <main>
        <div class="state" role="alert">
          <p>No ticket: you are not going to this event (a waitlist place has none).</p>
        </div>
      </main>
    );
  }
  if (error) return <main><ErrorState error={error} retry={load} /></main>;
  if (!ticket) return <main><Skeleton count={1} /></main>;
  return (
    <main>
      <section class="ticket">
        <div class="holder">
          <Avatar person={ticket.user} size="large" />
          <div>
            <h1 dir="auto">{ticket.user.name}</h1>
            {event && <p class="meta" dir="auto">{event.title}</p>}
            {event && <p class="meta"><time dateTime={event.start_date}>{timeRange(event)}</time></p>}
          </div>
        </div>
        <TicketQr text={ticket.ticket} label={`Ticket for ${ticket.user.name}`} />
        <p class="meta center">Show this code at the door. It is yours alone: it lets one person in.</p>
      </section>
    </main>
  );
}
