"""RSVPs and waitlists: an attendance item and the event's attendee_count (or, for a member
waiting, waitlist_count) always change together, in one transaction, so each count is the
number of its items and attendee_count never exceeds the capacity.

The waitlist is the event's attendances with status "waiting", in the order of their ticket
`seq`. A join takes the event's next ticket (waitlist_seq + 1) on the condition that
waitlist_seq is still the one read, so tickets are unique and grow in commit order; a
member's position is their rank among the waiting (docs/api.md: Waitlists), 1..n without
gaps whoever leaves. A seat freed while anyone waits goes to the lowest ticket in the same
transaction that frees it: a member who joins later holds a higher ticket, so the head read
by a consistent Query is still the head at commit unless it left or was promoted, which its
own condition (status waiting, same ticket) catches.

Cancelling and leaving the waitlist do not delete the attendance: it becomes status "left"
with `left_at` (and a TTL), in the same transaction that gives the seat or the place back, so
the member's calendar feed (`of_member_feed`) can tell their calendar the event is off for
them. Every other reader skips left rows, and a new RSVP or waitlist place may replace one."""

import enum
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community import entities
from community.data import outbox
from community.data.backend import (
    CONDITION_FAILED,
    ITEM_CONDITION_FAILED,
    backend_errors,
    cancellation_codes,
    response_code,
)
from community.data.models import Attendance, Event, connection, date_key, from_date_key
from community.data.paging import query_page
from community.data.users import user_key
from community.entities import GOING, LEFT, WAITING
from community.errors import ServiceUnavailable

# Cancellation reasons DynamoDB gives when another transaction held one of the items.
RACED = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})
# How long a left row serves the calendar feed (which shows the last 30 days), then TTL may
# delete it (TTL deletes late, never early: the feed filters on left_at itself).
LEFT_KEPT = timedelta(days=31)


class Outcome(enum.Enum):
    DONE = "done"
    # RSVP: the member already has one. Cancel: the member had none.
    ALREADY = "already"
    FULL = "full"
    # Waitlist: the event has room (RSVP instead) or no capacity.
    ROOM = "room"
    # The event changed since it was read (dates, activity) or another transaction raced
    # this one: read it again and retry.
    RETRY = "retry"
    # Cancel: the member was checked in at the door, so keeps the RSVP.
    CHECKED_IN = "checked_in"
    # Check-in: the RSVP the ticket names is no longer there (cancelled, or cancelled and
    # taken again: a new RSVP, a new ticket).
    GONE = "gone"


def _attendance(item: Attendance) -> entities.Attendance:
    return entities.Attendance(
        event_id=item.event_id,
        user_id=item.user_id,
        start_date=from_date_key(item.start_date),
        created_at=item.created_at,
        telegram_id=None if item.telegram_id is None else int(item.telegram_id),
        status=item.status or GOING,
        seq=None if item.seq is None else int(item.seq),
        left_at=item.left_at,
        checked_in_at=item.checked_in_at,
        checked_in_by=item.checked_in_by,
        checked_in_by_name=item.checked_in_by_name,
        checkin_key=item.checkin_key,
    )


def _is_going() -> Any:
    # Unset on every RSVP made before waitlists existed.
    return Attendance.status.does_not_exist() | (Attendance.status == GOING)


def _not_left() -> Any:
    return Attendance.status.does_not_exist() | (Attendance.status != LEFT)


def _leave_actions(now: datetime) -> list[Any]:
    """What turns a going or waiting attendance into a left one."""
    return [
        Attendance.status.set(LEFT),
        Attendance.seq.remove(),
        Attendance.left_at.set(now),
        Attendance.expires_at.set(now + LEFT_KEPT),
    ]


def get(event_id: str, user_id: str) -> entities.Attendance | None:
    """The member's going or waiting attendance; None when they have none (or left)."""
    with backend_errors():
        try:
            found = _attendance(Attendance.get(event_id, user_id, consistent_read=True))
        except Attendance.DoesNotExist:
            return None
    return None if found.status == LEFT else found


def add(
    event: entities.Event, user_id: str, now: datetime, telegram_id: int | None = None
) -> tuple[Outcome, entities.Attendance]:
    """Put the attendance and increment attendee_count, in one transaction whose conditions
    are: no attendance yet (or a left one), the event still as read (active, same start), and a
    spot free; for an event with a channel card, the card's slot for this minute too (an
    upsert: outbox.add_slot), so the count it shows follows.
    With ALREADY comes the attendance the member already has (the refused put returns it)."""
    start_date = date_key(event.start_date)
    attendance = Attendance(
        event.id, user_id, start_date=start_date, created_at=now, telegram_id=telegram_id
    )
    has_room = (
        Event.capacity.does_not_exist()
        | Event.attendee_count.does_not_exist()
        | (Event.attendee_count < Event.capacity)
    )
    unchanged = (Event.is_active == True) & (Event.start_date == start_date)  # noqa: E712

    def full(current: Event) -> Outcome | None:
        # The event refused only for want of a spot: it is still active at the same start.
        still = current.is_active and current.start_date == start_date
        at_capacity = current.capacity is not None and int(current.attendee_count) >= int(
            current.capacity
        )
        return Outcome.FULL if still and at_capacity else None

    return _put_counted(
        attendance,
        event.id,
        [Event.attendee_count.add(1)],
        unchanged & has_room,
        full,
        announce_at=now if event.announce_chat_id else None,
    )


def remove(
    event_id: str,
    user_id: str,
    head: entities.Attendance | None = None,
    now: datetime | None = None,
    *,
    announced: bool = False,
) -> Outcome:
    """Mark the member's going attendance left (at `now`) and, in the same transaction, either
    give the seat to `head` (the waitlist's first, as read: it becomes going with a `promoted`
    notice, attendee_count unchanged, waitlist_count one less) or, with no head, decrement
    attendee_count on the condition that nobody waits (else RETRY: read the head). ALREADY
    when the member was not going, CHECKED_IN when they were checked in at the door (nothing
    is written then; the refused update returns the attendance, which tells them apart). For
    an `announced` event whose count goes down (nobody promoted), the card's slot for this
    minute too (outbox.add_slot)."""
    left_at = now or datetime.now(UTC)
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # Puts, then updates (PynamoDB's order): reasons come back as
            # [(notice,) attendance, (head,) event].
            # A member checked in at the door keeps the RSVP: the event's checked_in_count
            # counts it (check_in below).
            transaction.update(
                Attendance(event_id, user_id),
                actions=_leave_actions(left_at),
                condition=Attendance.event_id.exists()
                & _is_going()
                & Attendance.checked_in_at.does_not_exist(),
                return_values=ALL_OLD,
            )
            if head is None:
                nobody_waits = Event.waitlist_count.does_not_exist() | (Event.waitlist_count == 0)
                transaction.update(
                    Event(event_id),
                    actions=[Event.attendee_count.add(-1)],
                    condition=Event.id.exists()
                    & (Event.attendee_count > 0)
                    & (nobody_waits | (Event.is_active == False)),  # noqa: E712
                    return_values=ALL_OLD,
                )
                if announced:
                    # After the event's update: the reasons' indexes above stay as they are.
                    outbox.add_slot(transaction, event_id, left_at, "rsvp")
            else:
                _promote(transaction, [head], left_at)
                transaction.update(
                    Event(event_id),
                    actions=[Event.waitlist_count.add(-1)],
                    condition=Event.id.exists()
                    & (Event.is_active == True)  # noqa: E712
                    & (Event.waitlist_count > 0),
                )
    except TransactWriteError as error:
        reasons = _reasons(error)
        mine = 0 if head is None else 1
        if reasons[mine] == ITEM_CONDITION_FAILED:
            old = _old_item(error, mine)
            kept = None if old is None else _attendance(Attendance.from_raw_data(old))
            if kept is not None and kept.status == GOING and kept.checked_in_at is not None:
                return Outcome.CHECKED_IN
            return Outcome.ALREADY
        old_event = _old_item(error, mine + 1) if head is None else None
        if old_event is not None and int(Event.from_raw_data(old_event).attendee_count) <= 0:
            # An attendance without a counted spot: the invariant is broken, not the request.
            raise
        return Outcome.RETRY
    return Outcome.DONE


def _promote(transaction: TransactWrite, heads: list[entities.Attendance], now: datetime) -> None:
    """Make each of `heads` going, on the condition that each still waits with the ticket
    read, each with its `promoted` notice."""
    for head in heads:
        transaction.update(
            Attendance(head.event_id, head.user_id),
            actions=[Attendance.status.set(GOING), Attendance.seq.remove()],
            condition=(Attendance.status == WAITING) & (Attendance.seq == head.seq),
        )
        outbox.add(
            transaction,
            kind=outbox.PROMOTED,
            event_id=head.event_id,
            member_id=None if head.telegram_id is None else user_key(head.telegram_id),
            now=now,
        )


def promote_actions(heads: list[entities.Attendance]) -> list[Any]:
    """The event's side of promoting `heads`: their seats counted, the waitlist shorter."""
    return [
        Event.attendee_count.add(len(heads)),
        Event.waitlist_count.add(-len(heads)),
    ]


def add_promotions(
    transaction: TransactWrite, heads: list[entities.Attendance], now: datetime
) -> None:
    """For a caller's transaction that also updates the event (data/events.py: update)."""
    _promote(transaction, heads, now)


def join_waitlist(
    event: entities.Event, user_id: str, now: datetime, telegram_id: int | None = None
) -> tuple[Outcome, entities.Attendance]:
    """Put a waiting attendance with the event's next ticket and count it, in one transaction
    whose conditions are: no attendance yet (going or waiting; a left one may be replaced),
    and the event as read (active, same start, same last ticket) and full. ROOM when it has a
    spot or no capacity; with ALREADY the member's attendance (going or waiting), from the
    refused put."""
    start_date = date_key(event.start_date)
    seq = event.waitlist_seq + 1
    attendance = Attendance(
        event.id,
        user_id,
        start_date=start_date,
        created_at=now,
        telegram_id=telegram_id,
        status=WAITING,
        seq=seq,
    )
    same_ticket = (
        (Event.waitlist_seq == event.waitlist_seq)
        if event.waitlist_seq
        else (Event.waitlist_seq.does_not_exist() | (Event.waitlist_seq == 0))
    )
    full = Event.capacity.exists() & (Event.attendee_count >= Event.capacity)
    unchanged = (Event.is_active == True) & (Event.start_date == start_date)  # noqa: E712

    def has_room(current: Event) -> Outcome | None:
        # The event refused only because a spot is free (or it has no capacity): RSVP instead.
        still = current.is_active and current.start_date == start_date
        room = current.capacity is None or int(current.attendee_count) < int(current.capacity)
        return Outcome.ROOM if still and room else None

    return _put_counted(
        attendance,
        event.id,
        [Event.waitlist_count.add(1), Event.waitlist_seq.set(seq)],
        unchanged & same_ticket & full,
        has_room,
    )


def _put_counted(
    attendance: Attendance,
    event_id: str,
    counting: list[Any],
    condition: Any,
    refused_because: Callable[[Event], Outcome | None],
    announce_at: datetime | None = None,
) -> tuple[Outcome, entities.Attendance]:
    """Put `attendance` (going or waiting) and apply `counting` to its event, in one
    transaction: the put on condition the member has no attendance yet or only a left one
    (ALREADY, with the one they have: the refused put returns it), the event's update on
    `condition`; when only the event refused, `refused_because` reads the event as it was and
    names the outcome (None: it changed meanwhile, RETRY). With `announce_at`, the event's
    card slot for that minute is upserted in the same transaction (outbox.add_slot)."""
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends puts before updates: reasons come back as [attendance, event].
            transaction.save(
                attendance,
                condition=Attendance.event_id.does_not_exist() | (Attendance.status == LEFT),
                return_values=ALL_OLD,
            )
            transaction.update(
                Event(event_id),
                actions=counting,
                condition=Event.id.exists() & condition,
                return_values=ALL_OLD,
            )
            if announce_at is not None:
                # After the event's update: reasons come back as [attendance, event, slot].
                outbox.add_slot(transaction, event_id, announce_at, "rsvp")
    except TransactWriteError as error:
        reasons = _reasons(error)
        if reasons[0] == ITEM_CONDITION_FAILED:
            existing = _old_item(error, 0)
            if existing is None:
                return Outcome.RETRY, _attendance(attendance)
            return Outcome.ALREADY, _attendance(Attendance.from_raw_data(existing))
        if reasons[1] == ITEM_CONDITION_FAILED:
            old_event = _old_item(error, 1)
            outcome = None if old_event is None else refused_because(Event.from_raw_data(old_event))
            if outcome is not None:
                return outcome, _attendance(attendance)
        return Outcome.RETRY, _attendance(attendance)
    return Outcome.DONE, _attendance(attendance)


def leave_waitlist(event_id: str, user_id: str, now: datetime | None = None) -> Outcome:
    """Mark the member's waiting attendance left (at `now`) and decrement waitlist_count, in
    one transaction; ALREADY when the member was not waiting (nothing is written then). The
    others' positions close up by themselves: a position is a rank, not stored."""
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # Two updates: reasons come back as [attendance, event].
            transaction.update(
                Attendance(event_id, user_id),
                actions=_leave_actions(now or datetime.now(UTC)),
                condition=Attendance.status == WAITING,
            )
            transaction.update(
                Event(event_id),
                actions=[Event.waitlist_count.add(-1)],
                condition=Event.id.exists() & (Event.waitlist_count > 0),
            )
    except TransactWriteError as error:
        reasons = _reasons(error)
        if reasons[0] == ITEM_CONDITION_FAILED:
            return Outcome.ALREADY
        if reasons[1] == ITEM_CONDITION_FAILED:
            # A waiting attendance the count does not hold: the invariant is broken.
            raise
        return Outcome.RETRY
    return Outcome.DONE


def waiting(event_id: str) -> list[entities.Attendance]:
    """The event's waitlist in order (first is the head): one consistent Query of its
    partition, filtered to the waiting (the going are read and dropped: docs/capacity.md)."""
    with backend_errors():
        found = [
            _attendance(item)
            for item in Attendance.query(
                event_id, filter_condition=Attendance.status == WAITING, consistent_read=True
            )
        ]
    return sorted(found, key=lambda attendance: attendance.seq or 0)


def position(attendance: entities.Attendance) -> int:
    """A waiting member's place in the queue, 1-based: their rank among the waiting."""
    queue = waiting(attendance.event_id)
    return 1 + sum(1 for other in queue if (other.seq or 0) < (attendance.seq or 0))


def of_member(
    user_id: str, not_before: datetime, count: int, after: tuple[str, str] | None = None
) -> list[entities.Attendance]:
    """Up to `count` of a member's attendances (going or waiting) for events starting at or
    after `not_before`, in start order, after the (start_date, event_id) position `after`: one
    Query on by_member (another only when left rows, filtered out, left the page short)."""
    found = query_page(
        Attendance.by_member,
        ("user_id", user_id),
        Attendance.start_date >= date_key(not_before),
        count,
        after,
        item_key="event_id",
        filter_condition=_not_left(),
    )
    return [_attendance(item) for item in found]


# A member's feed is one Query, whatever its size, up to this many items (calendar apps poll
# it unattended: a bound on what one poll can cost). Far above any member's real count.
FEED_MAX_ITEMS = 1000


def of_member_feed(user_id: str, not_before: datetime) -> list[entities.Attendance]:
    """Every attendance of the member (going, waiting and left) for events starting at or
    after `not_before`, in start order, up to FEED_MAX_ITEMS: one Query on by_member per 1 MB
    (an eventually consistent GSI: a change shows within about a second)."""
    with backend_errors():
        found = Attendance.by_member.query(
            user_id, Attendance.start_date >= date_key(not_before), limit=FEED_MAX_ITEMS
        )
        return [_attendance(item) for item in found]


def move(event_id: str, start_date: datetime) -> int:
    """Copy an event's new start date onto its attendances, so by_member keeps them in order.
    One conditional UpdateItem each: an RSVP cancelled meanwhile stays cancelled."""
    moved = 0
    with backend_errors():
        for attendance in Attendance.query(event_id, consistent_read=True):
            try:
                attendance.update(
                    actions=[Attendance.start_date.set(date_key(start_date))],
                    condition=Attendance.event_id.exists(),
                )
                moved += 1
            except UpdateError as error:
                if response_code(error) != CONDITION_FAILED:
                    raise
    return moved


def _reasons(error: TransactWriteError) -> list[str | None]:
    """The two items' cancellation codes, or a backend failure raised as such."""
    reasons = cancellation_codes(error)
    if ITEM_CONDITION_FAILED not in reasons and not RACED & set(filter(None, reasons)):
        raise ServiceUnavailable() from error
    return reasons


def _old_item(error: TransactWriteError, index: int) -> dict[str, Any] | None:
    """The item as it was when transaction item `index`'s condition failed (ALL_OLD)."""
    reason = error.cancellation_reasons[index]
    if reason is None or not reason.raw_item:
        return None
    return dict(reason.raw_item)


def of_event(event_id: str, *, waiting_too: bool = False) -> list[entities.Attendance]:
    """Every RSVP to an event (and with `waiting_too` every member on its waitlist), never
    the members who left: one Query on its partition (more only past 1 MB of items)."""
    with backend_errors():
        found = [_attendance(item) for item in Attendance.query(event_id)]
    return [
        item for item in found if item.status == GOING or (waiting_too and item.status == WAITING)
    ]


@dataclass(frozen=True)
class CheckIn:
    """Who checks a member in, when, and the scanner's Idempotency-Key (or None)."""

    staff_id: str
    staff_name: str
    at: datetime
    key: str | None


def check_in(
    event: entities.Event, user_id: str, stamp: datetime, checkin: CheckIn
) -> tuple[Outcome, entities.Attendance | None]:
    """Mark the member's RSVP checked in and count it on the event, in one transaction whose
    conditions are: the RSVP is the one the ticket names (same created_at, to the
    microsecond), still going, not checked in yet; the event as read (active, same dates, so
    the caller's window check holds). Of two scanners sending one ticket at once, exactly one
    commits. ALREADY with the attendance as checked in (its time, by whom, its key); GONE
    when the RSVP is not there or is another (cancelled, renewed, or waiting now); RETRY when
    the event changed or another transaction held an item."""
    actions: list[Action] = [
        Attendance.checked_in_at.set(checkin.at),
        Attendance.checked_in_by.set(checkin.staff_id),
        Attendance.checked_in_by_name.set(checkin.staff_name),
    ]
    if checkin.key is not None:
        actions.append(Attendance.checkin_key.set(checkin.key))
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # Both updates, sent in this order: reasons come back as [attendance, event].
            transaction.update(
                Attendance(event.id, user_id),
                actions=actions,
                condition=Attendance.event_id.exists()
                & _is_going()
                & (Attendance.created_at == stamp)
                & Attendance.checked_in_at.does_not_exist(),
                return_values=ALL_OLD,
            )
            transaction.update(
                Event(event.id),
                actions=[Event.checked_in_count.add(1)],
                condition=Event.id.exists()
                & (Event.is_active == True)  # noqa: E712
                & (Event.start_date == date_key(event.start_date))
                & (Event.end_date == date_key(event.end_date)),
            )
    except TransactWriteError as error:
        reasons = _reasons(error)
        if reasons[0] == ITEM_CONDITION_FAILED:
            old = _old_item(error, 0)
            if old is None:
                return Outcome.GONE, None
            existing = _attendance(Attendance.from_raw_data(old))
            if existing.status == GOING and existing.created_at == stamp:
                # The one condition left: it is checked in already.
                return Outcome.ALREADY, existing
            return Outcome.GONE, existing
        return Outcome.RETRY, None
    return Outcome.DONE, None


def going_page(
    event_id: str, count: int | None, after_user_id: str | None = None
) -> list[entities.Attendance]:
    """Up to `count` (None: all) of an event's going members after the member
    `after_user_id`, in key order: one Query of its partition, filtered to the going (more
    only past 1 MB, or when the waiting fill a page), consistent so a check-in just made
    shows."""
    start_key = None
    if after_user_id is not None:
        start_key = {"event_id": {"S": event_id}, "user_id": {"S": after_user_id}}
    with backend_errors():
        found = Attendance.query(
            event_id,
            filter_condition=_is_going(),
            limit=count,
            last_evaluated_key=start_key,
            consistent_read=True,
        )
        return [_attendance(item) for item in found]
