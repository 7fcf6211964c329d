"""The waitlist's invariants, checked on what DynamoDB holds (consistent reads): for an
upcoming active event, attendee_count is the number going and never above the capacity,
waitlist_count the number waiting, a non-empty waitlist means the event is full, nobody is
both going and waiting, and the tickets are distinct and below the event's last one (so the
positions, their ranks, are 1..n without gaps)."""

from community.data.models import Attendance, Event
from community.entities import GOING, WAITING


def going_and_waiting(event_id: str) -> tuple[list[str], list[str]]:
    """The members going, and those waiting in queue order."""
    items = list(Attendance.query(event_id, consistent_read=True))
    going = [item.user_id for item in items if (item.status or GOING) == GOING]
    queue = sorted((item for item in items if item.status == WAITING), key=lambda i: i.seq)
    return going, [item.user_id for item in queue]


def violations(event_id: str) -> list[str]:
    """Every invariant the event's items break, as sentences; [] when all hold."""
    event = Event.get(event_id, consistent_read=True)
    items = list(Attendance.query(event_id, consistent_read=True))
    going = [item for item in items if (item.status or GOING) == GOING]
    waiting = [item for item in items if item.status == WAITING]
    count, waiting_count = int(event.attendee_count), int(event.waitlist_count or 0)
    capacity = None if event.capacity is None else int(event.capacity)
    problems = []
    if count != len(going):
        problems.append(f"attendee_count {count} but {len(going)} going")
    if capacity is not None and count > capacity:
        problems.append(f"attendee_count {count} above capacity {capacity}")
    if waiting_count != len(waiting):
        problems.append(f"waitlist_count {waiting_count} but {len(waiting)} waiting")
    if waiting and (capacity is None or count < capacity):
        problems.append(f"{len(waiting)} waiting beside a free seat ({count} of {capacity})")
    if len({item.user_id for item in items}) != len(items):
        problems.append("a member both going and waiting")
    tickets = [int(item.seq) for item in waiting]
    if len(set(tickets)) != len(tickets) or any(t > int(event.waitlist_seq or 0) for t in tickets):
        problems.append(f"tickets not distinct or beyond the last: {sorted(tickets)}")
    return problems
