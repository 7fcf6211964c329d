"""What every endpoint's errors look like."""

from pydantic import BaseModel


class ErrorBody(BaseModel):
    success: bool = False
    detail: str | list[dict[str, object]]


class EventFullBody(ErrorBody):
    """The 409 of an RSVP to a full event: "event full", and how many wait already."""

    waitlist_count: int | None = None
