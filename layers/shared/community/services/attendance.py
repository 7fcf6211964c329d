"""RSVPs and waitlists: taking a spot, giving it back (to the waitlist's first, if anyone
waits), joining and leaving a full event's waitlist, where a member stands, and a member's own
upcoming events."""

import random
import time
from datetime import UTC, datetime

from community.data import attendances
from community.data import events as events_table
from community.data.attendances import Outcome
from community.entities import GOING, Attendance, Event, Member
from community.errors import Conflict, EventFull, NotFound, ServiceUnavailable
from community.gateways import credentials
from community.observability import count
from community.schemas.attendance import (
    AttendancePublic,
    MyEvent,
    MyEvents,
    Rsvp,
    RsvpGoing,
    RsvpNone,
    RsvpState,
    RsvpWaitlisted,
    WaitlistJoined,
    WaitlistPlace,
)
from community.schemas.events import EventDetail, EventPublic
from community.services.events import active_event, check_limit, existing_id
from community.signed import cursors
from community.values import event_date

CHECKED_IN = "you were checked in at the door: the RSVP can no longer be cancelled"
# Transactions on one popular event conflict with each other in DynamoDB; a few quick
# retries absorb that before the client is asked to retry (503 + Retry-After).
MAX_ATTEMPTS = 4


def rsvp(member: Member, event_id: str, now: datetime | None = None) -> tuple[Rsvp, bool]:
    """Take a spot at an upcoming active event: (the attendance and the event as it is now,
    whether the attendance is new). A member who already has one gets it back unchanged, even
    when the event has filled up since. DynamoDB calls: the event's consistent GetItem and the
    transaction, then one more GetItem when the spot is new (below); a repeat makes none more,
    its attendance coming back in the refused transaction."""
    canonical = existing_id(event_id)
    for attempt in range(MAX_ATTEMPTS):
        moment = now or datetime.now(UTC)
        event = events_table.get(canonical, consistent=True)
        if event is None or not event.is_active or event.start_date <= moment:
            raise NotFound("event not found")
        outcome, attendance = attendances.add(event, member.id, moment, member.telegram_id)
        if outcome is Outcome.DONE:
            count("RsvpTaken")
            # TransactWriteItems returns no item (only a refused one's), and the count it left
            # is not the one read plus one when other RSVPs raced this one: read it back.
            # Events are deactivated, never deleted, so `or event` only satisfies the type.
            after = events_table.get(canonical, consistent=True) or event
            return _rsvp(attendance, after), True
        if outcome is Outcome.ALREADY and attendance.status == GOING:
            # Nothing was written: the event just read is the event as it is.
            return _rsvp(attendance, event), False
        if outcome in (Outcome.FULL, Outcome.ALREADY):
            # ALREADY here: the member waits, and a waitlist means the event is full.
            count("RsvpRefusedFull")
            raise EventFull(event.waitlist_count)
        _pause(attempt)
    raise ServiceUnavailable()


def _rsvp(attendance: Attendance, event: Event) -> Rsvp:
    return Rsvp(
        attendance=AttendancePublic.model_validate(attendance),
        event=EventPublic.model_validate(event),
    )


def state(member: Member, event_id: str) -> RsvpState:
    """Whether the member is going to an active event (404 as its detail's otherwise): the
    event's GetItem, then the attendance's, consistent so that an RSVP just taken shows; and
    to a member going, the invite link of the event's chat when it has one."""
    event = active_event(event_id)
    attendance = attendances.get(event.id, member.id)
    if attendance is None:
        return RsvpState(rsvp=RsvpNone(status="none"), chat_url=None)
    chat_url = event.chat_invite_link if attendance.status == GOING else None
    return RsvpState(rsvp=_part(attendance), chat_url=chat_url)


def _part(attendance: Attendance) -> RsvpGoing | RsvpWaitlisted:
    """The member's part in an event: going, or waiting at a position (one Query more)."""
    if attendance.status == GOING:
        return RsvpGoing(status="going", created_at=attendance.created_at)
    return RsvpWaitlisted(status="waitlisted", position=attendances.position(attendance))


def cancel(member: Member, event_id: str, now: datetime | None = None) -> None:
    """Give the spot back. Cancelling an RSVP that does not exist (twice, or never taken)
    changes nothing; an event that has started keeps its attendance record."""
    _cancel(member, event_id, now, consistent=False)


def cancel_and_show(member: Member, event_id: str, now: datetime | None = None) -> EventDetail:
    """`cancel`, answered with the event as it is afterwards (Prefer: return=representation).
    The event is read consistently, so with no RSVP to cancel it is shown as it is; a cancel
    that took a spot back reads it again (a transaction returns no item): one GetItem more."""
    event, changed = _cancel(member, event_id, now, consistent=True)
    if changed:
        # Events are deactivated, never deleted, so `or event` only satisfies the type.
        event = events_table.get(event.id, consistent=True) or event
    return EventDetail(event=EventPublic.model_validate(event))


def _cancel(
    member: Member, event_id: str, now: datetime | None, *, consistent: bool
) -> tuple[Event, bool]:
    """The event as read before the cancel, and whether the cancel gave a spot back. While
    anyone waits, the spot goes to the waitlist's first in the same transaction."""
    canonical = existing_id(event_id)
    event = events_table.get(canonical, consistent=consistent)
    if event is None:
        raise NotFound("event not found")
    moment = now or datetime.now(UTC)
    if event.start_date <= moment:
        raise Conflict("the event has started; its RSVPs can no longer be cancelled")
    first = event
    for attempt in range(MAX_ATTEMPTS):
        head = _head(event)
        if head is not None and head.user_id == member.id:
            # The member waits (first in line), so has no spot to give back.
            return first, False
        outcome = attendances.remove(canonical, member.id, head, moment)
        if outcome is Outcome.DONE:
            count("RsvpCancelled")
            if head is not None:
                count("WaitlistPromoted")
            return first, True
        if outcome is Outcome.ALREADY:
            return first, False
        if outcome is Outcome.CHECKED_IN:
            raise Conflict(CHECKED_IN)
        _pause(attempt)
        # The waitlist (or the event) changed since it was read: read both again.
        event = events_table.get(canonical, consistent=True) or event
    raise ServiceUnavailable()


def _head(event: Event) -> Attendance | None:
    """Who a seat freed now goes to: the waitlist's first, while the event is open (active,
    not started); a cancelled event's waitlist is closed. A count read stale (0) makes the
    cancel's transaction fail on its condition, and the retry reads it consistently."""
    if not event.is_active or event.waitlist_count <= 0:
        return None
    queue = attendances.waiting(event.id)
    return queue[0] if queue else None


def join_waitlist(
    member: Member, event_id: str, now: datetime | None = None
) -> tuple[WaitlistJoined, bool]:
    """Take the next place on a full event's waitlist: (the place, whether it is new). A
    member already waiting gets their place back; one going, or an event with room or no
    capacity, is a 409 (RSVP instead). DynamoDB calls: the event's consistent GetItem, the
    transaction, and the Query that ranks the member."""
    canonical = existing_id(event_id)
    for attempt in range(MAX_ATTEMPTS):
        moment = now or datetime.now(UTC)
        event = events_table.get(canonical, consistent=True)
        if event is None or not event.is_active or event.start_date <= moment:
            raise NotFound("event not found")
        if event.capacity is None:
            raise Conflict("the event has no capacity limit: RSVP instead")
        if event.attendee_count < event.capacity:
            raise Conflict("the event has spots left: RSVP instead")
        outcome, attendance = attendances.join_waitlist(
            event, member.id, moment, member.telegram_id
        )
        if outcome is Outcome.ALREADY and attendance.status == GOING:
            raise Conflict("already going")
        if outcome in (Outcome.DONE, Outcome.ALREADY):
            if outcome is Outcome.DONE:
                count("WaitlistJoined")
            place = WaitlistPlace(
                event_id=canonical,
                position=attendances.position(attendance),
                created_at=attendance.created_at,
            )
            return WaitlistJoined(waitlist=place), outcome is Outcome.DONE
        if outcome is Outcome.ROOM:
            raise Conflict("the event has spots left: RSVP instead")
        _pause(attempt)
    raise ServiceUnavailable()


def leave_waitlist(member: Member, event_id: str) -> None:
    """Give up a place on the waitlist; nothing changes when the member was not waiting (a
    going member keeps their spot). The places behind close up: a position is a rank."""
    canonical = existing_id(event_id)
    if events_table.get(canonical) is None:
        raise NotFound("event not found")
    for attempt in range(MAX_ATTEMPTS):
        outcome = attendances.leave_waitlist(canonical, member.id)
        if outcome is Outcome.DONE:
            count("WaitlistLeft")
        if outcome is not Outcome.RETRY:
            return
        _pause(attempt)
    raise ServiceUnavailable()


def my_events_page(
    member: Member, limit: int, cursor: str | None = None, now: datetime | None = None
) -> MyEvents:
    """The member's RSVPs and waitlist places for events starting now or later, in start
    order, a page at a time: one Query on by_member (limit + 1 items, the extra one telling
    whether there is more), then one BatchGetItem for those events as they are now (counts, or
    a cancellation), and for each event waited for the Query that ranks the member."""
    check_limit(limit)
    key = cursors.cursor_key(credentials.jwt_secret(), f"member:{member.id}")
    now = now or datetime.now(UTC)
    after = cursors.resume_after(cursor, key, event_date(now))
    found = attendances.of_member(member.id, now, limit + 1, after)
    page = found[:limit]
    current = events_table.get_many([attendance.event_id for attendance in page])
    has_more = len(found) > limit
    next_cursor = None
    if has_more:
        last = page[-1]
        next_cursor = cursors.encode(
            cursors.Position(event_date(last.start_date), last.event_id), key
        )
    return MyEvents(
        events=[
            _my_event(current[attendance.event_id], attendance)
            for attendance in page
            if attendance.event_id in current
        ],
        next_cursor=next_cursor,
        has_more=has_more,
    )


def _my_event(event: Event, attendance: Attendance) -> MyEvent:
    public = EventPublic.model_validate(event).model_dump(exclude={"spots_left"})
    return MyEvent.model_validate({**public, "rsvp": _part(attendance)})


def _pause(attempt: int) -> None:
    # Full jitter, growing: spreads the retries of many racing RSVPs apart.
    time.sleep(random.uniform(0, 0.02 * 2**attempt))
