"""A member's calendar feed through its handlers: GET /api/users/me/calendar (the address,
created on first use), POST /api/users/me/calendar/reset (a new one) and GET
/api/calendar/<token>.ics (the feed, the token its only credential). Each feed is read by two
independent parsers (icalendar, which wrote it, and ical)."""

import base64
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from ical.calendar_stream import IcsCalendarStream
from icalendar import Calendar
from support.calendar_feeds import (
    CALENDAR_GUARDS,
    calendar_links,
    feed_file,
    feed_url,
    poll,
    reset_links,
)
from support.faults import counting_calls, hooked
from support.flows import (
    add_events,
    admin_login,
    body_of,
    cancel_rsvp,
    delete_event,
    join_waitlist,
    leave_waitlist,
    login,
    rsvp,
    update_event,
)

from community.data.models import Attendance, CalendarGuard, User
from community.services import calendar_feed
from community.settings import get_settings
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record

NOW = datetime.now(UTC).replace(microsecond=0)
NOT_FOUND = {"success": False, "detail": "calendar not found"}
# What a poll may call, and no more: the token's GetItem, the member's Query, the events'
# BatchGetItem.
POLL_CALLS = ["GetItem", "Query", "BatchGetItem"]


def events_of(ics: str) -> dict[str, tuple[str, int]]:
    """(STATUS, SEQUENCE) by UID, as both parsers read them; they must agree."""
    first = {
        str(component["UID"]): (str(component["STATUS"]), int(component["SEQUENCE"]))
        for component in Calendar.from_ical(ics).walk("VEVENT")
    }
    second = {
        event.uid: (str(event.status.value if event.status else ""), int(event.sequence or 0))
        for event in IcsCalendarStream.calendar_from_ics(ics).events
    }
    assert first == second
    return first


def uid(event_id: str) -> str:
    return f"{event_id}@events.community"


pytestmark = pytest.mark.usefixtures("dynamodb")


def test_the_feed_shows_going_waiting_moved_cancelled_and_left_events(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given Alice: going to an event (and to one that has since been moved and to one since
    # cancelled), waiting for a full one, and gone from one she cancelled; an event she went to
    # 40 days ago (past the look-back); Bob, whose event is not hers
    alice, bob, admin = login(42, "Alice"), login(43, "Bob"), admin_login()
    going, moved, cancelled, full, left, old, bobs = (
        event_record(NOW + timedelta(days=2), title="Going: Book club"),
        event_record(NOW + timedelta(days=3), title="Moved: Board games", location="Hall A"),
        event_record(NOW + timedelta(days=4), title="Cancelled: Picnic"),
        event_record(NOW + timedelta(days=5), title="Waitlisted: Workshop", capacity=1),
        event_record(NOW + timedelta(days=6), title="Left: Talk"),
        event_record(NOW - timedelta(days=40), title="Long ago"),
        event_record(NOW + timedelta(days=2), title="Bob's"),
    )
    ids = add_events([going, moved, cancelled, full, left, old, bobs])
    going_id, moved_id, cancelled_id, full_id, left_id, _, bobs_id = ids
    for event_id in (going_id, moved_id, cancelled_id, left_id):
        assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert rsvp(bob["token"], full_id)["statusCode"] == 201
    assert join_waitlist(alice["token"], full_id)["statusCode"] == 201
    assert rsvp(bob["token"], bobs_id)["statusCode"] == 201
    assert cancel_rsvp(alice["token"], left_id)["statusCode"] == 204
    new_start = NOW + timedelta(days=8)
    patch = {
        "start_date": new_start.isoformat(),
        "end_date": (new_start + timedelta(hours=2)).isoformat(),
    }
    assert update_event(admin["token"], moved_id, patch)["statusCode"] == 200
    assert delete_event(admin["token"], cancelled_id)["statusCode"] == 204
    url = feed_url(alice)

    # When her calendar app polls the feed
    response = poll(feed_file(url))

    # Then it is a private text/calendar file, no METHOD, one VEVENT per event of hers in
    # the window, each with the status her calendar should show; the moved one and the
    # cancelled one carry a higher SEQUENCE
    assert response["statusCode"] == 200, response
    headers = response["headers"]
    assert headers["content-type"] == "text/calendar; charset=utf-8"
    assert headers["cache-control"] == "private, max-age=300"
    ics = response["body"]
    assert "METHOD" not in ics
    assert events_of(ics) == {
        uid(going_id): ("CONFIRMED", 0),
        uid(moved_id): ("CONFIRMED", 1),
        uid(cancelled_id): ("CANCELLED", 1),
        uid(full_id): ("TENTATIVE", 0),
        uid(left_id): ("CANCELLED", 0),
    }
    # And the left event is stamped when she left: later than the copy her calendar holds
    # (same SEQUENCE: RFC 5546 lets the later DTSTAMP win)
    stamps = {str(c["UID"]): c.decoded("DTSTAMP") for c in Calendar.from_ical(ics).walk("VEVENT")}
    stored = Attendance.get(left_id, alice["user"]["id"], consistent_read=True)
    assert stamps[uid(left_id)] == stored.left_at.replace(microsecond=0)
    assert stamps[uid(left_id)] >= stored.created_at.replace(microsecond=0)
    # In start order: the moved event is now last
    order = [str(c["UID"]) for c in Calendar.from_ical(ics).walk("VEVENT")]
    assert order == [uid(i) for i in (going_id, cancelled_id, full_id, left_id, moved_id)]
    # And it revalidates: the same feed again is a 304 on its ETag
    again = poll(feed_file(url), {"if-none-match": headers["etag"]})
    assert again["statusCode"] == 304
    with capsys.disabled():
        print(f"\n--- the feed of a member ({len(ics.encode())} bytes) ---\n{ics}")


def test_a_left_event_drops_out_after_thirty_days(dynamodb: Any) -> None:
    # Given Alice, who cancelled her RSVP to an event in 40 days
    alice = login(42, "Alice")
    (event_id,) = add_events([event_record(NOW + timedelta(days=40))])
    assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204
    file = feed_file(feed_url(alice))

    # When the feed is read 29 days later, then 31 days later
    soon = calendar_feed.feed(file, now=datetime.now(UTC) + timedelta(days=29))
    later = calendar_feed.feed(file, now=datetime.now(UTC) + timedelta(days=31))

    # Then the first still tells her calendar it is cancelled, the second no longer lists it
    assert events_of(soon.decode()) == {uid(event_id): ("CANCELLED", 0)}
    assert events_of(later.decode()) == {}


def test_leaving_a_waitlist_shows_the_event_cancelled_and_joining_again_tentative() -> None:
    alice, bob = login(42, "Alice"), login(43, "Bob")
    (event_id,) = add_events([event_record(NOW + timedelta(days=3), capacity=1)])
    assert rsvp(bob["token"], event_id)["statusCode"] == 201
    assert join_waitlist(alice["token"], event_id)["statusCode"] == 201
    file = feed_file(feed_url(alice))
    assert events_of(poll(file)["body"]) == {uid(event_id): ("TENTATIVE", 0)}

    assert leave_waitlist(alice["token"], event_id)["statusCode"] == 204
    assert events_of(poll(file)["body"]) == {uid(event_id): ("CANCELLED", 0)}

    assert join_waitlist(alice["token"], event_id)["statusCode"] == 201
    assert events_of(poll(file)["body"]) == {uid(event_id): ("TENTATIVE", 0)}


def test_the_address_is_stable_a_reset_replaces_it_and_the_old_one_is_404_at_once() -> None:
    # Given Alice and her feed's address
    alice = login(42, "Alice")
    first = calendar_links(alice["token"])
    url = body_of(first)["url"]

    # Then it is under the public base, with its webcal:// twin, not to be stored
    assert first["statusCode"] == 200
    assert first["headers"]["cache-control"] == "no-store"
    base = str(get_settings().public_base_url).rstrip("/")
    assert url.startswith(f"{base}/api/calendar/")
    assert url.endswith(".ics")
    webcal = body_of(first)["webcal_url"]
    assert webcal == "webcal://" + url.split("://", 1)[1]
    assert urlsplit(webcal).path == urlsplit(url).path
    # And asking again gives the same address (nothing written)
    assert body_of(calendar_links(alice["token"]))["url"] == url
    assert poll(feed_file(url))["statusCode"] == 200

    # When she resets it
    reset = reset_links(alice["token"])

    # Then she gets a new address, which works; the old one is a 404 from now on, and the
    # address shown afterwards is the new one
    assert reset["statusCode"] == 200, reset
    assert reset["headers"]["cache-control"] == "no-store"
    new_url = body_of(reset)["url"]
    assert new_url != url
    old = poll(feed_file(url))
    assert old["statusCode"] == 404
    assert body_of(old) == NOT_FOUND
    assert old["headers"]["cache-control"] == "no-store"
    assert poll(feed_file(new_url))["statusCode"] == 200
    assert body_of(calendar_links(alice["token"]))["url"] == new_url
    # And the table holds one guard, for the new token, and no token anywhere
    guards = list(CalendarGuard.scan(CALENDAR_GUARDS))
    assert len(guards) == 1
    stored = json.dumps([item.attribute_values for item in User.scan()], default=str)
    stored += json.dumps([item.attribute_values for item in guards], default=str)
    for token in (feed_file(url), feed_file(new_url)):
        assert token.removesuffix(".ics") not in stored


def test_tokens_are_256_bits_distinct_and_url_safe() -> None:
    tokens = []
    for telegram_id in (42, 43, 44):
        session = login(telegram_id, f"Member {telegram_id}")
        tokens.append(feed_file(feed_url(session)).removesuffix(".ics"))
        tokens.append(feed_file(body_of(reset_links(session["token"]))["url"]).removesuffix(".ics"))
    for token in tokens:
        raw = base64.urlsafe_b64decode(token + "=")
        # At least 128 bits; 256 here (HMAC-SHA256 of a 256-bit nonce).
        assert len(raw) * 8 >= 128
        assert len(raw) == 32
        assert token.isascii()
        assert "/" not in token
        assert "+" not in token
    assert len(set(tokens)) == len(tokens)


def test_the_address_needs_a_bearer_token() -> None:
    event = load_event("users_me_calendar", TOKEN="x")
    del event["headers"]["authorization"]
    response = invoke("UsersMeCalendarFunction", event)
    assert response["statusCode"] == 401
    assert "WWW-Authenticate" in response["headers"] or "www-authenticate" in response["headers"]


@pytest.mark.parametrize(
    "file",
    [
        "unknown",  # replaced by a well-formed token no member has (below)
        "not-a-token.ics",
        "x" * 43 + ".ics",
        "%00.ics",
        "a b;c,d=e.ics",
        "ä" * 300,
        "x",
    ],
)
def test_malformed_and_unknown_tokens_are_the_same_404_with_the_same_calls(file: str) -> None:
    # Given a member with a feed (so the tables are not empty)
    feed_url(login(42, "Alice"))
    if file == "unknown":
        file = base64.urlsafe_b64encode(b"\x01" * 32).rstrip(b"=").decode() + ".ics"

    # When a calendar app asks for it
    with counting_calls() as calls:
        response = poll(file)

    # Then it is the JSON 404, after exactly the one GetItem of the token's hash
    assert response["statusCode"] == 404, response
    assert body_of(response) == NOT_FOUND
    assert calls == ["GetItem"]


def test_a_poll_costs_one_getitem_one_query_and_one_batchgetitem(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a member going to ten events and waiting for none
    alice = login(42, "Alice")
    ids = add_events(
        [
            event_record(NOW + timedelta(days=d), description="A talk. " * 40, location="Hall")
            for d in range(1, 11)
        ]
    )
    for event_id in ids:
        assert rsvp(alice["token"], event_id)["statusCode"] == 201
    file = feed_file(feed_url(alice))
    received: dict[str, int] = {}

    def measure(model: Any, http_response: Any, **_: Any) -> None:
        received[model.name] = received.get(model.name, 0) + len(http_response.content)

    # When her calendar polls
    with counting_calls() as calls, hooked("after-call.dynamodb", measure):
        response = poll(file)

    # Then it took the token's GetItem, one Query and one BatchGetItem, nothing else
    assert response["statusCode"] == 200
    assert calls == POLL_CALLS
    assert len(events_of(response["body"])) == 10
    with capsys.disabled():
        print(
            f"\n--- a poll of a feed of 10 events: calls {calls}, DynamoDB response bytes "
            f"{received}, feed {len(response['body'].encode())} bytes ---"
        )


def test_no_log_line_holds_the_token(log_output: io.StringIO) -> None:
    # Given a member's feed, polled, polled with a wrong token, and reset
    alice = login(42, "Alice")
    url = feed_url(alice)
    assert poll(feed_file(url))["statusCode"] == 200
    assert poll(feed_file(url).replace("A", "B", 1) + "x")["statusCode"] == 404
    new_url = body_of(reset_links(alice["token"]))["url"]
    assert poll(feed_file(url))["statusCode"] == 404  # the reset one: logged at INFO

    # Then no log line holds either token, nor either URL
    logged = log_output.getvalue()
    assert '"calendar-feed"' in logged or "calendar-feed" in logged
    for secret in (feed_file(url), feed_file(new_url)):
        assert secret.removesuffix(".ics") not in logged
