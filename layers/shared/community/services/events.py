"""Events: the upcoming listings with signed cursors, an event's detail, admin changes and
loading events."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from pynamodb.expressions.update import Action

from community import credentials, cursors
from community.data import attendances
from community.data import events as events_table
from community.data.models import ACTIVE_LISTING, Event
from community.errors import Conflict, InvalidRequest, NotFound
from community.observability import logger
from community.schemas import (
    EventCategory,
    EventCreate,
    EventDetail,
    EventIn,
    EventPatch,
    EventPublic,
    UpcomingEvents,
    event_date,
    normalise_event_id,
)

MAX_LIMIT = 50
# The old front end pages by offset; every skipped item is still read, so it stays bounded.
MAX_OFFSET = 500


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_limit(limit: int) -> None:
    """A page size every listing accepts (the handlers' Query bounds say the same)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}")


def upcoming_page(
    limit: int,
    cursor: str | None = None,
    offset: int | None = None,
    category: EventCategory | None = None,
) -> UpcomingEvents:
    """Active events starting now or later (of one category, if given), in start order:
    `limit` of them after `cursor` (or after skipping `offset`). One Query of limit + 1 index
    entries (the extra one only tells whether there is a next page), then one BatchGetItem of
    the page's events: the listing indexes hold keys only, so an RSVP, which changes only
    attendee_count, never writes them (README "Capacity")."""
    check_limit(limit)
    if offset is not None and not 0 <= offset <= MAX_OFFSET:
        raise InvalidRequest(f"offset must be between 0 and {MAX_OFFSET}")
    if cursor is not None and offset is not None:
        raise InvalidRequest("use either cursor or offset, not both")
    # A cursor is only good for the listing that issued it.
    scope = f"category:{category.value}" if category else ""
    key = cursors.cursor_key(credentials.jwt_secret(), scope)
    now = event_date(utc_now())
    after = cursors.resume_after(cursor, key, now)
    skip = offset or 0
    found = events_table.upcoming(
        now, skip + limit + 1, after, category.value if category else None
    )
    positions = found[skip : skip + limit]
    has_more = len(found) > skip + limit
    next_cursor = None
    if has_more:
        # The index's position, not the event's: the next page resumes where this Query ended.
        next_cursor = cursors.encode(cursors.Position(*positions[-1]), key)
    return UpcomingEvents(
        events=[EventPublic.model_validate(event) for event in events_table.in_order(positions)],
        next_cursor=next_cursor,
        has_more=has_more,
    )


def detail(event_id: str) -> EventDetail:
    """An active event; unknown, malformed and inactive ids are all the same 404."""
    event = events_table.get(existing_id(event_id))
    if event is None or not event.is_active:
        raise NotFound("event not found")
    return EventDetail(event=EventPublic.model_validate(event))


def existing_id(event_id: str) -> str:
    """The canonical form of an event id; a malformed one is as unknown as a missing one."""
    canonical = normalise_event_id(event_id)
    if canonical is None:
        raise NotFound("event not found")
    return canonical


def create(record: EventCreate) -> EventDetail:
    event = to_item(EventIn(**record.model_dump(), id=new_event_id()), utc_now())
    events_table.create(event)
    logger.info("event created", extra={"event_id": event.id})
    return EventDetail(event=EventPublic.model_validate(event))


def update(event_id: str, patch: EventPatch) -> EventDetail:
    """Apply an admin's changes. The result is validated as a whole (end after start, with
    the stored date where only one is sent), and the write is conditional on the stored
    dates being the ones checked and on the new capacity covering the RSVPs already taken,
    so a concurrent RSVP or edit cannot slip past the checks."""
    canonical = existing_id(event_id)
    stored = events_table.get(canonical, consistent=True)
    if stored is None:
        raise NotFound("event not found")
    changes: dict[str, Any] = patch.model_dump(include=patch.model_fields_set)
    merged = EventPublic.model_validate(stored).model_dump() | changes
    try:
        # The same rules as a new event, applied to the event as it would be.
        valid = EventCreate.model_validate(
            {field: merged[field] for field in EventCreate.model_fields}
        )
    except ValidationError as error:
        raise InvalidRequest(_first_problem(error)) from error
    if valid.capacity is not None and valid.capacity < int(stored.attendee_count):
        raise Conflict(f"capacity is below the {int(stored.attendee_count)} RSVPs taken")
    updated = events_table.update(
        canonical,
        _actions(valid, utc_now()),
        (Event.start_date == stored.start_date)
        & (Event.end_date == stored.end_date)
        & _capacity_covers_attendees(valid.capacity),
    )
    if updated is None:
        raise Conflict("the event changed meanwhile (a new RSVP or edit); try again")
    if updated.start_date != stored.start_date:
        attendances.move(canonical, updated.start_date)
    logger.info("event updated", extra={"event_id": canonical, "fields": sorted(changes)})
    return EventDetail(event=EventPublic.model_validate(updated))


def deactivate(event_id: str) -> None:
    """Soft delete: the event leaves every listing; its RSVPs stay (members see it cancelled
    among their events). Deactivating an inactive event changes nothing."""
    canonical = existing_id(event_id)
    events_table.update(
        canonical,
        [
            Event.is_active.set(False),
            Event.listing.remove(),
            Event.category_listing.remove(),
            Event.updated_at.set(utc_now()),
        ],
    )
    logger.info("event deactivated", extra={"event_id": canonical})


def _capacity_covers_attendees(capacity: int | None) -> Any:
    if capacity is None:
        return Event.id.exists()
    return Event.attendee_count.does_not_exist() | (Event.attendee_count <= capacity)


def _actions(event: EventCreate, now: datetime) -> list[Action]:
    """Every field set from the validated whole, and the index keys derived from it."""
    return [
        Event.title.set(event.title),
        Event.description.set(event.description),
        Event.start_date.set(event_date(event.start_date)),
        Event.end_date.set(event_date(event.end_date)),
        Event.location.set(event.location),
        Event.price.set(event.price),
        _set_or_remove(Event.capacity, event.capacity),
        _set_or_remove(Event.image_url, event.image_url),
        _set_or_remove(Event.category, event.category and event.category.value),
        Event.is_active.set(event.is_active),
        _set_or_remove(Event.listing, ACTIVE_LISTING if event.is_active else None),
        _set_or_remove(Event.category_listing, listing_category(event.category, event.is_active)),
        Event.updated_at.set(now),
    ]


def _set_or_remove(attribute: Any, value: Any) -> Action:
    action: Action = attribute.remove() if value is None else attribute.set(value)
    return action


def listing_category(category: EventCategory | None, is_active: bool) -> str | None:
    """Only active events with a category are in the by_category index."""
    return category.value if is_active and category else None


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    field = ".".join(str(part) for part in item["loc"]) or "event"
    return f"{field}: {item['msg']}"


def new_event_id() -> str:
    return str(uuid.uuid4())


def validate_records(records: object) -> list[EventIn]:
    """Every record of a seed file checked, or InvalidRequest naming each bad record (by its
    position, counted from 0) and field; nothing is loaded unless all of them pass."""
    if not isinstance(records, list):
        raise InvalidRequest("expected a JSON list of events")
    valid: list[EventIn] = []
    problems: list[str] = []
    first_with_id: dict[str, int] = {}
    for index, record in enumerate(records):
        try:
            event = EventIn.model_validate(record)
        except ValidationError as error:
            for item in error.errors():
                field = ".".join(str(part) for part in item["loc"]) or "(record)"
                problems.append(f"record {index}: {field}: {item['msg']}")
            continue
        if event.id is not None and first_with_id.setdefault(event.id, index) != index:
            problems.append(f"record {index}: id: same id as record {first_with_id[event.id]}")
        valid.append(event)
    if problems:
        raise InvalidRequest("\n".join(problems))
    return valid


def to_item(record: EventIn, now: datetime) -> Event:
    return Event(
        record.id or new_event_id(),
        title=record.title,
        description=record.description,
        start_date=event_date(record.start_date),
        end_date=event_date(record.end_date),
        location=record.location,
        price=record.price,
        capacity=record.capacity,
        image_url=record.image_url,
        category=record.category and record.category.value,
        is_active=record.is_active,
        # Only active events carry the listing keys, so only they are in the indexes.
        listing=ACTIVE_LISTING if record.is_active else None,
        category_listing=listing_category(record.category, record.is_active),
        created_at=record.created_at or now,
    )


def load(records: Sequence[EventIn]) -> int:
    """Write new events. An id already in the table is refused, not overwritten: a whole-item
    write would reset its attendee_count under its RSVPs (admins change events with PATCH)."""
    ids = [record.id for record in records if record.id]
    existing = events_table.get_many(ids)
    if existing:
        raise InvalidRequest(
            "\n".join(
                f"record {index}: id: an event with this id exists (change it with PATCH)"
                for index, event_id in enumerate(record.id for record in records)
                if event_id in existing
            )
        )
    now = utc_now()
    return events_table.put_many(to_item(record, now) for record in records)
