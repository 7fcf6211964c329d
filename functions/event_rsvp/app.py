"""POST /api/v1/events/{event_id}/rsvp: take a spot at an upcoming event. 201 with the new
attendance, 200 with the existing one (repeating an RSVP is harmless), 409 when it is full
(with its waitlist_count, so the client can offer the waitlist);
both answers carry the event as it is now, counting the spot."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.attendance import Rsvp
from community.schemas.common import EventFullBody
from community.services import attendance

app = create_app("event-rsvp")


@app.post(
    "/api/v1/events/{event_id}/rsvp",
    response_model=Rsvp,
    status_code=201,
    responses={
        200: {"model": Rsvp, "description": "Already RSVPed"},
        409: {"model": EventFullBody, "description": "Full (or the member waits)"},
    },
)
async def event_rsvp(request: Request, event_id: str, user: CurrentUser) -> Response:
    rsvp, created = attendance.rsvp(user, event_id)
    return conditional_json(request, rsvp, NO_STORE, status_code=201 if created else 200)


handler = SafeMangum(app, lifespan="off")
