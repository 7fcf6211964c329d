"""Loading events from a seed file (`make seed-events`, `make run`'s samples): every record
checked first, then all written, or none. An event starting in the past is refused, as the
API refuses it, unless the operator asks for history explicitly (`allow_past`:
`make seed-events ALLOW_PAST=1`, `python -m devkit.ops.seed --allow-past`)."""

from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import ValidationError

from community.data import events as events_table
from community.entities import Event
from community.errors import InvalidRequest
from community.schemas.events import EventIn
from community.services.events import new_event

# Said once, after the problems, when a record starts in the past.
PAST_HINT = (
    "events that started in the past load only when asked for: "
    "make seed-events ALLOW_PAST=1 (seed.py --allow-past)"
)


def validate_records(records: object, *, allow_past: bool = False) -> list[EventIn]:
    """Every record of a seed file checked, or InvalidRequest naming each bad record (by its
    position, counted from 0) and field; nothing is loaded unless all of them pass. Records
    starting in the past pass only with `allow_past`."""
    if not isinstance(records, list):
        raise InvalidRequest("expected a JSON list of events")
    valid: list[EventIn] = []
    problems: list[str] = []
    first_with_id: dict[str, int] = {}
    for index, record in enumerate(records):
        try:
            event = EventIn.model_validate(record, context={"allow_past": allow_past})
        except ValidationError as error:
            for item in error.errors():
                field = ".".join(str(part) for part in item["loc"]) or "(record)"
                problems.append(f"record {index}: {field}: {item['msg']}")
            continue
        if event.id is not None and first_with_id.setdefault(event.id, index) != index:
            problems.append(f"record {index}: id: same id as record {first_with_id[event.id]}")
        valid.append(event)
    if any(problem.endswith("must not be in the past") for problem in problems):
        problems.append(PAST_HINT)
    if problems:
        raise InvalidRequest("\n".join(problems))
    return valid


def to_event(record: EventIn, now: datetime) -> Event:
    """The event a seed record stands for; `now` is its created_at unless the record has one."""
    return new_event(record, now, event_id=record.id, created_at=record.created_at)


def load(records: Sequence[EventIn], now: datetime | None = None) -> int:
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
    now = now or datetime.now(UTC)
    return events_table.put_many(to_event(record, now) for record in records)
