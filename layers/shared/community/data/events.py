"""Events: the upcoming listings (one Query on a sparse keys-only index), single and batch
reads, admin writes and bulk loading."""

from collections.abc import Iterable
from typing import Any

from pynamodb.exceptions import PutError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from community.data.backend import CONDITION_FAILED, backend_errors, response_code
from community.data.models import ACTIVE_LISTING, Event
from community.errors import Conflict, NotFound


def upcoming(
    not_before: str,
    count: int,
    after: tuple[str, str] | None = None,
    category: str | None = None,
) -> list[tuple[str, str]]:
    """The (start_date, id) of up to `count` active events starting at or after `not_before`,
    in start order, resuming after the (start_date, id) position `after`; of one category when
    given, read from that category's partition of by_category. The listing indexes hold keys
    only (template.yaml says why), so the caller reads the events with `get_many`. The key
    condition alone does the filtering, so this is one Query (keys are small: 1 MB holds
    thousands)."""
    index: Any = Event.by_category if category else Event.by_start_date
    partition_key = "category_listing" if category else "listing"
    partition = category or ACTIVE_LISTING
    start_key = None
    if after is not None:
        # Rebuilt here from two values: whatever a client sends, the read stays in the listing.
        start_date, event_id = after
        start_key = {
            partition_key: {"S": partition},
            "start_date": {"S": start_date},
            "id": {"S": event_id},
        }
    with backend_errors():
        return [
            (entry.start_date, entry.id)
            for entry in index.query(
                partition,
                Event.start_date >= not_before,
                limit=count,
                last_evaluated_key=start_key,
            )
        ]


def get(event_id: str, *, consistent: bool = False) -> Event | None:
    with backend_errors():
        try:
            return Event.get(event_id, consistent_read=consistent)
        except Event.DoesNotExist:
            return None


def get_many(event_ids: list[str]) -> dict[str, Event]:
    """The events with these ids that exist, by id: one BatchGetItem per 100 ids."""
    if not event_ids:
        return {}
    with backend_errors():
        return {event.id: event for event in Event.batch_get(set(event_ids))}


def in_order(positions: list[tuple[str, str]]) -> list[Event]:
    """The active events at these (start_date, id) index positions, in their order: one
    BatchGetItem (the listing indexes hold keys only). An event deactivated or deleted
    between the index read and this one is left out."""
    current = get_many([event_id for _, event_id in positions])
    return [
        current[event_id]
        for _, event_id in positions
        if event_id in current and current[event_id].is_active
    ]


def create(event: Event) -> None:
    """Write a new event; its id must be new (the caller generated it)."""
    try:
        with backend_errors():
            event.save(condition=Event.id.does_not_exist())
    except PutError as error:
        if response_code(error) == CONDITION_FAILED:
            raise Conflict("an event with this id exists") from error
        raise


def update(
    event_id: str, actions: list[Action], condition: Condition | None = None
) -> Event | None:
    """Apply `actions` to an existing event, if `condition` also holds; the event as it is
    now, or None when the condition failed (the event exists: that is part of it)."""
    exists = Event.id.exists()
    try:
        with backend_errors():
            event = Event(event_id)
            event.update(actions, condition=exists if condition is None else exists & condition)
            return event
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            if get(event_id, consistent=True) is None:
                raise NotFound("event not found") from error
            return None
        raise


def put_many(events: Iterable[Event]) -> int:
    """Write (or overwrite) events with BatchWriteItem, 25 per request."""
    written = 0
    with backend_errors(), Event.batch_write() as batch:
        for event in events:
            batch.save(event)
            written += 1
    return written


def starting_between(after: str, until: str) -> list[Event]:
    """Active events starting after `after` and at or before `until`, in start order: one
    Query of the sparse, keys-only by_start_date index (paged past 1 MB), never a scan, then
    the events themselves (`in_order`)."""
    with backend_errors():
        positions = [
            (entry.start_date, entry.id)
            for entry in Event.by_start_date.query(
                ACTIVE_LISTING, Event.start_date.between(after, until)
            )
            if entry.start_date > after
        ]
    return in_order(positions)
