"""A member's calendar feed (GET /api/calendar/<token>.ics): their events from 30 days back
and every upcoming one, each with the status their calendar should show. The URL's token is
the only credential (calendar apps send no bearer token); it is looked up by its hash alone,
the same way whether it is well formed or not, so a malformed token and an unknown one cost
the same calls and time."""

import dataclasses
from datetime import UTC, datetime, timedelta

from community.data import attendances, calendar_feeds
from community.data import events as events_table
from community.entities import LEFT, WAITING, Attendance, Event
from community.errors import NotFound
from community.services import calendar
from community.signed import feed_tokens

# How far back the feed reaches: past events stay in a calendar that long, and an event the
# member left (or that was cancelled) stays that long as CANCELLED so calendars remove it.
LOOK_BACK = timedelta(days=30)
NOT_FOUND = "calendar not found"


def feed(file_name: str, now: datetime | None = None) -> bytes:
    """The feed of the token in `file_name` (`<token>.ics`), or NotFound for a token no member
    has (unknown, reset, malformed). DynamoDB calls: the token's consistent GetItem, then one
    Query of the member's attendances on by_member (per 1 MB) and one BatchGetItem of their
    events (per 100); an unknown token stops after the first."""
    token = file_name.removesuffix(feed_tokens.FEED_SUFFIX)
    # Hashed and looked up whatever it is: no early answer for a malformed one.
    user_id = calendar_feeds.owner(feed_tokens.token_hash(token))
    if user_id is None or not file_name.endswith(feed_tokens.FEED_SUFFIX):
        raise NotFound(NOT_FOUND)
    now = now or datetime.now(UTC)
    since = now - LOOK_BACK
    rows = attendances.of_member_feed(user_id, since)
    current = events_table.get_many([row.event_id for row in rows])
    entries = []
    for row in rows:
        event = current.get(row.event_id)
        status = None if event is None else _status(row, event, since)
        if event is not None and status is not None:
            entries.append(calendar.CalendarEntry(_stamped(event, row), status))
    return calendar.render(entries)


def _stamped(event: Event, row: Attendance) -> Event:
    """The event, stamped (DTSTAMP, LAST-MODIFIED) no earlier than the member's own last change
    to it: their RSVP or place (the row's created_at) or their leaving (left_at). A member's
    change leaves the event's SEQUENCE as it was, and RFC 5546 (2.1.5) lets the later DTSTAMP
    win between two copies of one SEQUENCE, so a calendar takes "cancelled for you" over the
    confirmed copy it holds."""
    changed = row.left_at if row.status == LEFT and row.left_at is not None else row.created_at
    stamp = event.updated_at or event.created_at
    return dataclasses.replace(event, updated_at=changed) if changed > stamp else event


def _status(row: Attendance, event: Event, since: datetime) -> calendar.Status | None:
    """What the member's calendar shows: CONFIRMED going, TENTATIVE waiting, CANCELLED for an
    event cancelled (deactivated) or that the member left within the look-back; None: not
    in the feed (left longer ago)."""
    if row.status == LEFT:
        return "CANCELLED" if row.left_at is not None and row.left_at >= since else None
    if not event.is_active:
        return "CANCELLED"
    return "TENTATIVE" if row.status == WAITING else "CONFIRMED"
