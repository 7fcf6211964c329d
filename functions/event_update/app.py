"""PATCH /api/v1/events/{event_id} (admins): change some of an event's fields."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import ADMIN_ERRORS, create_app
from community.http.auth import AdminUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.events import MAX_EVENT_BODY_BYTES, EventDetail, EventPatch
from community.services import events

app = create_app("event-update", max_body_bytes=MAX_EVENT_BODY_BYTES)


@app.patch("/api/v1/events/{event_id}", response_model=EventDetail, responses=ADMIN_ERRORS)
async def event_update(request: Request, event_id: str, body: EventPatch, _: AdminUser) -> Response:
    return conditional_json(request, events.update(event_id, body), NO_STORE)


handler = SafeMangum(app, lifespan="off")
