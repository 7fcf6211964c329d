"""Events: the upcoming listings (one Query on a sparse keys-only index), single and batch
reads, admin writes and bulk loading."""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pynamodb.exceptions import PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community import entities
from community.data import attendances, outbox
from community.data.backend import (
    CONDITION_FAILED,
    ITEM_CONDITION_FAILED,
    backend_errors,
    cancellation_codes,
    response_code,
)
from community.data.models import ACTIVE_LISTING, Event, connection, date_key, from_date_key
from community.data.paging import query_page
from community.errors import Conflict, NotFound, ServiceUnavailable
from community.settings import get_settings


def _event(item: Event) -> entities.Event:
    return entities.Event(
        id=item.id,
        title=item.title,
        description=item.description,
        start_date=from_date_key(item.start_date),
        end_date=from_date_key(item.end_date),
        location=item.location,
        price=item.price,
        currency=item.currency or get_settings().default_currency,
        capacity=None if item.capacity is None else int(item.capacity),
        image_url=item.image_url,
        category=item.category,
        is_active=bool(item.is_active),
        attendee_count=int(item.attendee_count),
        created_at=item.created_at,
        updated_at=item.updated_at,
        waitlist_count=int(item.waitlist_count or 0),
        waitlist_seq=int(item.waitlist_seq or 0),
        version=int(item.version or 0),
        checked_in_count=int(item.checked_in_count or 0),
        chat_id=None if item.chat_id is None else int(item.chat_id),
        chat_invite_link=item.chat_invite_link,
    )


def _listing(event: entities.Event) -> str | None:
    # Only active events carry the listing keys, so only they are in the indexes.
    return ACTIVE_LISTING if event.is_active else None


def _category_listing(event: entities.Event) -> str | None:
    return event.category if event.is_active and event.category else None


def to_item(event: entities.Event) -> Event:
    """The item a new event is written as (also what `make capacity` sizes)."""
    return Event(
        event.id,
        title=event.title,
        description=event.description,
        start_date=date_key(event.start_date),
        end_date=date_key(event.end_date),
        location=event.location,
        price=event.price,
        currency=event.currency,
        capacity=event.capacity,
        image_url=event.image_url,
        category=event.category,
        is_active=event.is_active,
        listing=_listing(event),
        category_listing=_category_listing(event),
        attendee_count=event.attendee_count,
        waitlist_count=event.waitlist_count,
        waitlist_seq=event.waitlist_seq,
        version=event.version,
        checked_in_count=event.checked_in_count,
        chat_id=event.chat_id,
        chat_invite_link=event.chat_invite_link,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def upcoming(
    not_before: datetime,
    count: int,
    after: tuple[str, str] | None = None,
    category: str | None = None,
) -> list[tuple[str, str]]:
    """The (start_date, id) positions of up to `count` active events starting at or after
    `not_before`, in start order, resuming after the position `after`; of one category when
    given, read from that category's partition of by_category. The listing indexes hold keys
    only (template.yaml says why), so the caller reads the events with `in_order`. The key
    condition alone does the filtering, so this is one Query (keys are small: 1 MB holds
    thousands)."""
    index: Any = Event.by_category if category else Event.by_start_date
    entries = query_page(
        index,
        (("category_listing" if category else "listing"), category or ACTIVE_LISTING),
        Event.start_date >= date_key(not_before),
        count,
        after,
        item_key="id",
    )
    return [(entry.start_date, entry.id) for entry in entries]


def get(event_id: str, *, consistent: bool = False) -> entities.Event | None:
    with backend_errors():
        try:
            return _event(Event.get(event_id, consistent_read=consistent))
        except Event.DoesNotExist:
            return None


def get_many(event_ids: list[str]) -> dict[str, entities.Event]:
    """The events with these ids that exist, by id: one BatchGetItem per 100 ids."""
    if not event_ids:
        return {}
    with backend_errors():
        return {item.id: _event(item) for item in Event.batch_get(set(event_ids))}


def in_order(positions: list[tuple[str, str]]) -> list[entities.Event]:
    """The active events at these (start_date, id) index positions, in their order: one
    BatchGetItem (the listing indexes hold keys only). An event deactivated or deleted
    between the index read and this one is left out."""
    current = get_many([event_id for _, event_id in positions])
    return [
        current[event_id]
        for _, event_id in positions
        if event_id in current and current[event_id].is_active
    ]


def create(event: entities.Event) -> None:
    """Write a new event; its id must be new (the caller generated it)."""
    try:
        with backend_errors():
            to_item(event).save(condition=Event.id.does_not_exist())
    except PutError as error:
        if response_code(error) == CONDITION_FAILED:
            raise Conflict("an event with this id exists") from error
        raise


def update(
    event: entities.Event,
    *,
    expected: entities.Event,
    notice: outbox.Draft | None = None,
    promote: list[entities.Attendance] | None = None,
    now: datetime | None = None,
) -> entities.Event | None:
    """Write `event`'s editable fields (and the listing keys that follow from them) over the
    stored event, provided its dates, place and state are still `expected`'s and its RSVPs
    (with `promote`, the waitlist's first, given seats in the same transaction with their
    notices) fit the new capacity, so a concurrent edit or RSVP cannot slip past the caller's
    checks; and the `notice` telling the members, in the same transaction. A capacity raised or
    cleared also needs the waitlist as read: a member who joined meanwhile would otherwise wait
    beside a free seat. The event as it is now; None when that condition (or a promoted
    member's) failed; NotFound when there is no such event."""
    promote = promote or []
    actions = [
        Event.title.set(event.title),
        Event.description.set(event.description),
        Event.start_date.set(date_key(event.start_date)),
        Event.end_date.set(date_key(event.end_date)),
        Event.location.set(event.location),
        Event.price.set(event.price),
        Event.currency.set(event.currency),
        _set_or_remove(Event.capacity, event.capacity),
        _set_or_remove(Event.image_url, event.image_url),
        _set_or_remove(Event.category, event.category),
        Event.is_active.set(event.is_active),
        _set_or_remove(Event.listing, _listing(event)),
        _set_or_remove(Event.category_listing, _category_listing(event)),
        _set_or_remove(Event.updated_at, event.updated_at),
    ]
    # The condition below pins the stored values to `expected`'s, so comparing with them tells
    # exactly whether this write changes what a calendar follows.
    if _calendar_fields(event) != _calendar_fields(expected):
        actions.append(Event.version.add(1))
    condition = (
        (Event.start_date == date_key(expected.start_date))
        & (Event.end_date == date_key(expected.end_date))
        & (Event.location == expected.location)
        & (Event.is_active == expected.is_active)
        & _capacity_covers_attendees(event.capacity, len(promote))
    )
    if _raises_capacity(event.capacity, expected.capacity):
        condition &= _same_count(Event.waitlist_count, expected.waitlist_count)
    if not promote:
        return _update(event.id, actions, condition, notice)
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            attendances.add_promotions(transaction, promote, now or datetime.now(UTC))
            if notice is not None:
                _add_notice(transaction, event.id, notice)
            transaction.update(
                Event(event.id),
                actions=actions + attendances.promote_actions(promote),
                condition=Event.id.exists() & condition,
            )
    except TransactWriteError as error:
        reasons = set(filter(None, cancellation_codes(error)))
        if ITEM_CONDITION_FAILED in reasons or attendances.RACED & reasons:
            return None
        raise ServiceUnavailable() from error
    return get(event.id, consistent=True)


def _calendar_fields(event: entities.Event) -> tuple[object, ...]:
    """What an iCalendar SEQUENCE must follow (RFC 5545 3.8.7.4): times, place, status."""
    return (event.start_date, event.end_date, event.location, event.is_active)


def _raises_capacity(capacity: int | None, before: int | None) -> bool:
    return before is not None and (capacity is None or capacity > before)


def _same_count(attribute: Any, value: int) -> Any:
    return (attribute == value) if value else (attribute.does_not_exist() | (attribute == 0))


def deactivate(event_id: str, now: datetime, notice: outbox.Draft | None = None) -> None:
    """Take an event out of every listing (its RSVPs stay); NotFound when there is none. With
    a `notice` (the members told it is cancelled), only an active event is deactivated, in one
    transaction with the notice: an event deactivated meanwhile tells nobody a second time.
    Only an active event is changed at all (and its version bumped), so deactivating twice
    bumps the calendar's SEQUENCE once."""
    _update(
        event_id,
        [
            Event.is_active.set(False),
            Event.listing.remove(),
            Event.category_listing.remove(),
            Event.updated_at.set(now),
            Event.version.add(1),
        ],
        Event.is_active == True,  # noqa: E712
        notice,
        read_back=False,
    )


def _update(
    event_id: str,
    actions: list[Action],
    condition: Condition | None = None,
    notice: outbox.Draft | None = None,
    *,
    read_back: bool = True,
) -> entities.Event | None:
    exists = Event.id.exists()
    if notice is not None:
        return _update_telling(event_id, actions, exists & condition, notice, read_back=read_back)
    try:
        with backend_errors():
            item = Event(event_id)
            item.update(actions, condition=exists if condition is None else exists & condition)
            return _event(item)
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            if get(event_id, consistent=True) is None:
                raise NotFound("event not found") from error
            return None
        raise


def _update_telling(
    event_id: str,
    actions: list[Action],
    condition: Condition,
    notice: outbox.Draft,
    *,
    read_back: bool,
) -> entities.Event | None:
    """The update and its notice record in one transaction (the outbox): both or neither. With
    `read_back`, the event as it is after (one consistent GetItem: a transaction returns no
    item); else the event as given is not read again, and None stands for done too."""
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            # PynamoDB sends puts before updates: reasons come back as [notice, event].
            _add_notice(transaction, event_id, notice)
            transaction.update(Event(event_id), actions=actions, condition=condition)
    except TransactWriteError as error:
        if cancellation_codes(error)[-1] != ITEM_CONDITION_FAILED:
            # Another transaction held the event (or the notice's new key, never in practice).
            raise ServiceUnavailable() from error
        if get(event_id, consistent=True) is None:
            raise NotFound("event not found") from error
        return None  # the event changed since it was read
    return get(event_id, consistent=True) if read_back else None


def _add_notice(transaction: TransactWrite, event_id: str, notice: outbox.Draft) -> None:
    outbox.add(
        transaction,
        kind=notice.kind,
        event_id=event_id,
        member_id=notice.member_id,
        payload=notice.payload,
        now=notice.now,
    )


def _capacity_covers_attendees(capacity: int | None, promoted: int = 0) -> Any:
    if capacity is None:
        return Event.id.exists()
    return Event.attendee_count.does_not_exist() | (Event.attendee_count <= capacity - promoted)


def _set_or_remove(attribute: Any, value: Any) -> Action:
    action: Action = attribute.remove() if value is None else attribute.set(value)
    return action


def put_many(events: Iterable[entities.Event]) -> int:
    """Write (or overwrite) events with BatchWriteItem, 25 per request."""
    written = 0
    with backend_errors(), Event.batch_write() as batch:
        for event in events:
            batch.save(to_item(event))
            written += 1
    return written


def starting_between(after: datetime, until: datetime) -> list[entities.Event]:
    """Active events starting after `after` and at or before `until` (to the second), in start
    order: one Query of the sparse, keys-only by_start_date index (paged past 1 MB), never a
    scan, then the events themselves (`in_order`)."""
    first, last = date_key(after), date_key(until)
    with backend_errors():
        positions = [
            (entry.start_date, entry.id)
            for entry in Event.by_start_date.query(
                ACTIVE_LISTING, Event.start_date.between(first, last)
            )
            if entry.start_date > first
        ]
    return in_order(positions)
