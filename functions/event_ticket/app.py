"""GET /api/v1/events/{event_id}/ticket: the signed-in member's door ticket for an event they
are going to, the text the Mini App draws as a QR code. Never stored anywhere on the way
(no-store): it is the member's own. 404 when they are not going (waiting included) or the
event is unknown or cancelled."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.door import TicketIssued
from community.services import door

app = create_app("event-ticket")


@app.get("/api/v1/events/{event_id}/ticket", response_model=TicketIssued)
async def event_ticket(request: Request, event_id: str, user: CurrentUser) -> Response:
    return conditional_json(request, door.ticket(user, event_id), NO_STORE)


handler = SafeMangum(app, lifespan="off")
