"""Events: the upcoming listings with signed cursors, an event's detail and admin changes."""

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from community.data import attendances, outbox
from community.data import events as events_table
from community.entities import Attendance, Event
from community.errors import Conflict, InvalidField, InvalidRequest, NotFound
from community.gateways import credentials
from community.observability import count, logger
from community.schemas.events import (
    EventCategory,
    EventCreate,
    EventDetail,
    EventFields,
    EventPatch,
    EventPublic,
    UpcomingEvents,
)
from community.services import announcements
from community.settings import get_settings
from community.signed import cursors
from community.values import event_date, normalise_event_id

MAX_LIMIT = 50
# The old front end pages by offset; every skipped item is still read, so it stays bounded.
MAX_OFFSET = 500


def check_limit(limit: int) -> None:
    """A page size every listing accepts (the handlers' Query bounds say the same)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_LIMIT}")


def upcoming_page(
    limit: int,
    cursor: str | None = None,
    offset: int | None = None,
    category: EventCategory | None = None,
    now: datetime | None = None,
) -> UpcomingEvents:
    """Active events starting now or later (of one category, if given), in start order:
    `limit` of them after `cursor` (or after skipping `offset`). One Query of limit + 1 index
    entries (the extra one only tells whether there is a next page), then one BatchGetItem of
    the page's events: the listing indexes hold keys only, so an RSVP, which changes only
    attendee_count, never writes them (docs/capacity.md)."""
    check_limit(limit)
    if offset is not None and not 0 <= offset <= MAX_OFFSET:
        raise InvalidRequest(f"offset must be between 0 and {MAX_OFFSET}")
    if cursor is not None and offset is not None:
        raise InvalidRequest("use either cursor or offset, not both")
    # A cursor is only good for the listing that issued it.
    scope = f"category:{category.value}" if category else ""
    key = cursors.cursor_key(credentials.jwt_secret(), scope)
    now = now or datetime.now(UTC)
    after = cursors.resume_after(cursor, key, event_date(now))
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
    return EventDetail(event=EventPublic.model_validate(active_event(event_id)))


def active_event(event_id: str) -> Event:
    """The active event with this id (one GetItem); unknown, malformed and inactive ids are
    all the same 404, wherever an event is looked up by what a client sent."""
    event = events_table.get(existing_id(event_id))
    if event is None or not event.is_active:
        raise NotFound("event not found")
    return event


def existing_id(event_id: str) -> str:
    """The canonical form of an event id; a malformed one is as unknown as a missing one."""
    canonical = normalise_event_id(event_id)
    if canonical is None:
        raise NotFound("event not found")
    return canonical


def _editable(fields: EventFields) -> dict[str, Any]:
    """What an admin (or a seed file) sets of an event, as the entity holds it."""
    return {
        "title": fields.title,
        "description": fields.description,
        "start_date": fields.start_date,
        "end_date": fields.end_date,
        "location": fields.location,
        "price": fields.price,
        "currency": fields.currency or get_settings().default_currency,
        "capacity": fields.capacity,
        "image_url": fields.image_url,
        "category": fields.category and fields.category.value,
        "is_active": fields.is_active,
    }


def new_event(
    fields: EventFields,
    now: datetime,
    *,
    event_id: str | None = None,
    created_at: datetime | None = None,
) -> Event:
    """A new event from validated fields: a fresh id unless one is given, no RSVPs yet."""
    return Event(
        id=event_id or new_event_id(),
        **_editable(fields),
        attendee_count=0,
        created_at=created_at or now,
        updated_at=None,
    )


def create(record: EventCreate, now: datetime | None = None) -> EventDetail:
    """A new event; with ANNOUNCE_CHAT_ID set, its channel card's notice written with it
    (services/announcements.py)."""
    now = now or datetime.now(UTC)
    event = new_event(record, now)
    chat = get_settings().announce_chat_id
    if chat:
        event = dataclasses.replace(event, announce_chat_id=chat)
        events_table.create(event, outbox.Draft(outbox.ANNOUNCE, {"reason": "created"}, now))
    else:
        events_table.create(event)
    logger.info("event created", extra={"event_id": event.id})
    return EventDetail(event=EventPublic.model_validate(event))


def update(event_id: str, patch: EventPatch, now: datetime | None = None) -> EventDetail:
    """Apply an admin's changes. The result is validated as a whole (end after start, with
    the stored date where only one is sent), and the write is conditional on the stored
    dates being the ones checked and on the new capacity covering the RSVPs already taken,
    so a concurrent RSVP or edit cannot slip past the checks."""
    canonical = existing_id(event_id)
    stored = events_table.get(canonical, consistent=True)
    if stored is None:
        raise NotFound("event not found")
    now = now or datetime.now(UTC)
    changes: dict[str, Any] = patch.model_dump(include=patch.model_fields_set)
    # An event may be moved to a later start, never to one already past; a start sent as it is
    # stored is no move (a client's form sends every field), so a started event stays editable.
    start = patch.start_date
    if start is not None and start != stored.start_date and start < now:
        raise InvalidField("start_date", "must not be in the past")
    merged = EventPublic.model_validate(stored).model_dump() | changes
    try:
        # The same rules as a new event, applied to the event as it would be (whose start
        # may have passed: see above).
        valid = EventCreate.model_validate(
            {field: merged[field] for field in EventCreate.model_fields},
            context={"allow_past": True},
        )
    except ValidationError as error:
        raise InvalidRequest(_first_problem(error)) from error
    if valid.capacity is not None and valid.capacity < stored.attendee_count:
        raise Conflict(f"capacity is below the {stored.attendee_count} RSVPs taken")
    changed = dataclasses.replace(stored, **_editable(valid), updated_at=now)
    updated = _write_promoting(changed, stored, now)
    if updated.start_date != stored.start_date:
        attendances.move(canonical, updated.start_date)
    logger.info("event updated", extra={"event_id": canonical, "fields": sorted(changes)})
    return EventDetail(event=EventPublic.model_validate(updated))


# A transaction holds at most 100 items: the event, and per promotion the attendance and its
# notice. A longer promotion is written in steps (below).
MAX_PROMOTIONS_PER_WRITE = 40
MAX_ATTEMPTS = 4


def _write_promoting(changed: Event, stored: Event, now: datetime) -> Event:
    """Write `changed` over `stored`, giving the seats a raised or cleared capacity frees to
    the waitlist's first, in order, in the same transaction (so no RSVP slips in between and
    no seat stays empty while anyone waits). More than MAX_PROMOTIONS_PER_WRITE go in steps,
    each raising the capacity only as far as the seats it fills, so between steps the event
    is full and its waitlist stays the queue; a step that failed leaves the event consistent
    and a repeated PATCH carries on. A waitlist or RSVP changed meanwhile: read and try again
    (a few times, then 409); dates, place or state changed meanwhile (another edit): 409 at
    once."""
    current, attempts = stored, 0
    while True:
        heads = _promotable(changed, current, now)
        step = changed
        if len(heads) > MAX_PROMOTIONS_PER_WRITE:
            heads = heads[:MAX_PROMOTIONS_PER_WRITE]
            step = dataclasses.replace(changed, capacity=current.attendee_count + len(heads))
        # The members are told of a changed start, end or place, or a cancellation, with the
        # write that makes it (a later step changes only the capacity: no notice).
        notice = change_notice(current, step, now)
        announce = announcements.change(current, step, now)
        updated = events_table.update(
            step, expected=current, notice=notice, promote=heads, now=now, announce=announce
        )
        if updated is not None:
            if heads:
                count("WaitlistPromoted", len(heads))
            if step is changed:
                return updated
            current = updated
            continue
        attempts += 1
        reread = events_table.get(changed.id, consistent=True)
        if reread is None or attempts >= MAX_ATTEMPTS or _told_of(reread) != _told_of(current):
            raise Conflict("the event changed meanwhile (a new RSVP or edit); try again")
        current = reread


def _told_of(event: Event) -> tuple[Any, ...]:
    """What a change notice reports: another edit changed it meanwhile, so the notice this
    edit would write (old -> new) is wrong, and the edit is refused rather than retried."""
    return (event.start_date, event.end_date, event.location, event.is_active)


def _promotable(changed: Event, current: Event, now: datetime) -> list[Attendance]:
    """The waiting members `changed`'s capacity has seats for, first first: none for an
    event cancelled or started (its waitlist is closed), or with no one waiting."""
    if (
        current.waitlist_count <= 0
        or not changed.is_active
        or changed.start_date <= now
        or current.start_date <= now
    ):
        return []
    free = None if changed.capacity is None else changed.capacity - current.attendee_count
    if free is not None and free <= 0:
        return []
    queue = attendances.waiting(current.id)
    return queue if free is None else queue[:free]


def deactivate(event_id: str, now: datetime | None = None) -> None:
    """Soft delete: the event leaves every listing; its RSVPs stay (members see it cancelled
    among their events), and they are told, with the deactivation in one transaction.
    Deactivating an inactive event changes nothing and tells nobody."""
    canonical = existing_id(event_id)
    now = now or datetime.now(UTC)
    stored = events_table.get(canonical, consistent=True)
    if stored is None:
        raise NotFound("event not found")
    if not stored.is_active:
        return
    cancelled = dataclasses.replace(stored, is_active=False)
    events_table.deactivate(
        canonical,
        now,
        change_notice(stored, cancelled, now),
        announce=announcements.change(stored, cancelled, now),
    )
    logger.info("event deactivated", extra={"event_id": canonical})


# What members are told of when an admin changes it (old -> new), in the notice's payload.
TOLD_FIELDS = ("start_date", "end_date", "location")


def change_notice(stored: Event, changed: Event, now: datetime) -> outbox.Draft | None:
    """The notice an admin's change needs: `cancelled` when it deactivates the event,
    `changed` (each told field, old -> new) when it moves an active event or its place; none
    for an event already over (an archive fix tells nobody) or a change of nothing told."""
    if not stored.is_active or stored.end_date <= now:
        return None
    if not changed.is_active:
        return outbox.Draft(outbox.CANCELLED, {"cancelled": True}, now)
    changes = {
        name: [_told(getattr(stored, name)), _told(getattr(changed, name))]
        for name in TOLD_FIELDS
        if getattr(stored, name) != getattr(changed, name)
    }
    return outbox.Draft(outbox.CHANGED, {"changes": changes}, now) if changes else None


def _told(value: Any) -> Any:
    return event_date(value) if isinstance(value, datetime) else value


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    field = ".".join(str(part) for part in item["loc"]) or "event"
    return f"{field}: {item['msg']}"


def new_event_id() -> str:
    return str(uuid.uuid4())
