"""GET /api/v1/events/upcoming: active events starting now or later, in start order, a page
at a time (signed cursor, or a bounded offset for the old front end), optionally of one
category. Auth is optional: the
answer is the same for everyone, so it is publicly cacheable."""

from typing import Annotated

from fastapi import Query, Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import NOT_MODIFIED, PUBLIC_EVENTS, conditional_json
from community.schemas.events import EventCategory, UpcomingEvents
from community.services import events

app = create_app("events-upcoming")


@app.get("/api/v1/events/upcoming", response_model=UpcomingEvents, responses=NOT_MODIFIED)
async def upcoming_events(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=events.MAX_LIMIT)] = 10,
    # Checked (and refused with a 400) by the service, like every other bad cursor.
    cursor: str | None = None,
    offset: Annotated[int | None, Query(ge=0, le=events.MAX_OFFSET)] = None,
    category: EventCategory | None = None,
) -> Response:
    page = events.upcoming_page(limit, cursor=cursor, offset=offset, category=category)
    return conditional_json(request, page, PUBLIC_EVENTS)


handler = SafeMangum(app, lifespan="off")
