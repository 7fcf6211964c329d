"""POST /api/users/me/calendar/reset: a new calendar feed address; the old one answers 404 from
then on."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUserConsistent
from community.http.caching import NO_STORE, conditional_json
from community.schemas.users import CalendarLinks
from community.services import feed_links

app = create_app("users-me-calendar-reset")


@app.post("/api/users/me/calendar/reset", response_model=CalendarLinks)
async def users_me_calendar_reset(request: Request, user: CurrentUserConsistent) -> Response:
    return conditional_json(request, feed_links.reset(user), NO_STORE)


handler = SafeMangum(app, lifespan="off")
