"""Events: the upcoming listing (one Query on the sparse by_start_date index), single reads
and bulk loading."""

from collections.abc import Iterable

from community.data.backend import backend_errors
from community.data.models import ACTIVE_LISTING, Event


def upcoming(not_before: str, count: int, after: tuple[str, str] | None = None) -> list[Event]:
    """Up to `count` active events starting at or after `not_before`, in start order, resuming
    after the (start_date, id) position `after`. The key condition alone does the filtering, so
    this is one Query unless the items exceed DynamoDB's 1 MB page, when PynamoDB fetches on."""
    start_key = None
    if after is not None:
        # Rebuilt here from two values: whatever a client sends, the read stays in the listing.
        start_date, event_id = after
        start_key = {
            "listing": {"S": ACTIVE_LISTING},
            "start_date": {"S": start_date},
            "id": {"S": event_id},
        }
    with backend_errors():
        return list(
            Event.by_start_date.query(
                ACTIVE_LISTING,
                Event.start_date >= not_before,
                limit=count,
                last_evaluated_key=start_key,
            )
        )


def get(event_id: str) -> Event | None:
    with backend_errors():
        try:
            return Event.get(event_id)
        except Event.DoesNotExist:
            return None


def put_many(events: Iterable[Event]) -> int:
    """Write (or overwrite) events with BatchWriteItem, 25 per request."""
    written = 0
    with backend_errors(), Event.batch_write() as batch:
        for event in events:
            batch.save(event)
            written += 1
    return written
