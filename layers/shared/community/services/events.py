"""Events: the upcoming listing with signed cursors, an event's detail, and loading events."""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError

from community import credentials, cursors
from community.data import events as events_table
from community.data.models import ACTIVE_LISTING, Event
from community.errors import InvalidRequest, NotFound
from community.schemas import (
    EventDetail,
    EventIn,
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


def upcoming_page(
    limit: int, cursor: str | None = None, offset: int | None = None
) -> UpcomingEvents:
    """Active events starting now or later, in start order: `limit` of them after `cursor` (or
    after skipping `offset`), read with one Query of limit + 1 items; the extra one only tells
    whether there is a next page."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}")
    if offset is not None and not 0 <= offset <= MAX_OFFSET:
        raise InvalidRequest(f"offset must be between 0 and {MAX_OFFSET}")
    if cursor is not None and offset is not None:
        raise InvalidRequest("use either cursor or offset, not both")
    key = cursors.cursor_key(credentials.jwt_secret())
    now = event_date(utc_now())
    after = None
    if cursor is not None:
        position = cursors.decode(cursor, key)
        # A cursor older than `now` points before the listing's start; DynamoDB refuses a start
        # key outside the key condition, and every event at or after `now` follows it anyway.
        if position.start_date >= now:
            after = (position.start_date, position.event_id)
    skip = offset or 0
    found = events_table.upcoming(now, skip + limit + 1, after)
    page = found[skip : skip + limit]
    has_more = len(found) > skip + limit
    next_cursor = None
    if has_more:
        last = page[-1]
        next_cursor = cursors.encode(cursors.Position(last.start_date, last.id), key)
    return UpcomingEvents(
        events=[EventPublic.model_validate(event) for event in page],
        next_cursor=next_cursor,
        has_more=has_more,
    )


def detail(event_id: str) -> EventDetail:
    """An active event; unknown, malformed and inactive ids are all the same 404."""
    canonical = normalise_event_id(event_id)
    event = events_table.get(canonical) if canonical else None
    if event is None or not event.is_active:
        raise NotFound("event not found")
    return EventDetail(event=EventPublic.model_validate(event))


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
        record.id or str(uuid.uuid4()),
        title=record.title,
        description=record.description,
        start_date=event_date(record.start_date),
        end_date=event_date(record.end_date),
        location=record.location,
        price=record.price,
        capacity=record.capacity,
        image_url=record.image_url,
        is_active=record.is_active,
        # Only active events carry the listing key, so only they are in the index.
        listing=ACTIVE_LISTING if record.is_active else None,
        created_at=record.created_at or now,
    )


def load(records: Sequence[EventIn]) -> int:
    now = utc_now()
    return events_table.put_many(to_item(record, now) for record in records)
