"""GET /api/v1/events/{event_id}: one active event; anything else is a 404."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import NOT_MODIFIED, PUBLIC_EVENTS, conditional_json
from community.schemas.events import EventDetail
from community.services import events

app = create_app("event-detail")


@app.get("/api/v1/events/{event_id}", response_model=EventDetail, responses=NOT_MODIFIED)
async def event_detail(request: Request, event_id: str) -> Response:
    return conditional_json(request, events.detail(event_id), PUBLIC_EVENTS)


handler = SafeMangum(app, lifespan="off")
