"""`make run` routes a request as API Gateway does (devkit.local.server.match over the template's
routes): a path variable takes one segment, and every other character of a route's path is
itself, so `/calendar.ics` is not `/calendarXics`."""

import pytest

from devkit.local.server import match

ULID = "01HZX3K9Q7M2N4P6R8S0T1V3W5"


@pytest.mark.parametrize(
    ("path", "function"),
    [
        (f"/api/v1/events/{ULID}", "EventDetailFunction"),
        (f"/api/v1/events/{ULID}/calendar.ics", "EventCalendarFunction"),
        (f"/api/v1/events/{ULID}/rsvp", "EventRsvpStatusFunction"),
    ],
)
def test_an_event_path_reaches_its_function_with_the_id(path: str, function: str) -> None:
    found = match("GET", path)

    assert found is not None
    route, parameters = found
    assert (route.function, parameters) == (function, {"event_id": ULID})


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/events/{ULID}/calendarXics",
        f"/api/v1/events/{ULID}/calendar.ics/more",
        f"/api/v1/events/{ULID}/x/calendar.ics",
        "/api/v1/events//calendar.ics",
    ],
)
def test_a_path_that_only_resembles_a_route_matches_none(path: str) -> None:
    assert match("GET", path) is None
