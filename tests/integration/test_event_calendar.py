"""GET /api/v1/events/{event_id}/calendar.ics through its handler: the file (read back by the
second parser, tests/support/calendar_files.py), its headers and caching next to the event's
detail, the 404s; and the event's version, the file's SEQUENCE, bumped by exactly the admin
changes a calendar must follow (start, end, place, active), once each, in the same write."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.calendar_files import parse
from support.faults import counting_calls
from support.flows import (
    add_events,
    admin_login,
    body_of,
    create_event,
    delete_event,
    event_calendar,
    event_detail,
    full_event,
    join_waitlist,
    login,
    update_event,
)

from community import applinks
from community.data import events as events_table
from community.data.models import Event
from community.services import calendar
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

NOW = datetime.now(UTC).replace(microsecond=0)
START = (NOW + timedelta(days=10)).replace(hour=18, minute=30, second=0)


def ics_of(response: dict[str, Any]) -> bytes:
    assert response["statusCode"] == 200, response
    assert response.get("isBase64Encoded") is not True
    body: bytes = response["body"].encode()
    return body


def test_an_active_event_is_one_vevent_to_download_in_one_read() -> None:
    # Given an event with a title, place and description in Cyrillic and emoji
    record = event_record(
        START,
        title="Встреча 🎉 Spring meetup",
        description="Приходите!\nBring a friend; or two, or three.",
        location="Кафе «Ромашка», ул. Ленина 1",
    )
    add_events([record])

    with counting_calls() as calls:
        response = event_calendar(record["id"])

    # Then one GetItem gives a text/calendar attachment named after the title
    body = ics_of(response)
    assert calls == ["GetItem"]
    headers = response["headers"]
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["content-disposition"] == 'attachment; filename="spring-meetup.ics"'
    # And the second parser reads one event with the stored texts, dates, UID and link
    parsed = parse(body)
    (vevent,) = parsed.calendar.events
    assert (vevent.summary, vevent.description, vevent.location) == (
        record["title"],
        record["description"],
        record["location"],
    )
    assert (vevent.dtstart, vevent.dtend) == (START, START + timedelta(hours=2))
    assert vevent.uid == f"{record['id']}@events.community"
    assert (vevent.sequence, vevent.status.value) == (0, "CONFIRMED")
    assert str(vevent.url) == applinks.direct_link(applinks.Target(event_id=record["id"]))
    assert parsed.calendar.method is None
    assert body == calendar.event_file(events_table.get(record["id"]))  # type: ignore[arg-type]


def test_it_is_cached_like_the_events_detail_and_revalidates_with_its_etag() -> None:
    record = event_record(START)
    add_events([record])

    first, second = event_calendar(record["id"]), event_calendar(record["id"])
    detail = event_detail(record["id"])

    assert first["headers"]["cache-control"] == detail["headers"]["cache-control"]
    assert first["headers"]["cache-control"] == "public, max-age=30, s-maxage=60"
    etag = first["headers"]["etag"]
    assert etag == second["headers"]["etag"]
    assert ics_of(first) == ics_of(second)
    assert etag != detail["headers"]["etag"]
    # A client holding the file gets a 304 without a body or a file name
    cached = event_calendar(record["id"], headers={"if-none-match": f'W/{etag}, "other"'})
    assert cached["statusCode"] == 304, cached
    assert not cached.get("body")
    assert cached["headers"]["etag"] == etag
    assert cached["headers"]["cache-control"] == first["headers"]["cache-control"]
    assert "content-disposition" not in cached["headers"]
    # And another ETag gets the file
    assert event_calendar(record["id"], headers={"if-none-match": '"stale"'})["statusCode"] == 200


@pytest.mark.parametrize(
    ("kind", "expected_calls"),
    [("unknown", ["GetItem"]), ("inactive", ["GetItem"]), ("malformed", [])],
)
def test_unknown_inactive_or_malformed_ids_are_the_details_json_404(
    kind: str, expected_calls: list[str]
) -> None:
    inactive = event_record(START, active=False)
    add_events([inactive])
    event_id = {
        "unknown": str(uuid.uuid4()),
        "inactive": inactive["id"],
        "malformed": "not-an-event-id",
    }[kind]

    with counting_calls() as calls:
        response = event_calendar(event_id)

    assert response["statusCode"] == 404, response
    assert body_of(response) == {"success": False, "detail": "event not found"}
    assert response["headers"]["content-type"] == "application/json"
    assert "content-disposition" not in response["headers"]
    assert calls == expected_calls
    assert body_of(event_detail(event_id)) == body_of(response)


def test_an_untitled_in_ascii_event_downloads_as_its_id() -> None:
    record = event_record(START, title="Встреча")
    add_events([record])

    response = event_calendar(record["id"])

    assert response["headers"]["content-disposition"] == (
        f'attachment; filename="event-{record["id"]}.ics"'
    )


# --- the version (SEQUENCE) -----------------------------------------------------------------


def stored_version(event_id: str) -> int:
    return int(Event.get(event_id, consistent_read=True).version)


def sequence_shown(event_id: str) -> int:
    (vevent,) = parse(ics_of(event_calendar(event_id))).calendar.events
    assert vevent.sequence is not None
    return vevent.sequence


def new_event(token: str) -> str:
    response = create_event(
        token,
        {
            "title": "Summer meetup",
            "description": "Drinks",
            "start_date": START.isoformat(),
            "end_date": (START + timedelta(hours=3)).isoformat(),
            "location": "Terrace",
            "price": 0,
            "capacity": 40,
        },
    )
    assert response["statusCode"] == 201, response
    event_id: str = body_of(response)["event"]["id"]
    return event_id


def patch(token: str, event_id: str, body: dict[str, Any]) -> None:
    response = update_event(token, event_id, body)
    assert response["statusCode"] == 200, response


def test_each_move_relocation_and_cancellation_bumps_the_sequence_once() -> None:
    admin = admin_login()["token"]
    event_id = new_event(admin)
    assert (stored_version(event_id), sequence_shown(event_id)) == (0, 0)
    uid = parse(ics_of(event_calendar(event_id))).calendar.events[0].uid

    # Changes a calendar need not follow: none bumps it
    patch(admin, event_id, {"title": "Renamed", "description": "New words", "price": 5})
    patch(admin, event_id, {"capacity": 60, "category": "social"})
    # A form sending every field as stored is no change either
    patch(
        admin,
        event_id,
        {
            "start_date": START.isoformat(),
            "end_date": (START + timedelta(hours=3)).isoformat(),
            "location": "Terrace",
            "is_active": True,
        },
    )
    assert sequence_shown(event_id) == 0

    # Each change it must follow bumps it by one, with the UID unchanged
    patch(admin, event_id, {"start_date": (START + timedelta(hours=1)).isoformat()})
    assert sequence_shown(event_id) == 1
    patch(admin, event_id, {"end_date": (START + timedelta(hours=5)).isoformat()})
    assert sequence_shown(event_id) == 2
    patch(admin, event_id, {"location": "Garden"})
    assert sequence_shown(event_id) == 3
    # A move of both dates and the place in one PATCH is one write, one bump
    moved = START + timedelta(days=1)
    patch(
        admin,
        event_id,
        {
            "start_date": moved.isoformat(),
            "end_date": (moved + timedelta(hours=2)).isoformat(),
            "location": "Hall",
        },
    )
    assert sequence_shown(event_id) == 4
    assert parse(ics_of(event_calendar(event_id))).calendar.events[0].uid == uid

    # Cancelling (DELETE, twice) bumps it once; the stored event reads CANCELLED with it
    assert [delete_event(admin, event_id)["statusCode"] for _ in range(2)] == [204, 204]
    assert stored_version(event_id) == 5
    stored = events_table.get(event_id, consistent=True)
    assert stored is not None
    (vevent,) = parse(calendar.event_file(stored)).calendar.events
    assert (vevent.sequence, vevent.status.value, vevent.uid) == (5, "CANCELLED", uid)


def test_deactivating_and_reactivating_by_patch_bump_it_each_time() -> None:
    admin = admin_login()["token"]
    event_id = new_event(admin)

    patch(admin, event_id, {"is_active": False})
    assert stored_version(event_id) == 1
    patch(admin, event_id, {"is_active": False})  # already inactive: no change
    assert stored_version(event_id) == 1
    patch(admin, event_id, {"is_active": True})

    assert (stored_version(event_id), sequence_shown(event_id)) == (2, 2)


def test_a_capacity_raise_that_promotes_the_waitlist_does_not_bump_it() -> None:
    # Given a full event with one member waiting
    admin = admin_login()["token"]
    event_id = full_event(1)
    waiting = login(800_001, "Wanda")["token"]
    assert join_waitlist(waiting, event_id)["statusCode"] in (200, 201)

    # When the admin raises the capacity (the waiting member gets the seat in the same write)
    patch(admin, event_id, {"capacity": 2})

    stored = events_table.get(event_id, consistent=True)
    assert stored is not None
    assert (stored.attendee_count, stored.waitlist_count) == (2, 0)
    assert stored.version == 0


def test_an_event_stored_before_versions_reads_as_0_and_its_first_move_makes_1(
    dynamodb: Any,
) -> None:
    # Given an event written without the attribute (as every event before it was)
    admin = admin_login()["token"]
    record = event_record(START)
    add_events([record])
    Event(record["id"]).update(actions=[Event.version.remove()])
    key = {"TableName": Event.Meta.table_name, "Key": {"id": {"S": record["id"]}}}
    assert "version" not in dynamodb.get_item(**key, ConsistentRead=True)["Item"]

    assert sequence_shown(record["id"]) == 0
    patch(admin, record["id"], {"location": "Moved"})
    assert sequence_shown(record["id"]) == 1


def test_deactivating_an_inactive_event_in_the_data_layer_changes_nothing() -> None:
    # Given an event already over (no notice goes out, so no transaction guards it), which a
    # second deactivation reaches after the first (two admins, or a retried request)
    record = event_record(NOW - timedelta(days=2))
    add_events([record])
    first = NOW - timedelta(minutes=1)

    events_table.deactivate(record["id"], first)
    events_table.deactivate(record["id"], NOW)

    stored = events_table.get(record["id"], consistent=True)
    assert stored is not None
    assert (stored.is_active, stored.version, stored.updated_at) == (False, 1, first)
