"""GET /api/users/me/calendar: the address of the member's calendar feed (created on the first
request), to paste into a calendar app or open as webcal://."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUserConsistent
from community.http.caching import NO_STORE, conditional_json
from community.schemas.users import CalendarLinks
from community.services import feed_links

app = create_app("users-me-calendar")


# Consistent: the member as the last issue or reset left them (no second token, no old URL).
@app.get("/api/users/me/calendar", response_model=CalendarLinks)
async def users_me_calendar(request: Request, user: CurrentUserConsistent) -> Response:
    return conditional_json(request, feed_links.links(user), NO_STORE)


handler = SafeMangum(app, lifespan="off")
