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


class RsvpState(BaseModel):
    """Whether the member is going to an event: GET /api/v1/events/{event_id}/rsvp."""

    success: bool = True
    rsvp: Annotated[RsvpGoing | RsvpNone, Field(discriminator="status")]
