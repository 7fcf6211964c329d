"""DELETE /api/v1/events/{event_id}/waitlist: give up a place on the waitlist. 204 whether or
not the member was waiting, so a retried or repeated leave is harmless; a going member keeps
their spot (DELETE .../rsvp gives it back)."""

from fastapi import Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE
from community.services import attendance

app = create_app("event-waitlist-leave")


@app.delete("/api/v1/events/{event_id}/waitlist", status_code=204, response_class=Response)
async def event_waitlist_leave(event_id: str, user: CurrentUser) -> Response:
    attendance.leave_waitlist(user, event_id)
    return Response(status_code=204, headers={"Cache-Control": NO_STORE})


handler = SafeMangum(app, lifespan="off")
