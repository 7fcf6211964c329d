"""POST /api/v1/events/{event_id}/share: the event as a card the member sends into any chat
with the Mini App's `shareMessage(id)` (Bot API 8.0's savePreparedInlineMessage): title, time,
place, spots left, the image if any, and an "Open event" button whose link carries the
member's referral code. 404 for an unknown or inactive event; 502 when Telegram refuses, 503
with Retry-After when it is rate limiting or unreachable."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.share import EventShared
from community.services import event_share

app = create_app("event-share")


@app.post(
    "/api/v1/events/{event_id}/share",
    response_model=EventShared,
    responses=error_responses(502),
)
async def event_share_create(request: Request, event_id: str, user: CurrentUser) -> Response:
    return conditional_json(request, event_share.share(user, event_id), NO_STORE)


handler = SafeMangum(app, lifespan="off")
