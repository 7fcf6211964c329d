"""The door: a going member's ticket, a staff member's check-in of one, and the attendee list."""

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict

from community.schemas.common import ErrorBody
from community.values import single_line


class TicketHolder(BaseModel):
    """Who the ticket is for, as the member's own screen shows them beside the QR code."""

    name: Annotated[str, AfterValidator(single_line)]
    photo_url: str | None


class TicketIssued(BaseModel):
    """GET /api/v1/events/{event_id}/ticket: the text to draw as a QR code."""

    success: bool = True
    ticket: str
    event_id: str
    user: TicketHolder


class CheckinRequest(BaseModel):
    """POST /api/v1/events/{event_id}/checkins: the text a scanner read from a ticket. Any
    string: whatever is not a ticket of ours (empty, too long, another kind of token) is the
    service's 400, the same answer as a forged one; the body limit bounds it."""

    model_config = ConfigDict(extra="forbid")

    ticket: str


class Attendee(BaseModel):
    """A member as the door sees them: enough to recognise and tell apart."""

    name: Annotated[str, AfterValidator(single_line)]
    photo_url: str | None
    # None only for an RSVP older than the bot, whose member cannot be looked up.
    referral_code: str | None


class Checkin(BaseModel):
    user: Attendee
    checked_in_at: datetime
    # The staff member's name when they checked this member in.
    checked_in_by: Annotated[str, AfterValidator(single_line)]


class CheckinDone(BaseModel):
    success: bool = True
    checkin: Checkin


class AttendeeEntry(BaseModel):
    user: Attendee
    checked_in_at: datetime | None


class Attendees(BaseModel):
    """GET /api/v1/events/{event_id}/attendees: a page of the going members, and the totals."""

    success: bool = True
    attendees: list[AttendeeEntry]
    next_cursor: str | None
    checked_in: int
    going: int


class CheckinConflictBody(ErrorBody):
    """409, either of two: "already checked in" (when, by whom, who: a retry with the same
    Idempotency-Key is the 201 instead), or the check-in is not open now (when it is)."""

    checked_in_at: datetime | None = None
    checked_in_by: Annotated[str, AfterValidator(single_line)] | None = None
    user: Attendee | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None


class OtherEventBody(ErrorBody):
    """422: a good ticket, for another event (its id, so the door can say which)."""

    ticket_event_id: str
