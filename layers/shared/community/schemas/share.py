"""An event shared as a card: POST /api/v1/events/{event_id}/share."""

from pydantic import BaseModel, Field


class EventShared(BaseModel):
    """A prepared inline message the member sends with the Mini App's `shareMessage(id)`."""

    success: bool = True
    prepared_message_id: str
    # Unix seconds, as Telegram gives it: after this the id can no longer be shared.
    expires_at: int
    # The card's "Open event" link (the event's direct link carrying the member's referral):
    # what a client without shareMessage (before Bot API 8.0) shares through t.me/share/url.
    url: str = Field(
        examples=[
            "https://t.me/community_bot/app?startapp=e_01JDQ7Z8W3K5M9P2R4T6V8X0YA_r_UP-AB12CD"
        ]
    )
