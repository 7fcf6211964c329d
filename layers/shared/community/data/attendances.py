"""RSVPs: an attendance item and the event's attendee_count always change together, in one
transaction, so the count is the number of attendance items and never exceeds the capacity."""

import enum
from datetime import datetime
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from community import entities
from community.data.backend import (
    CONDITION_FAILED,
    ITEM_CONDITION_FAILED,
    backend_errors,
    cancellation_codes,
    response_code,
)
from community.data.models import Attendance, Event, connection, date_key, from_date_key
from community.data.paging import query_page
from community.errors import ServiceUnavailable

# Cancellation reasons DynamoDB gives when another transaction held one of the items.
RACED = frozenset({"TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"})


class Outcome(enum.Enum):
    DONE = "done"
    # RSVP: the member already has one. Cancel: the member had none.
    ALREADY = "already"
    FULL = "full"
    # The event changed since it was read (dates, activity) or another transaction raced
    # this one: read it again and retry.
    RETRY = "retry"


def _attendance(item: Attendance) -> entities.Attendance:
    return entities.Attendance(
        event_id=item.event_id,
        user_id=item.user_id,
        start_date=from_date_key(item.start_date),
        created_at=item.created_at,
        telegram_id=None if item.telegram_id is None else int(item.telegram_id),
    )


def get(event_id: str, user_id: str) -> entities.Attendance | None:
    with backend_errors():
        try:
            return _attendance(Attendance.get(event_id, user_id, consistent_read=True))
        except Attendance.DoesNotExist:
            return None


def add(
    event: entities.Event, user_id: str, now: datetime, telegram_id: int | None = None
) -> tuple[Outcome, entities.Attendance]:
    """Put the attendance and increment attendee_count, in one transaction whose conditions
    are: no attendance yet, the event still as read (active, same start), and a spot free.
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
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends puts before updates: reasons come back as [attendance, event].
            transaction.save(
                attendance, condition=Attendance.event_id.does_not_exist(), return_values=ALL_OLD
            )
            transaction.update(
                Event(event.id),
                actions=[Event.attendee_count.add(1)],
                condition=Event.id.exists() & unchanged & has_room,
                return_values=ALL_OLD,
            )
    except TransactWriteError as error:
        reasons = _reasons(error)
        if reasons[0] == ITEM_CONDITION_FAILED:
            existing = _old_item(error, 0)
            if existing is None:
                return Outcome.RETRY, _attendance(attendance)
            return Outcome.ALREADY, _attendance(Attendance.from_raw_data(existing))
        if reasons[1] == ITEM_CONDITION_FAILED:
            old_event = _old_item(error, 1)
            current = None if old_event is None else Event.from_raw_data(old_event)
            if (
                current is not None
                and current.is_active
                and current.start_date == start_date
                and current.capacity is not None
                and int(current.attendee_count) >= int(current.capacity)
            ):
                return Outcome.FULL, _attendance(attendance)
        return Outcome.RETRY, _attendance(attendance)
    return Outcome.DONE, _attendance(attendance)


def remove(event_id: str, user_id: str) -> Outcome:
    """Delete the attendance and decrement attendee_count, in one transaction; ALREADY when
    there was no attendance (nothing is written then)."""
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # Deletes before updates: reasons come back as [attendance, event].
            transaction.delete(
                Attendance(event_id, user_id), condition=Attendance.event_id.exists()
            )
            transaction.update(
                Event(event_id),
                actions=[Event.attendee_count.add(-1)],
                condition=Event.id.exists() & (Event.attendee_count > 0),
            )
    except TransactWriteError as error:
        reasons = _reasons(error)
        if reasons[0] == ITEM_CONDITION_FAILED:
            return Outcome.ALREADY
        if reasons[1] == ITEM_CONDITION_FAILED:
            # An attendance without a counted spot: the invariant is broken, not the request.
            raise
        return Outcome.RETRY
    return Outcome.DONE


def of_member(
    user_id: str, not_before: datetime, count: int, after: tuple[str, str] | None = None
) -> list[entities.Attendance]:
    """Up to `count` of a member's attendances for events starting at or after `not_before`,
    in start order, after the (start_date, event_id) position `after`: one Query on by_member."""
    found = query_page(
        Attendance.by_member,
        ("user_id", user_id),
        Attendance.start_date >= date_key(not_before),
        count,
        after,
        item_key="event_id",
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


def of_event(event_id: str) -> list[entities.Attendance]:
    """Every RSVP to an event: one Query on its partition (more only past 1 MB of items)."""
    with backend_errors():
        return [_attendance(item) for item in Attendance.query(event_id)]
