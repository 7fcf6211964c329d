"""GET /api/v1/events/upcoming and GET /api/v1/events/{event_id}, through their handlers, on
the template's events table."""

import base64
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from support.environment import JWT_SECRET
from support.faults import counting_calls, dynamodb_clients, failing
from support.flows import add_events, body_of, event_detail, follow_pages, login, rsvp, upcoming

from community.data import events as events_table
from community.errors import InvalidRequest
from community.services import events
from community.settings import get_settings
from community.signed import cursors
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

EVENT_FIELDS = {
    "id",
    "title",
    "description",
    "start_date",
    "end_date",
    "location",
    "price",
    "currency",
    "capacity",
    "image_url",
    "category",
    "is_active",
    "attendee_count",
    "waitlist_count",
    "created_at",
    "spots_left",
}
NOW = datetime.now(UTC).replace(microsecond=0)


def page(query: str) -> dict[str, Any]:
    response = upcoming(query)
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def a_valid_cursor() -> str:
    add_events([event_record(NOW + timedelta(days=day)) for day in (1, 2)])
    cursor: str = page("limit=1")["next_cursor"]
    return cursor


def test_paging_137_upcoming_events_returns_each_once_in_start_order_two_calls_a_page() -> None:
    # Given 137 upcoming active events (some starting at the same second), past ones and
    # upcoming inactive ones
    upcoming_records = [
        event_record(NOW + timedelta(hours=1 + index // 3, minutes=index % 2))
        for index in range(137)
    ]
    past = [event_record(NOW - timedelta(days=1, hours=index)) for index in range(20)]
    inactive = [event_record(NOW + timedelta(hours=index), active=False) for index in range(15)]
    add_events(upcoming_records + past + inactive)

    # When a client follows next_cursor with limit=10 until has_more is false (failing, not
    # hanging, if it never becomes false: 137 events fill at most 14 pages)
    calls_per_page: list[list[str]] = []

    def counted_page(query: str) -> dict[str, Any]:
        with counting_calls() as calls:
            body = page(query)
        calls_per_page.append(calls)
        return body

    pages = follow_pages(counted_page, "limit=10", max_pages=15)
    seen = [event for body in pages for event in body["events"]]

    # Then every page but the last was full and said so, with a cursor
    assert all(body["has_more"] is (body["next_cursor"] is not None) for body in pages)
    assert [len(body["events"]) for body in pages[:-1]] == [10] * (len(pages) - 1)
    # And every upcoming active event came exactly once, in start order: a page is one Query
    # of the keys-only index and one BatchGetItem of its events
    ids = [event["id"] for event in seen]
    assert len(ids) == len(set(ids)) == 137
    assert set(ids) == {record["id"] for record in upcoming_records}
    starts = [event["start_date"] for event in seen]
    assert starts == sorted(starts)
    assert all(event["is_active"] for event in seen)
    assert len(calls_per_page) == 14
    assert calls_per_page == [["Query", "BatchGetItem"]] * 14


def test_an_event_starting_exactly_now_is_listed_and_one_a_second_earlier_is_not() -> None:
    at_now, just_before = event_record(NOW), event_record(NOW - timedelta(seconds=1))
    add_events([at_now, just_before])

    # Listed at NOW and most of a second (dates are kept to the second)
    listing = events.upcoming_page(10, now=NOW + timedelta(microseconds=999_999))

    assert [event.id for event in listing.events] == [at_now["id"]]


@contextmanager
def start_keys_checked_like_dynamodb() -> Iterator[None]:
    """DynamoDB refuses a Query whose ExclusiveStartKey lies outside its key condition; moto
    does not, so this refuses it the same way."""

    def check(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        request = json.loads(params["body"])
        start = request.get("ExclusiveStartKey", {}).get("start_date", {}).get("S")
        bounds = [v["S"] for v in request["ExpressionAttributeValues"].values() if "S" in v]
        if start is not None and any(start < bound for bound in bounds if bound[:1].isdigit()):
            message = "The provided starting key is outside query boundaries"
            response = AWSResponse("https://dynamodb.local", 400, {}, None)
            return response, {"Error": {"Code": "ValidationException", "Message": message}}
        return None

    clients = {id(client): client for client in dynamodb_clients()}.values()
    for client in clients:
        client.meta.events.register("before-call.dynamodb.Query", check)
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb.Query", check)


def test_a_cursor_whose_event_has_since_started_resumes_at_now() -> None:
    # Given a cursor after the first of three events, and then the second one starts
    records = [event_record(NOW + timedelta(hours=hours)) for hours in (1, 2, 3)]
    add_events(records)
    cursor = events.upcoming_page(1, now=NOW).next_cursor

    # When the client asks for the next page, of a DynamoDB that checks start keys
    with start_keys_checked_like_dynamodb():
        later = events.upcoming_page(1, cursor=cursor, now=NOW + timedelta(hours=2))

    # Then it gets the first event still to start, not an error
    assert [event.id for event in later.events] == [records[1]["id"]]
    assert later.has_more is True


def forged_cursors() -> dict[str, Any]:
    real_key = cursors.cursor_key(JWT_SECRET)
    other_key = cursors.cursor_key("some-other-secret")
    position = cursors.Position("2026-12-01T10:00:00Z", str(uuid.uuid4()))

    def flip_last_byte(cursor: str) -> str:
        raw = bytearray(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        raw[-2] ^= 1
        return base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()

    unsigned = base64.urlsafe_b64encode(
        json.dumps({"s": position.start_date, "i": position.event_id}).encode()
    ).decode()
    return {
        "signed-with-another-key": lambda: cursors.encode(position, other_key),
        "payload-edited": lambda: flip_last_byte(cursors.encode(position, real_key)),
        "tag-only": lambda: cursors.encode(position, real_key)[:22],
        "unsigned-json": lambda: unsigned,
        "garbage": lambda: "abc",
        "not-base64": lambda: "!!!!%%%%",
        "empty": lambda: "",
        "non-ascii": lambda: "é" * 40,
        "very-long": lambda: "A" * 5000,
        "real-cursor-with-offset": lambda: a_valid_cursor() + "&offset=0",
    }


@pytest.mark.parametrize("kind", sorted(forged_cursors()))
def test_forged_or_malformed_cursors_are_400_without_a_read(kind: str) -> None:
    cursor = forged_cursors()[kind]()

    with counting_calls() as calls:
        response = upcoming(f"limit=10&cursor={cursor}")

    assert response["statusCode"] == 400, response
    assert body_of(response)["success"] is False
    assert calls == []


@pytest.mark.parametrize(
    "query", ["limit=0", "limit=51", "limit=-1", "limit=abc", "offset=501", "offset=-1"]
)
def test_out_of_range_limits_and_offsets_are_4xx_without_a_read(query: str) -> None:
    with counting_calls() as calls:
        response = upcoming(query)

    assert 400 <= response["statusCode"] < 500, response
    assert calls == []


def test_offset_pages_agree_with_cursor_pages_in_one_query_and_one_batch() -> None:
    add_events([event_record(NOW + timedelta(hours=hours)) for hours in range(1, 36)])
    first = page("limit=10")
    second = page(f"limit=10&cursor={first['next_cursor']}")

    with counting_calls() as calls:
        by_offset = page("limit=10&offset=10")

    assert by_offset["events"] == second["events"]
    assert by_offset["has_more"] is True
    # The skipped events are read as index keys only; only the page's events are fetched
    assert calls == ["Query", "BatchGetItem"]
    # The offset page's cursor continues where it ended
    third = page(f"limit=10&cursor={by_offset['next_cursor']}")
    assert [event["start_date"] for event in third["events"]] > [
        event["start_date"] for event in second["events"]
    ]
    assert page("limit=10&offset=30")["has_more"] is False


def test_the_list_is_publicly_cacheable_and_revalidates_with_304() -> None:
    add_events([event_record(NOW + timedelta(days=1))])
    first = upcoming("limit=5")
    assert first["headers"]["cache-control"] == "public, max-age=30, s-maxage=60"

    again = upcoming("limit=5", headers={"if-none-match": first["headers"]["etag"]})

    assert again["statusCode"] == 304
    assert again["headers"]["etag"] == first["headers"]["etag"]


def test_an_empty_listing_is_an_empty_page() -> None:
    assert page("") == {"events": [], "next_cursor": None, "has_more": False}


def test_an_event_deactivated_between_the_index_read_and_the_batch_read_is_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given two upcoming events, the first deactivated just after the index listed it (the
    # keys-only index gives positions; the events themselves come from the table)
    first, second = (event_record(NOW + timedelta(hours=hours)) for hours in (1, 2))
    add_events([first, second])
    index_read = events_table.upcoming

    def then_deactivated(*args: Any, **kwargs: Any) -> list[tuple[str, str]]:
        found = index_read(*args, **kwargs)
        events.deactivate(first["id"])
        return found

    monkeypatch.setattr(events_table, "upcoming", then_deactivated)

    # When the listing is read
    body = page("limit=1")

    # Then the page leaves it out rather than show an inactive event, and still goes on
    assert body["events"] == []
    assert body["has_more"] is True
    monkeypatch.undo()
    assert [event["id"] for event in page(f"limit=1&cursor={body['next_cursor']}")["events"]] == [
        second["id"]
    ]


def test_a_throttled_listing_is_503() -> None:
    with failing("Query", "ThrottlingException"):
        response = upcoming("")

    assert response["statusCode"] == 503
    assert response["headers"]["retry-after"] == "1"


def test_an_active_event_is_shown_with_its_sixteen_fields_in_one_read() -> None:
    # Given an event with every field set, dates given with an offset
    record = event_record(
        datetime(2030, 5, 1, 21, 30, tzinfo=UTC),
        start_date="2030-05-02T00:30:00+03:00",
        end_date="2030-05-02T02:00:00+03:00",
        price="19.99",
        capacity=40,
        image_url="https://example.com/poster.png",
    )
    add_events([record])

    with counting_calls() as calls:
        response = event_detail(record["id"])

    assert response["statusCode"] == 200, response
    body = body_of(response)
    assert body["success"] is True
    assert set(body["event"]) == EVENT_FIELDS
    assert body["event"]["start_date"] == "2030-05-01T21:30:00Z"
    assert body["event"]["end_date"] == "2030-05-01T23:00:00Z"
    assert body["event"]["price"] == 19.99
    assert '"price":19.99' in response["body"]
    assert body["event"]["currency"] == "EUR"
    assert body["event"]["capacity"] == 40
    assert (body["event"]["attendee_count"], body["event"]["spots_left"]) == (0, 40)
    assert calls == ["GetItem"]
    assert response["headers"]["cache-control"] == "public, max-age=30, s-maxage=60"
    cached = event_detail(record["id"], headers={"if-none-match": response["headers"]["etag"]})
    assert cached["statusCode"] == 304


def test_the_listing_shows_the_same_event_as_the_detail() -> None:
    record = event_record(NOW + timedelta(days=3), price="0", capacity=None)
    add_events([record])

    listed = page("")["events"]
    shown = body_of(event_detail(record["id"]))["event"]

    assert listed == [shown]
    assert shown["price"] == 0
    assert shown["capacity"] is None


@pytest.mark.parametrize(
    ("kind", "expected_calls"),
    [("unknown", ["GetItem"]), ("inactive", ["GetItem"]), ("malformed", [])],
)
def test_unknown_inactive_or_malformed_ids_are_404(kind: str, expected_calls: list[str]) -> None:
    inactive = event_record(NOW + timedelta(days=1), active=False)
    add_events([inactive])
    event_id = {
        "unknown": str(uuid.uuid4()),
        "inactive": inactive["id"],
        "malformed": "not-an-event-id",
    }[kind]

    with counting_calls() as calls:
        response = event_detail(event_id)

    assert response["statusCode"] == 404, response
    assert body_of(response) == {"success": False, "detail": "event not found"}
    assert response["headers"]["content-type"] == "application/json"
    assert calls == expected_calls


def test_seeding_validates_every_record_and_loads_nothing_if_one_is_bad(dynamodb: Any) -> None:
    # Given a file whose third record has a bad image_url and whose fourth repeats an id
    records = [event_record(NOW + timedelta(days=day)) for day in range(1, 4)]
    records[2]["image_url"] = "file:///etc/passwd"
    records.append({**records[0]})

    # When it is seeded
    with pytest.raises(InvalidRequest) as refused:
        add_events(records)

    # Then each problem is named by record and field, and the table is still empty
    assert refused.value.detail.splitlines() == [
        "record 2: image_url: Value error, must be an https URL",
        "record 3: id: same id as record 0",
    ]
    assert dynamodb.scan(TableName=get_settings().events_table)["Items"] == []


def test_seeding_a_past_event_needs_history_asked_for_explicitly(
    dynamodb: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # Given a seed file of one upcoming event and one that started yesterday
    from devkit.ops import seed

    records = [event_record(NOW + timedelta(days=1)), event_record(NOW - timedelta(days=1))]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(records))
    # The tables are the test's: no local server to find, no local defaults to set.
    monkeypatch.setattr(seed, "use_local_defaults", lambda: None)
    monkeypatch.setattr(seed, "local_endpoint", lambda port: "in-process")
    monkeypatch.setattr(seed, "use_tables", lambda endpoint, region: {"EventsTable": "events"})

    def run(*flags: str) -> int:
        monkeypatch.setattr(sys, "argv", ["seed", str(path), *flags])
        return seed.main()

    # When it is seeded as the API takes events, then with --allow-past
    refused = run()
    refusal = capsys.readouterr().err
    nothing = dynamodb.scan(TableName=get_settings().events_table)["Items"]
    loaded = run("--allow-past")

    # Then the first run names the record and field, says how to load history, and writes
    # nothing; the second loads both
    assert refused == 1
    assert "record 1: start_date: Value error, must not be in the past" in refusal
    assert "ALLOW_PAST=1" in refusal
    assert nothing == []
    assert loaded == 0
    items = dynamodb.scan(TableName=get_settings().events_table)["Items"]
    assert sorted(item["id"]["S"] for item in items) == sorted(r["id"] for r in records)


def test_seeding_keeps_inactive_events_out_of_the_index(dynamodb: Any) -> None:
    active, inactive = event_record(NOW, active=True), event_record(NOW, active=False)

    add_events([active, inactive])

    items = dynamodb.scan(TableName=get_settings().events_table)["Items"]
    listed = {item["id"]["S"]: "listing" in item for item in items}
    assert listed == {active["id"]: True, inactive["id"]: False}


def test_seeding_an_existing_id_is_refused_and_keeps_its_rsvp_count(dynamodb: Any) -> None:
    # Given an event with an RSVP
    record = event_record(NOW + timedelta(days=2), capacity=5)
    (event_id,) = add_events([record])
    assert rsvp(login()["token"], event_id)["statusCode"] == 201

    # When a file with that id and a new one is seeded
    with pytest.raises(InvalidRequest) as refused:
        add_events([event_record(NOW + timedelta(days=3)), {**record, "title": "Again"}])

    # Then the record is named, nothing is written, and the count still matches the RSVP
    assert refused.value.detail == (
        "record 1: id: an event with this id exists (change it with PATCH)"
    )
    assert len(dynamodb.scan(TableName=get_settings().events_table)["Items"]) == 1
    assert body_of(event_detail(event_id))["event"]["attendee_count"] == 1
