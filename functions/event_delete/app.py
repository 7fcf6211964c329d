"""DELETE /api/v1/events/{event_id} (admins): deactivate an event (soft delete: it leaves the
listings, its RSVPs stay). 204, also for an event already inactive."""

from fastapi import Response

from community.http.adapter import SafeMangum
from community.http.app import ADMIN_ERRORS, create_app
from community.http.auth import AdminUser
from community.http.caching import NO_STORE
from community.services import events

app = create_app("event-delete")


@app.delete(
    "/api/v1/events/{event_id}", status_code=204, response_class=Response, responses=ADMIN_ERRORS
)
async def event_delete(event_id: str, _: AdminUser) -> Response:
    events.deactivate(event_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})


handler = SafeMangum(app, lifespan="off")
