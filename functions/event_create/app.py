"""POST /api/v1/events (admins): create an event; 201 with it and its Location."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import ADMIN_ERRORS, create_app
from community.http.auth import AdminUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.events import MAX_EVENT_BODY_BYTES, EventCreate, EventDetail
from community.services import events

app = create_app("event-create", max_body_bytes=MAX_EVENT_BODY_BYTES)


@app.post("/api/v1/events", response_model=EventDetail, status_code=201, responses=ADMIN_ERRORS)
async def event_create(request: Request, body: EventCreate, _: AdminUser) -> Response:
    created = events.create(body)
    response = conditional_json(request, created, NO_STORE, status_code=201)
    response.headers["Location"] = f"/api/v1/events/{created.event.id}"
    return response


handler = SafeMangum(app, lifespan="off")
