"""An RSVP: a member's attendance of an event."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class AttendancePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    user_id: str
    created_at: datetime


class Rsvp(BaseModel):
    success: bool = True
    attendance: AttendancePublic
