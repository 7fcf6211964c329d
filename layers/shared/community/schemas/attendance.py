"""An RSVP: a member's attendance of an event, and whether a member is going."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from community.schemas.events import EventPublic


class AttendancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    user_id: str
    created_at: datetime


class Rsvp(BaseModel):
    success: bool = True
    attendance: AttendancePublic
    # The event as the RSVP left it (its attendee_count counting this one), so the client
    # needs no second request to show it.
    event: EventPublic


class RsvpGoing(BaseModel):
    status: Literal["going"]
    created_at: datetime


class RsvpNone(BaseModel):
    status: Literal["none"]


class RsvpWaitlisted(BaseModel):
    status: Literal["waitlisted"]
    # 1-based: 1 gets the next seat freed.
    position: int


class RsvpState(BaseModel):
    """Whether the member is going to an event, or waiting and where:
    GET /api/v1/events/{event_id}/rsvp."""

    success: bool = True
    rsvp: Annotated[RsvpGoing | RsvpWaitlisted | RsvpNone, Field(discriminator="status")]
    # The invite link to the event's Telegram group (/linkevent), to members going only: it
    # asks to join, and the bot approves only them (services/chats.py).
    chat_url: str | None


class WaitlistPlace(BaseModel):
    event_id: str
    # 1-based, first come first served; closes up as those ahead leave or get a seat.
    position: int
    created_at: datetime


class WaitlistJoined(BaseModel):
    """POST /api/v1/events/{event_id}/waitlist."""

    success: bool = True
    waitlist: WaitlistPlace


class MyEvent(EventPublic):
    """One of a member's events, with their part in it: going, or waiting at a position."""

    rsvp: Annotated[RsvpGoing | RsvpWaitlisted, Field(discriminator="status")]


class MyEvents(BaseModel):
    """GET /api/users/me/events: a page of the member's events."""

    events: list[MyEvent]
    next_cursor: str | None
    has_more: bool
