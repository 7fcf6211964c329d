"""Admin event routes through their handlers: POST, PATCH and DELETE /api/v1/events, who may
call them, what each changes in the events and attendances tables and how that shows in the
listings; and the category listing, GET /api/v1/events/upcoming?category=, one Query and one
BatchGetItem a page."""

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from support.faults import counting_calls
from support.flows import (
    add_events,
    admin_login,
    body_of,
    create_event,
    delete_event,
    event_detail,
    follow_pages,
    login,
    my_events,
    rsvp,
    upcoming,
    update_event,
)

from community.data.models import Attendance, Event, User
from community.services.users import set_role
from community.values import event_date
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

NOW = datetime.now(UTC).replace(microsecond=0)
FORBIDDEN = {"success": False, "detail": "admin role required"}


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def new_event(**fields: Any) -> dict[str, Any]:
    """A valid POST body: an event in ten days, lasting three hours."""
    return {
        "title": "Summer meetup",
        "description": "Drinks on the terrace",
        "start_date": at(10).isoformat(),
        "end_date": (at(10) + timedelta(hours=3)).isoformat(),
        "location": "Terrace",
        "price": 12.5,
        "capacity": 40,
        "image_url": "https://example.com/poster.png",
        "category": "meetup",
        **fields,
    }


def two_hours_from(start: datetime) -> dict[str, str]:
    return {"start_date": start.isoformat(), "end_date": (start + timedelta(hours=2)).isoformat()}


def created(token: str, **fields: Any) -> dict[str, Any]:
    """An event created through the API; the event as it answered."""
    response = create_event(token, new_event(**fields))
    assert response["statusCode"] == 201, response
    event: dict[str, Any] = body_of(response)["event"]
    return event


def stored_events(dynamodb: Any) -> list[dict[str, Any]]:
    items = dynamodb.scan(TableName=Event.Meta.table_name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: item["id"]["S"])


def listed(query: str = "") -> list[str]:
    response = upcoming(query)
    assert response["statusCode"] == 200, response
    return [event["id"] for event in body_of(response)["events"]]


def patched(token: str, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    response = update_event(token, event_id, body)
    assert response["statusCode"] == 200, response
    assert body_of(response)["success"] is True
    event: dict[str, Any] = body_of(response)["event"]
    return event


def case_id(body: dict[str, Any]) -> str:
    # Cases whose values come from the clock carry their own pytest.param id: an id that
    # changes between two collections makes xdist's workers disagree on the test list.
    return "-".join(f"{key}={value}" for key, value in body.items())[:40] or "empty"


# --- who may call them -----------------------------------------------------------------

ROUTES: dict[str, Callable[[str, str], dict[str, Any]]] = {
    "create": lambda token, _: create_event(token, new_event()),
    "update": lambda token, event_id: update_event(token, event_id, {"title": "Taken over"}),
    "delete": delete_event,
}


def demoted_admin() -> str:
    token: str = admin_login(7)["token"]
    set_role(7, "member")
    return token


CALLERS: dict[str, tuple[Callable[[], str], int, dict[str, Any] | None]] = {
    "member": (lambda: login(42, "Alice")["token"], 403, FORBIDDEN),
    "demoted-admin": (demoted_admin, 403, FORBIDDEN),
    "no-token": (lambda: "", 401, None),
}


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("caller", sorted(CALLERS))
def test_only_admins_may_use_the_admin_routes_and_others_change_nothing(
    route: str, caller: str, dynamodb: Any
) -> None:
    # Given an event, and a caller who is not (or no longer) an admin
    add_events([event_record(at(3), category="talk")])
    make_token, status, body = CALLERS[caller]
    token = make_token()
    before = stored_events(dynamodb)

    # When the caller uses the route
    response = ROUTES[route](token, before[0]["id"]["S"])

    # Then it is refused, and the events table is exactly as it was
    assert response["statusCode"] == status, response
    if body is not None:
        assert body_of(response) == body
    assert body_of(response)["success"] is False
    assert stored_events(dynamodb) == before


def test_the_admin_routes_are_the_three_checked_here(repo_root: Path) -> None:
    admin_functions = {
        path.parent.name
        for path in (repo_root / "functions").glob("*/app.py")
        if "AdminUser" in path.read_text()
    }
    # The role routes are admin routes too, with tests of their own (test_roles.py).
    role_functions = {"member_role_update", "member_roles"}
    assert admin_functions == {f"event_{route}" for route in ROUTES} | role_functions


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("caller", ["admin", "demoted-admin"])
def test_every_admin_route_reads_the_member_consistently(route: str, caller: str) -> None:
    # Given an event, and an admin, or one just demoted. moto always reads consistently, so a
    # stale read cannot be staged; what is asked of DynamoDB is checked instead: from an
    # eventually consistent read, a demoted admin could keep the admin routes for the
    # replication lag.
    token = admin_login()["token"] if caller == "admin" else demoted_admin()
    (event_id,) = add_events([event_record(at(3))])
    requests: list[dict[str, Any]] = []

    # When the caller uses the route
    with counting_calls(on_params=requests.append) as calls:
        response = ROUTES[route](token, event_id)

    # Then the admin is let in and the demoted admin is not, each after one read of the
    # member that asked for a strongly consistent read
    if caller == "admin":
        assert 200 <= response["statusCode"] < 300, response
    else:
        assert (response["statusCode"], body_of(response)) == (403, FORBIDDEN)
    user_reads = [
        request
        for call, request in zip(calls, requests, strict=True)
        if call == "GetItem" and request["TableName"] == User.Meta.table_name
    ]
    assert [read.get("ConsistentRead") for read in user_reads] == [True]


# --- POST /api/v1/events ---------------------------------------------------------------


def test_an_admin_creates_an_event_listed_in_upcoming_and_in_its_category() -> None:
    admin = admin_login()

    response = create_event(admin["token"], new_event(category="workshop"))

    assert response["statusCode"] == 201, response
    event = body_of(response)["event"]
    assert body_of(response)["success"] is True
    assert response["headers"]["location"] == f"/api/v1/events/{event['id']}"
    assert event["start_date"] == event_date(at(10))
    assert (event["price"], event["category"], event["is_active"]) == (12.5, "workshop", True)
    assert (event["capacity"], event["attendee_count"], event["spots_left"]) == (40, 0, 40)
    assert body_of(event_detail(event["id"]))["event"] == event
    assert listed() == [event["id"]]
    assert listed("category=workshop") == [event["id"]]
    assert listed("category=meetup") == []


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"end_date": at(10).isoformat()}, id="end_date=start_date"),
        pytest.param(
            {"end_date": (at(10) - timedelta(hours=1)).isoformat()}, id="end_date=before-start"
        ),
        {"start_date": "2030-06-01T18:00:00"},
        {"price": -1},
        {"capacity": 0},
        {"capacity": 2.5},
        {"capacity": "10"},
        {"image_url": "ftp://example.com/poster.png"},
        {"image_url": "javascript:alert(1)"},
        {"category": "party"},
        {"organiser": "Ada"},
        {"title": ""},
        {"is_active": "yes"},
    ],
    ids=case_id,
)
def test_an_invalid_new_event_is_422_and_nothing_is_written(
    fields: dict[str, Any], dynamodb: Any
) -> None:
    admin = admin_login()
    add_events([event_record(at(3))])
    before = stored_events(dynamodb)

    response = create_event(admin["token"], new_event(**fields))

    assert response["statusCode"] == 422, response
    assert body_of(response)["success"] is False
    assert stored_events(dynamodb) == before


# --- PATCH /api/v1/events/{id} ---------------------------------------------------------


def test_a_patch_changes_only_the_fields_sent() -> None:
    admin = admin_login()
    event = created(admin["token"])

    after = patched(admin["token"], event["id"], {"title": "Autumn meetup", "price": 0})

    assert after == {**event, "title": "Autumn meetup", "price": 0}
    assert body_of(event_detail(event["id"]))["event"] == after
    assert Event.get(event["id"], consistent_read=True).title == "Autumn meetup"


def test_a_patch_with_nulls_clears_capacity_image_and_category() -> None:
    admin = admin_login()
    event = created(admin["token"], category="social")
    assert listed("category=social") == [event["id"]]

    after = patched(
        admin["token"], event["id"], {"capacity": None, "image_url": None, "category": None}
    )

    assert (after["capacity"], after["spots_left"], after["image_url"]) == (None, None, None)
    assert after["category"] is None
    stored = Event.get(event["id"], consistent_read=True)
    assert (stored.capacity, stored.image_url, stored.category) == (None, None, None)
    assert listed("category=social") == []
    assert listed() == [event["id"]]


@pytest.mark.parametrize(
    "body",
    [
        {},
        *({field: None} for field in ("title", "description", "start_date", "end_date")),
        *({field: None} for field in ("location", "price", "is_active")),
        {"capacity": 0},
        {"category": "party"},
        {"organiser": "Ada"},
        pytest.param(
            {"start_date": at(5).isoformat(), "end_date": at(4).isoformat()},
            id="start_date-after-end_date",
        ),
    ],
    ids=case_id,
)
def test_an_invalid_patch_is_422_and_changes_nothing(body: dict[str, Any]) -> None:
    admin = admin_login()
    event = created(admin["token"])

    response = update_event(admin["token"], event["id"], body)

    assert response["statusCode"] == 422, response
    assert body_of(event_detail(event["id"]))["event"] == event


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_a_patch_that_would_end_the_event_before_it_starts_is_400(field: str) -> None:
    # Given an event on day 10, from NOW's time of day for three hours
    admin = admin_login()
    event = created(admin["token"])
    moved = at(10) + timedelta(hours=4) if field == "start_date" else at(10) - timedelta(hours=1)

    # When one of its dates alone is moved past the other, stored one
    response = update_event(admin["token"], event["id"], {field: moved.isoformat()})

    # Then the event as it would be is refused, and it is unchanged
    assert response["statusCode"] == 400, response
    assert body_of(response)["success"] is False
    assert body_of(event_detail(event["id"]))["event"] == event


def test_capacity_below_the_rsvps_taken_is_409_and_equal_to_them_fills_the_event() -> None:
    # Given an event of 5 spots with 3 RSVPs
    admin = admin_login()
    event = created(admin["token"], capacity=5)
    for telegram_id in (1, 2, 3):
        assert rsvp(login(telegram_id, "Member")["token"], event["id"])["statusCode"] == 201

    # When an admin lowers the capacity to 2, then to 3
    below = update_event(admin["token"], event["id"], {"capacity": 2})
    stored_after_refusal = Event.get(event["id"], consistent_read=True).capacity
    equal = update_event(admin["token"], event["id"], {"capacity": 3})

    # Then 2 is refused and left the capacity at 5; 3 is accepted and the event is full
    assert below["statusCode"] == 409, below
    assert body_of(below)["success"] is False
    assert stored_after_refusal == 5
    assert equal["statusCode"] == 200, equal
    assert body_of(equal)["event"]["spots_left"] == 0
    late = rsvp(login(4, "Dave")["token"], event["id"])
    assert late["statusCode"] == 409, late
    assert body_of(late) == {"success": False, "detail": "event full", "waitlist_count": 0}
    assert Event.get(event["id"], consistent_read=True).attendee_count == 3


def test_moving_an_event_moves_it_in_the_listing_and_in_members_own_lists() -> None:
    # Given three events on days 1, 2 and 3, all three RSVPed by a member
    admin, member = admin_login(), login(42, "Alice")
    first, second, third = (created(admin["token"], **two_hours_from(at(day))) for day in (1, 2, 3))
    for event in (first, second, third):
        assert rsvp(member["token"], event["id"])["statusCode"] == 201

    # When an admin moves the first to day 4
    new_start = at(4)
    after = patched(admin["token"], first["id"], two_hours_from(new_start))

    # Then it comes last in the listing and in the member's own list
    assert after["start_date"] == event_date(new_start)
    order = [second["id"], third["id"], first["id"]]
    assert listed() == order
    mine = body_of(my_events(member["token"], "limit=10"))["events"]
    assert [event["id"] for event in mine] == order
    # And its attendance item carries the new start date, which that order comes from
    assert Attendance.get(first["id"], member["user"]["id"]).start_date == event_date(new_start)


def test_changing_the_category_moves_the_event_between_listings() -> None:
    admin = admin_login()
    event = created(admin["token"], category="meetup")

    patched(admin["token"], event["id"], {"category": "online"})

    with counting_calls() as calls:
        meetups, online = listed("category=meetup"), listed("category=online")
    assert (meetups, online) == ([], [event["id"]])
    # An empty page needs no BatchGetItem; a page with events one
    assert calls == ["Query", "Query", "BatchGetItem"]
    assert Event.get(event["id"], consistent_read=True).category_listing == "online"


def test_patching_is_active_takes_the_event_off_the_listings_and_back() -> None:
    admin = admin_login()
    event = created(admin["token"], category="sports")

    after = patched(admin["token"], event["id"], {"is_active": False})

    assert after["is_active"] is False
    assert (listed(), listed("category=sports")) == ([], [])
    assert event_detail(event["id"])["statusCode"] == 404
    # And setting it back to true lists it again
    patched(admin["token"], event["id"], {"is_active": True})
    assert (listed(), listed("category=sports")) == ([event["id"]], [event["id"]])


# --- DELETE /api/v1/events/{id} --------------------------------------------------------


def test_delete_is_soft_twice_204_and_the_event_can_no_longer_be_rsvped() -> None:
    # Given an event in a category
    admin, member = admin_login(), login(42, "Alice")
    event = created(admin["token"], category="talk")

    # When an admin deletes it twice
    answers = [delete_event(admin["token"], event["id"]) for _ in range(2)]

    # Then both are 204; it is gone from the API but still in the table, inactive
    assert [response["statusCode"] for response in answers] == [204, 204]
    assert event_detail(event["id"])["statusCode"] == 404
    assert (listed(), listed("category=talk")) == ([], [])
    stored = Event.get(event["id"], consistent_read=True)
    assert (stored.is_active, stored.title) == (False, event["title"])
    # And an RSVP to it is a 404 that writes nothing
    assert rsvp(member["token"], event["id"])["statusCode"] == 404
    assert list(Attendance.query(event["id"], consistent_read=True)) == []


@pytest.mark.parametrize("route", ["update", "delete"])
@pytest.mark.parametrize(
    "event_id", [str(uuid.uuid4()), "not-an-event-id"], ids=["unknown", "malformed"]
)
def test_patching_or_deleting_an_unknown_event_is_404_and_creates_nothing(
    route: str, event_id: str, dynamodb: Any
) -> None:
    admin = admin_login()

    response = ROUTES[route](admin["token"], event_id)

    assert response["statusCode"] == 404, response
    assert stored_events(dynamodb) == []


# --- GET /api/v1/events/upcoming?category= ---------------------------------------------

OTHER_CATEGORIES = ["meetup", "talk", "social", "sports", "online", None]


def test_a_category_listing_pages_through_exactly_its_events_two_calls_a_page() -> None:
    # Given 30 upcoming events across the categories (and none), 12 of them workshops, plus
    # a past and an inactive workshop
    records = [
        event_record(
            at(1) + timedelta(hours=index),
            category="workshop" if index % 5 < 2 else OTHER_CATEGORIES[index % 6],
        )
        for index in range(30)
    ]
    extra = [
        event_record(at(-1), category="workshop"),
        event_record(at(2), category="workshop", active=False),
    ]
    add_events(records + extra)
    workshops = [record["id"] for record in records if record["category"] == "workshop"]

    # When a client pages through ?category=workshop&limit=5 (12 workshops fill three pages)
    calls_per_page: list[list[str]] = []

    def counted_page(query: str) -> dict[str, Any]:
        with counting_calls() as calls:
            body: dict[str, Any] = body_of(upcoming(query))
        calls_per_page.append(calls)
        return body

    pages = follow_pages(counted_page, "category=workshop&limit=5", max_pages=4)
    seen = [event for body in pages for event in body["events"]]

    # Then it got the upcoming active workshops, each once, in start order, one Query and one
    # BatchGetItem a page
    assert len(workshops) == 12
    assert [event["id"] for event in seen] == workshops
    assert {event["category"] for event in seen} == {"workshop"}
    assert calls_per_page == [["Query", "BatchGetItem"]] * 3


def test_an_unknown_category_is_422_without_a_read() -> None:
    with counting_calls() as calls:
        response = upcoming("category=party")

    assert response["statusCode"] == 422, response
    assert calls == []


def test_a_cursor_only_works_on_the_listing_that_issued_it() -> None:
    # Given two events in each of two categories, and a cursor from each listing
    add_events([event_record(at(day), category=c) for day in (1, 2) for c in ("talk", "social")])
    cursors = {
        query: body_of(upcoming(f"{query}limit=1"))["next_cursor"]
        for query in ("category=talk&", "category=social&", "")
    }

    # When each is used on the other listings, and on its own
    crossed = [
        upcoming(f"{other}limit=1&cursor={cursor}").get("statusCode")
        for query, cursor in cursors.items()
        for other in cursors
        if other != query
    ]
    own = [upcoming(f"{query}limit=1&cursor={cursor}") for query, cursor in cursors.items()]

    # Then it is refused elsewhere, and continues its own listing
    assert crossed == [400] * 6
    assert [response["statusCode"] for response in own] == [200] * 3
    assert [len(body_of(response)["events"]) for response in own] == [1, 1, 1]


# --- Start dates in the past (issue 25, item 9) ----------------------------------------


def started_event(hours_ago: float = 1) -> dict[str, Any]:
    """An event that started `hours_ago` and ends in two hours, seeded as history."""
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=hours_ago)
    record = event_record(start, end_date=(start + timedelta(hours=hours_ago + 2)).isoformat())
    add_events([record])
    event: dict[str, Any] = {**record, "start_date": event_date(start)}
    return event


@pytest.mark.parametrize("ago", [timedelta(seconds=5), timedelta(days=400)], ids=["5s", "400d"])
def test_a_new_event_starting_in_the_past_is_a_422_naming_start_date_and_nothing_is_written(
    ago: timedelta, dynamodb: Any
) -> None:
    # Given an admin
    admin = admin_login()

    # When they create an event that started a moment (or a year) ago, so it would never be
    # listed
    start = datetime.now(UTC) - ago
    response = create_event(admin["token"], new_event(**two_hours_from(start)))

    # Then it is refused naming start_date, and nothing is written
    assert response["statusCode"] == 422, response
    assert [problem["loc"] for problem in body_of(response)["detail"]] == [["body", "start_date"]]
    assert body_of(response)["detail"][0]["msg"] == "Value error, must not be in the past"
    assert stored_events(dynamodb) == []


def test_a_patch_moving_the_start_into_the_past_is_a_422_and_changes_nothing() -> None:
    # Given an upcoming event
    admin = admin_login()
    event = created(admin["token"])

    # When an admin moves its start (alone, or with its end) to yesterday
    alone = update_event(admin["token"], event["id"], {"start_date": at(-1).isoformat()})
    both = update_event(admin["token"], event["id"], two_hours_from(at(-1)))

    # Then both are refused as a create would be, naming start_date, and nothing changed
    for response in (alone, both):
        assert response["statusCode"] == 422, response
        assert body_of(response) == {
            "success": False,
            "detail": [
                {
                    "loc": ["body", "start_date"],
                    "msg": "must not be in the past",
                    "type": "value_error",
                }
            ],
        }
    assert body_of(event_detail(event["id"]))["event"] == event
    assert Event.get(event["id"], consistent_read=True).updated_at is None


def test_a_started_event_stays_editable_with_its_start_sent_as_stored() -> None:
    # Given an event that started an hour ago (seeded as history)
    admin = admin_login()
    event = started_event()

    # When an admin changes its title alone, then sends the whole form (its stored start too)
    retitled = update_event(admin["token"], event["id"], {"title": "Board games (late)"})
    whole = update_event(
        admin["token"],
        event["id"],
        {"title": "Board games", "start_date": event["start_date"], "location": "Cafe"},
    )

    # Then both are applied: only a start moved into the past is refused
    assert retitled["statusCode"] == 200, retitled
    assert whole["statusCode"] == 200, whole
    assert body_of(whole)["event"]["start_date"] == event["start_date"]
    stored = Event.get(event["id"], consistent_read=True)
    assert (stored.title, stored.location) == ("Board games", "Cafe")
    # And moving its start to another moment already past is refused
    earlier = datetime.now(UTC) - timedelta(hours=3)
    moved = update_event(admin["token"], event["id"], {"start_date": earlier.isoformat()})
    assert moved["statusCode"] == 422, moved
    assert Event.get(event["id"], consistent_read=True).start_date == event["start_date"]


# --- Currency (issue 25, item 8) --------------------------------------------------------


@pytest.fixture
def default_currency(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    from community.settings import get_settings

    def use(code: str) -> None:
        monkeypatch.setenv("DEFAULT_CURRENCY", code)
        get_settings.cache_clear()

    yield use
    monkeypatch.delenv("DEFAULT_CURRENCY", raising=False)
    get_settings.cache_clear()


def test_an_event_is_in_the_deployment_currency_unless_it_names_its_own(
    default_currency: Callable[[str], None],
) -> None:
    # Given a deployment whose default currency is the Swiss franc
    default_currency("CHF")
    admin = admin_login()

    # When one event is created without a currency and one in US dollars
    plain = created(admin["token"])
    dollars = created(admin["token"], currency="USD", price="1234567.89")

    # Then each says its currency, in the answer, the detail, the listing and the table
    assert (plain["currency"], dollars["currency"]) == ("CHF", "USD")
    assert body_of(event_detail(dollars["id"]))["event"]["currency"] == "USD"
    shown = {event["id"]: event["currency"] for event in body_of(upcoming())["events"]}
    assert shown == {plain["id"]: "CHF", dollars["id"]: "USD"}
    assert Event.get(plain["id"], consistent_read=True).currency == "CHF"
    # And a PATCH changes it, other fields keep theirs
    after = patched(admin["token"], dollars["id"], {"currency": "GBP"})
    assert (after["currency"], after["price"]) == ("GBP", 1234567.89)


@pytest.mark.parametrize("currency", ["usd", "EURO", "EUE", "XXX", 978, None])
def test_an_unknown_currency_is_a_422_naming_it_and_nothing_is_written(
    currency: object, dynamodb: Any
) -> None:
    admin = admin_login()
    event = created(admin["token"], currency="EUR")
    before = stored_events(dynamodb)

    create = create_event(admin["token"], new_event(currency=currency))
    patch = update_event(admin["token"], event["id"], {"currency": currency})

    if currency is not None:  # null on create is the default; on PATCH it clears nothing
        assert create["statusCode"] == 422, create
        assert body_of(create)["detail"][0]["loc"] == ["body", "currency"]
        assert stored_events(dynamodb) == before
    assert patch["statusCode"] == 422, patch
    assert Event.get(event["id"], consistent_read=True).currency == "EUR"


def test_an_event_stored_before_currencies_reads_as_the_default(
    default_currency: Callable[[str], None],
) -> None:
    # Given an event stored without a currency, as every event before this change
    (event_id,) = add_events([event_record(at(2), price="5.00")])
    Event(event_id).update([Event.currency.remove()])
    assert Event.get(event_id, consistent_read=True).currency is None

    # When it is read under the deployment's default, then under another one
    first = body_of(event_detail(event_id))["event"]
    default_currency("USD")
    second = body_of(upcoming())["events"][0]

    # Then it is always answered with a currency: the default of the moment
    assert (first["currency"], second["currency"]) == ("EUR", "USD")
    # And an admin's edit of another field stores the default it was shown in
    admin = admin_login()
    assert patched(admin["token"], event_id, {"price": 6})["currency"] == "USD"
    assert Event.get(event_id, consistent_read=True).currency == "USD"
