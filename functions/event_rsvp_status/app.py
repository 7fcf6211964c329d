"""GET /api/v1/events/{event_id}/rsvp: whether the signed-in member is going to an event, so
opening it needs no walk through their whole list. Private to the member and revalidated
every time (an RSVP from another device changes it); 404 as the event's detail answers."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NOT_MODIFIED, PRIVATE_REVALIDATE, conditional_json
from community.schemas import RsvpState
from community.services import attendance

app = create_app("event-rsvp-status")


@app.get("/api/v1/events/{event_id}/rsvp", response_model=RsvpState, responses=NOT_MODIFIED)
async def event_rsvp_status(request: Request, event_id: str, user: CurrentUser) -> Response:
    return conditional_json(request, attendance.state(user, event_id), PRIVATE_REVALIDATE)


handler = SafeMangum(app, lifespan="off")
