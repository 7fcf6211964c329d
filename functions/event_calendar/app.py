"""GET /api/v1/events/{event_id}/calendar.ics: an active event as an iCalendar file to add to
a calendar ("Add to calendar" in the Mini App). Public and cached like the event's detail (the
same Cache-Control, an ETag; CloudFront's /api/v1/events/* behaviour); the same 404 for
unknown, malformed and inactive ids, as JSON."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import CALENDAR_FILE, PUBLIC_EVENTS, conditional
from community.services import calendar, event_files

app = create_app("event-calendar")


@app.get("/api/v1/events/{event_id}/calendar.ics", response_class=Response, responses=CALENDAR_FILE)
async def event_calendar(request: Request, event_id: str) -> Response:
    file = event_files.active_event_file(event_id)
    return conditional(
        request,
        file.body,
        calendar.CONTENT_TYPE,
        PUBLIC_EVENTS,
        extra_headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


handler = SafeMangum(app, lifespan="off")
