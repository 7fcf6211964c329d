"""DELETE /api/v1/events/{event_id}/rsvp: give the spot back. 204 whether or not there was an
RSVP, so a retried or repeated cancel is harmless; 409 once the event has started."""

from fastapi import Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE
from community.services import attendance

app = create_app("event-rsvp-cancel")


@app.delete(
    "/api/v1/events/{event_id}/rsvp",
    status_code=204,
    response_class=Response,
    responses=error_responses(409),
)
async def event_rsvp_cancel(event_id: str, user: CurrentUser) -> Response:
    attendance.cancel(user, event_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})


handler = SafeMangum(app, lifespan="off")
