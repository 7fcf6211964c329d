"""POST /api/v1/events/{event_id}/waitlist: take the next place on a full event's waitlist.
201 with the place (1-based position), 200 with the same when already waiting; 409 when the
member is going or the event has room or no capacity (RSVP instead). The first waiting gets
the next seat freed, in the transaction that frees it."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.attendance import WaitlistJoined
from community.services import attendance

app = create_app("event-waitlist-join")


@app.post(
    "/api/v1/events/{event_id}/waitlist",
    response_model=WaitlistJoined,
    status_code=201,
    responses={
        200: {"model": WaitlistJoined, "description": "Already waiting"},
        **error_responses(409),
    },
)
async def event_waitlist_join(request: Request, event_id: str, user: CurrentUser) -> Response:
    joined, created = attendance.join_waitlist(user, event_id)
    return conditional_json(request, joined, NO_STORE, status_code=201 if created else 200)


handler = SafeMangum(app, lifespan="off")
