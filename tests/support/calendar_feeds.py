"""The calendar feed's handlers as tests drive them: the address (GET /api/users/me/calendar),
its reset, and a poll of the feed (GET /api/calendar/<token>.ics)."""

from typing import Any

from community.data.models import CalendarGuard
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from support.flows import body_of

# Every feed token's guard item in the users table.
CALENDAR_GUARDS = CalendarGuard.pk.startswith("CALENDAR#")


def calendar_links(token: str) -> dict[str, Any]:
    return invoke("UsersMeCalendarFunction", load_event("users_me_calendar", TOKEN=token))


def reset_links(token: str) -> dict[str, Any]:
    return invoke(
        "UsersMeCalendarResetFunction", load_event("users_me_calendar_reset", TOKEN=token)
    )


def feed_file(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def poll(file: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    event = load_event("calendar_feed", CALENDAR_FILE=file)
    event["headers"].update(headers or {})
    return invoke("CalendarFeedFunction", event)


def feed_url(session: dict[str, Any]) -> str:
    response = calendar_links(session["token"])
    assert response["statusCode"] == 200, response
    url: str = body_of(response)["url"]
    return url
