"""The door: a going member's ticket, its check-in by staff, and the attendee list.

A ticket (community/signed/tickets.py) names one RSVP; the server's answer at the door is the
authority, not the QR code: a cancelled RSVP's ticket is refused at once, a second scan is a
409, and a network retry of the same request (the same Idempotency-Key) gets its own 201
back. The check-in itself is one conditional transaction (data/attendances.py: check_in), so
of two scanners sending one ticket at the same moment exactly one succeeds."""

import random
import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from community.data import attendances
from community.data import events as events_table
from community.data import users as users_table
from community.data.attendances import CheckIn, Outcome
from community.entities import GOING, Attendance, Event, Member
from community.errors import (
    DoorConflict,
    Gone,
    InvalidRequest,
    NotFound,
    ServiceUnavailable,
    WrongEvent,
)
from community.gateways import credentials
from community.observability import count
from community.schemas.door import (
    Attendee,
    AttendeeEntry,
    Attendees,
    Checkin,
    CheckinConflictBody,
    CheckinDone,
    TicketHolder,
    TicketIssued,
)
from community.services.events import active_event, existing_id
from community.settings import get_settings
from community.signed import cursors, tickets
from community.spreadsheets import to_csv
from community.values import event_date, single_line

MAX_ATTEMPTS = 4
MAX_ATTENDEES_LIMIT = 100
# What a scanner may send as its Idempotency-Key: a UUID fits, anything printable up to this.
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,128}$")
NOT_GOING = "you are not going to this event"
GONE = "this ticket's RSVP was cancelled: it is no longer valid"
ALREADY = "already checked in"
# An RSVP older than the bot has no Telegram id on it, so its member cannot be looked up.
UNKNOWN_MEMBER = "unknown member"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8; header=present"
CSV_HEADER = ("name", "referral_code", "checked_in_at", "checked_in_by")


def _ticket_key() -> bytes:
    return tickets.ticket_key(credentials.jwt_secret())


def ticket(member: Member, event_id: str) -> TicketIssued:
    """The member's ticket to an active event they are going to (404 otherwise, waiting
    included): the event's GetItem, then the attendance's (consistent: an RSVP just taken
    has its ticket at once)."""
    event = active_event(event_id)
    attendance = attendances.get(event.id, member.id)
    if attendance is None or attendance.status != GOING:
        raise NotFound(NOT_GOING)
    text = tickets.issue(tickets.Ticket(event.id, member.id, attendance.created_at), _ticket_key())
    return TicketIssued(
        ticket=text,
        event_id=event.id,
        user=TicketHolder(name=member.name, photo_url=member.photo_url),
    )


def idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not IDEMPOTENCY_KEY_RE.fullmatch(raw):
        raise InvalidRequest("Idempotency-Key must be 1 to 128 printable ASCII characters")
    return raw


def _door_event(event_id: str) -> Event:
    """The active event the door is for, read consistently (its counts as they are)."""
    event = events_table.get(existing_id(event_id), consistent=True)
    if event is None or not event.is_active:
        raise NotFound("event not found")
    return event


def window(event: Event) -> tuple[datetime, datetime]:
    """When the check-in is open: from before the start until after the end (settings)."""
    settings = get_settings()
    return (
        event.start_date - timedelta(minutes=settings.checkin_opens_minutes_before),
        event.end_date + timedelta(minutes=settings.checkin_closes_minutes_after),
    )


def check_in(
    staff: Member,
    event_id: str,
    ticket_text: str,
    key: str | None = None,
    now: datetime | None = None,
) -> CheckinDone:
    """Check in the member a ticket names. Refusals, in this order: 400 not a ticket of ours;
    404 no such active event; 422 a ticket of another event; 410 the RSVP was cancelled (or
    renewed: a new ticket); 409 already checked in, unless this is the same request again
    (same Idempotency-Key, same staff member), which gets its 201 again, even once the window
    has closed; 409 outside the window. DynamoDB calls after the staff member's: the event and
    the attendance (consistent GetItems), the transaction, the member's GetItem."""
    named = tickets.verify(ticket_text, _ticket_key())
    for attempt in range(MAX_ATTEMPTS):
        moment = now or datetime.now(UTC)
        event = _door_event(event_id)
        if named.event_id != event.id:
            count("CheckinRefused")
            raise WrongEvent(named.event_id)
        attendance = _named_rsvp(attendances.get(event.id, named.user_id), named)
        if attendance.checked_in_at is not None:
            return _again(attendance, staff, key)
        _within_window(event, moment)
        outcome, existing = attendances.check_in(
            event, named.user_id, named.stamp, CheckIn(staff.id, staff.name, moment, key)
        )
        if outcome is Outcome.DONE:
            count("CheckedIn")
            return _done(attendance, moment, staff.name)
        if outcome is Outcome.ALREADY and existing is not None:
            return _again(existing, staff, key)
        if outcome is Outcome.GONE:
            raise _gone()
        _pause(attempt)
    raise ServiceUnavailable()


def _named_rsvp(attendance: Attendance | None, named: tickets.Ticket) -> Attendance:
    """`attendance` if it is the going RSVP the ticket was issued for; 410 otherwise."""
    if attendance is None or attendance.status != GOING or attendance.created_at != named.stamp:
        raise _gone()
    return attendance


def _gone() -> Gone:
    count("CheckinRefused")
    return Gone(GONE)


def _within_window(event: Event, moment: datetime) -> None:
    opens, closes = window(event)
    if opens <= moment <= closes:
        return
    count("CheckinRefused")
    body = CheckinConflictBody(detail="", opens_at=opens, closes_at=closes)
    raise DoorConflict(
        f"check-in for this event is open from {_shown(opens)} to {_shown(closes)}",
        body.model_dump(mode="json", include={"opens_at", "closes_at"}),
    )


def _shown(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _again(attendance: Attendance, staff: Member, key: str | None) -> CheckinDone:
    """A ticket checked in already: the same request again (its Idempotency-Key, from the
    same staff member) gets the first answer; anything else is the 409."""
    assert attendance.checked_in_at is not None
    user = _attendee(attendance)
    if key is not None and attendance.checkin_key == key and attendance.checked_in_by == staff.id:
        return _done(attendance, attendance.checked_in_at, attendance.checked_in_by_name or "")
    count("CheckinRepeated")
    body = CheckinConflictBody(
        detail=ALREADY,
        checked_in_at=attendance.checked_in_at,
        checked_in_by=attendance.checked_in_by_name,
        user=user,
    )
    raise DoorConflict(
        ALREADY,
        body.model_dump(mode="json", include={"checked_in_at", "checked_in_by", "user"}),
    )


def _done(attendance: Attendance, at: datetime, by: str) -> CheckinDone:
    return CheckinDone(
        checkin=Checkin(user=_attendee(attendance), checked_in_at=at, checked_in_by=by)
    )


def _attendee(attendance: Attendance, known: dict[int, Member] | None = None) -> Attendee:
    member: Member | None = None
    if attendance.telegram_id is not None:
        if known is None:
            member = users_table.get(attendance.telegram_id)
        else:
            member = known.get(attendance.telegram_id)
    if member is None:
        return Attendee(name=UNKNOWN_MEMBER, photo_url=None, referral_code=None)
    return Attendee(
        name=member.name, photo_url=member.photo_url, referral_code=member.referral_code
    )


def attendees_page(event_id: str, limit: int, cursor: str | None = None) -> Attendees:
    """A page of an event's going members, each checked in or not, with the totals: the
    event's consistent GetItem, one Query of its attendances (limit + 1 going, the extra one
    telling whether there is more), one BatchGetItem of their members."""
    if not 1 <= limit <= MAX_ATTENDEES_LIMIT:
        raise InvalidRequest(f"limit must be between 1 and {MAX_ATTENDEES_LIMIT}")
    event = _door_event(event_id)
    key = cursors.cursor_key(credentials.jwt_secret(), f"attendees:{event.id}")
    after = None if cursor is None else cursors.decode_member(cursor, key)
    found = attendances.going_page(event.id, limit + 1, after)
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        next_cursor = cursors.encode_member(page[-1].user_id, key)
    return Attendees(
        attendees=_entries(page),
        next_cursor=next_cursor,
        checked_in=event.checked_in_count,
        going=event.attendee_count,
    )


def _entries(page: list[Attendance]) -> list[AttendeeEntry]:
    known = _members(page)
    return [
        AttendeeEntry(user=_attendee(attendance, known), checked_in_at=attendance.checked_in_at)
        for attendance in page
    ]


def _members(page: list[Attendance]) -> dict[int, Member]:
    return users_table.get_many([a.telegram_id for a in page if a.telegram_id is not None])


@dataclass(frozen=True)
class Sheet:
    filename: str
    body: bytes


def attendees_csv(event_id: str) -> Sheet:
    """Every going member of the event as CSV, by name: what a spreadsheet at the door needs.
    The event's GetItem, its attendances' Query (all pages), their members' BatchGetItems."""
    event = _door_event(event_id)
    going = attendances.going_page(event.id, None)
    known = _members(going)
    rows = sorted(
        ((_attendee(attendance, known), attendance) for attendance in going),
        key=lambda row: (row[0].name.casefold(), row[0].referral_code or ""),
    )
    body = to_csv(
        CSV_HEADER,
        (
            (
                user.name,
                user.referral_code or "",
                _stamp(attendance.checked_in_at),
                single_line(attendance.checked_in_by_name or ""),
            )
            for user, attendance in rows
        ),
    )
    # The canonical id (a ULID or a UUID): nothing a client sent goes into the header.
    return Sheet(filename=f"attendees-{event.id}.csv", body=body)


def _stamp(moment: datetime | None) -> str:
    return "" if moment is None else event_date(moment)


def _pause(attempt: int) -> None:
    # Full jitter, growing: spreads the retries of racing scanners apart.
    time.sleep(random.uniform(0, 0.02 * 2**attempt))
