"""GET /api/calendar/{token}.ics: a member's calendar feed, for calendar apps to poll. The
token in the path is the only credential (they send no bearer token), so the path is never
logged: the log names the route instead. API Gateway's route variable is the whole segment
(`<token>.ics`); the service takes the suffix off."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.caching import PRIVATE_SHORT, conditional
from community.services import calendar, calendar_feed

ROUTE = "/api/calendar/{file}"

app = create_app("calendar-feed", logged_path=ROUTE)

FEED = {
    200: {
        "description": "The member's events as an iCalendar (RFC 5545) feed",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    },
    304: {"description": "Not Modified: If-None-Match matched the current ETag (no body)"},
}


# private: the feed is one member's and its URL a credential; a shared cache would hold it
# past a reset, and every URL has one poller, so it would rarely hit anyway.
@app.get(ROUTE, responses=FEED, response_class=Response)
async def calendar_feed_file(request: Request, file: str) -> Response:
    return conditional(request, calendar_feed.feed(file), calendar.CONTENT_TYPE, PRIVATE_SHORT)


handler = SafeMangum(app, lifespan="off")
