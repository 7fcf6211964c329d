"""GET /api/users/me/events: the signed-in member's RSVPs and waitlist places for events
starting now or later, in start order, a page at a time (signed cursor), each event as it is
now with the member's part in it (going, or waiting at a position)."""

from typing import Annotated

from fastapi import Query, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NOT_MODIFIED, PRIVATE_REVALIDATE, conditional_json
from community.schemas.attendance import MyEvents
from community.services import attendance
from community.services.events import MAX_LIMIT

app = create_app("users-me-events")


@app.get("/api/users/me/events", response_model=MyEvents, responses=NOT_MODIFIED)
async def users_me_events(
    request: Request,
    user: CurrentUser,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 10,
    # Checked (and refused with a 400) by the service, like every other bad cursor.
    cursor: str | None = None,
) -> Response:
    page = attendance.my_events_page(user, limit, cursor)
    return conditional_json(request, page, PRIVATE_REVALIDATE)


handler = SafeMangum(app, lifespan="off")
