"""RSVPs through their handlers: POST, GET and DELETE /api/v1/events/{id}/rsvp and
GET /api/users/me/events, on the template's tables. Each test checks what the API answers
and what DynamoDB holds afterwards: one attendance item per RSVP, and an attendee_count that
moves with them and never passes the capacity or goes below zero."""

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.faults import counting_calls, hooked
from support.flows import (
    add_events,
    admin_login,
    body_of,
    cancel_rsvp,
    delete_event,
    event_detail,
    follow_pages,
    login,
    my_events,
    rsvp,
    rsvp_state,
    upcoming,
)

from community.data.models import Attendance, Event
from community.entities import LEFT
from community.schemas.events import EventPatch
from community.services import attendance, events
from community.services.auth import authenticate
from community.values import event_date
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

NOW = datetime.now(UTC).replace(microsecond=0)
NOT_FOUND = {"success": False, "detail": "event not found"}
SHOWN = {"prefer": "return=representation"}


def an_event(days: float = 3, **fields: Any) -> str:
    """An active event starting `days` from now; its id."""
    return add_events([event_record(NOW + timedelta(days=days), **fields)])[0]


def attendee_count(event_id: str) -> int:
    return int(Event.get(event_id, consistent_read=True).attendee_count)


def attendees(event_id: str) -> list[str]:
    """The members holding a spot or a place: a cancel leaves a row with status "left"."""
    items = Attendance.query(event_id, consistent_read=True)
    return [item.user_id for item in items if item.status != LEFT]


def left(event_id: str) -> list[str]:
    items = Attendance.query(event_id, consistent_read=True)
    return [item.user_id for item in items if item.status == LEFT and item.left_at is not None]


def rsvp_back_then(token: str, event_id: str) -> None:
    """An RSVP taken a week ago, when an event that has started since was still upcoming."""
    _, created = attendance.rsvp(authenticate(token), event_id, now=NOW - timedelta(days=7))
    assert created


def my_page(token: str, query: str) -> dict[str, Any]:
    response = my_events(token, query)
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


# --- POST /api/v1/events/{id}/rsvp -----------------------------------------------------


def test_an_rsvp_is_201_then_200_with_the_same_attendance_and_counted_once() -> None:
    # Given a member and an upcoming event
    session = login(42, "Alice")
    event_id = an_event(capacity=10)

    # When the member RSVPs twice
    first = rsvp(session["token"], event_id)
    again = rsvp(session["token"], event_id)

    # Then the first creates the attendance, the second returns it unchanged
    assert first["statusCode"] == 201, first
    created = body_of(first)
    assert created["success"] is True
    assert created["attendance"]["event_id"] == event_id
    assert created["attendance"]["user_id"] == session["user"]["id"]
    assert again["statusCode"] == 200, again
    assert body_of(again) == created
    # And DynamoDB holds one attendance item and a count of one
    assert attendees(event_id) == [session["user"]["id"]]
    assert attendee_count(event_id) == 1


def test_a_full_event_refuses_a_third_member_but_not_one_already_in() -> None:
    # Given an event with two spots, both taken
    alice, bob, carol = login(1, "Alice"), login(2, "Bob"), login(3, "Carol")
    event_id = an_event(capacity=2)
    taken = {who["user"]["id"]: rsvp(who["token"], event_id) for who in (alice, bob)}
    assert [response["statusCode"] for response in taken.values()] == [201, 201]

    # When a third member RSVPs, and one of the first two RSVPs again
    refused = rsvp(carol["token"], event_id)
    repeated = rsvp(alice["token"], event_id)

    # Then the third is refused as full, the repeat gets the existing attendance back, beside
    # the event as it is now: full (where her first answer counted only her)
    assert refused["statusCode"] == 409, refused
    assert body_of(refused) == {"success": False, "detail": "event full", "waitlist_count": 0}
    assert repeated["statusCode"] == 200, repeated
    first = body_of(taken[alice["user"]["id"]])
    assert body_of(repeated)["attendance"] == first["attendance"]
    assert (first["event"]["attendee_count"], first["event"]["spots_left"]) == (1, 1)
    assert body_of(repeated)["event"] == {**first["event"], "attendee_count": 2, "spots_left": 0}
    # And the count stayed at the capacity, with the two items behind it
    assert attendee_count(event_id) == 2
    assert sorted(attendees(event_id)) == sorted(taken)


def test_the_rsvp_answer_carries_the_event_as_the_rsvp_left_it_with_one_more_read() -> None:
    # Given an event with 5 spots, one taken by Bob
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    assert body_of(rsvp(bob["token"], event_id))["event"]["attendee_count"] == 1

    # When Alice RSVPs, then RSVPs again
    with counting_calls() as calls:
        taken = rsvp(alice["token"], event_id)
    with counting_calls() as repeat_calls:
        again = rsvp(alice["token"], event_id)

    # Then her answer shows the event counting both spots, as the event's detail shows it
    assert taken["statusCode"] == 201, taken
    shown = body_of(taken)["event"]
    assert (shown["attendee_count"], shown["spots_left"]) == (2, 3)
    assert shown == body_of(event_detail(event_id))["event"]
    # And that took one GetItem after the transaction (which returns no item), while the
    # repeat, which writes nothing, took none: its attendance came back from the refused put
    assert calls == ["GetItem", "GetItem", "TransactWriteItems", "GetItem"]
    assert again["statusCode"] == 200, again
    assert body_of(again) == body_of(taken)
    assert repeat_calls == ["GetItem", "GetItem", "TransactWriteItems"]


def test_the_rsvp_answer_counts_an_rsvp_that_raced_in_before_its_transaction() -> None:
    # Given an event, and Bob RSVPing just after Alice's RSVP has read it (count 0)
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)

    def bob_rsvps() -> None:
        _, created = attendance.rsvp(authenticate(bob["token"]), event_id)
        assert created

    # When Alice's RSVP goes through
    with changed_before_the_transaction(bob_rsvps):
        response = rsvp(alice["token"], event_id)

    # Then her answer counts both spots, as stored: not the count she read plus one
    assert response["statusCode"] == 201, response
    assert body_of(response)["event"]["attendee_count"] == 2 == attendee_count(event_id)
    assert sorted(attendees(event_id)) == sorted([alice["user"]["id"], bob["user"]["id"]])


@pytest.mark.parametrize("kind", ["unknown", "malformed", "inactive", "started"])
def test_rsvps_to_events_one_cannot_attend_are_404_and_write_nothing(
    kind: str, dynamodb: Any
) -> None:
    # Given an inactive upcoming event and an active one that started an hour ago
    session = login(42, "Alice")
    inactive = an_event(active=False)
    started = an_event(days=-1 / 24)
    event_id = {
        "unknown": str(uuid.uuid4()),
        "malformed": "not-an-event-id",
        "inactive": inactive,
        "started": started,
    }[kind]

    # When the member RSVPs
    response = rsvp(session["token"], event_id)

    # Then it is the same 404 as the detail's, and neither table changed
    assert response["statusCode"] == 404, response
    assert body_of(response) == NOT_FOUND
    assert dynamodb.scan(TableName=Attendance.Meta.table_name)["Items"] == []
    assert [attendee_count(inactive), attendee_count(started)] == [0, 0]


@contextmanager
def changed_before_the_transaction(change: Callable[[], None]) -> Iterator[list[str]]:
    """`change` runs once, as the RSVP's first TransactWriteItems is about to be sent: after
    the RSVP's consistent read of the event, before its transaction. Yields the transactions
    the RSVP sent (not the change's own: a deactivation is a transaction with its notice)."""
    sent: list[str] = []
    changing = False

    def before_transaction(**_: Any) -> None:
        nonlocal changing
        if changing:
            return
        sent.append("TransactWriteItems")
        if len(sent) == 1:
            changing = True
            try:
                change()
            finally:
                changing = False

    with hooked("before-call.dynamodb.TransactWriteItems", before_transaction):
        yield sent


def test_an_event_deactivated_between_the_rsvps_read_and_its_transaction_is_404(
    dynamodb: Any,
) -> None:
    # Given a member and an upcoming event, which an admin deletes (deactivates) just after
    # the RSVP has read it as active
    session = login(42, "Alice")
    event_id = an_event(capacity=10)

    # When the member RSVPs
    with changed_before_the_transaction(lambda: events.deactivate(event_id)) as sent:
        response = rsvp(session["token"], event_id)

    # Then the transaction was refused (the event is not as read), the RSVP read it again and
    # answered the 404 of an inactive event
    assert sent == ["TransactWriteItems"]
    assert response["statusCode"] == 404, response
    assert body_of(response) == NOT_FOUND
    # And no attendance was written, and the count did not move
    assert dynamodb.scan(TableName=Attendance.Meta.table_name)["Items"] == []
    assert attendee_count(event_id) == 0
    assert Event.get(event_id, consistent_read=True).is_active is False


def test_an_event_moved_between_the_rsvps_read_and_its_transaction_is_rsvped_at_its_new_date() -> (
    None
):
    # Given a member, an event in three days and one in four, and an admin moving the first to
    # day 5 just after the RSVP has read it at day 3
    session = login(42, "Alice")
    event_id, other_id = an_event(days=3), an_event(days=4)
    assert rsvp(session["token"], other_id)["statusCode"] == 201
    new_start = NOW + timedelta(days=5)
    move = EventPatch(start_date=new_start, end_date=new_start + timedelta(hours=2))

    # When the member RSVPs
    with changed_before_the_transaction(lambda: events.update(event_id, move)) as sent:
        response = rsvp(session["token"], event_id)

    # Then the spot was taken once, and the attendance carries the new start date, so her
    # list has the event after day 4
    assert response["statusCode"] == 201, response
    stored = Attendance.get(event_id, session["user"]["id"], consistent_read=True)
    assert stored.start_date == event_date(new_start) == Event.get(event_id).start_date
    assert [event["id"] for event in my_page(session["token"], "")["events"]] == [
        other_id,
        event_id,
    ]
    assert attendees(event_id) == [session["user"]["id"]]
    assert attendee_count(event_id) == 1
    # And that is because the first transaction was refused (the start date was not as
    # read) and the RSVP, retried against the event as it is now, wrote the new date
    assert sent == ["TransactWriteItems"] * 2


def test_rsvp_cancel_state_and_my_events_without_a_token_are_401() -> None:
    event_id = an_event()

    answers = [
        rsvp("", event_id),
        cancel_rsvp("", event_id),
        cancel_rsvp("", event_id, SHOWN),
        rsvp_state("", event_id),
        my_events(""),
    ]

    assert [response["statusCode"] for response in answers] == [401] * 5
    assert all(body_of(response)["success"] is False for response in answers)
    assert attendee_count(event_id) == 0


# --- DELETE /api/v1/events/{id}/rsvp ---------------------------------------------------


def test_cancelling_twice_is_204_both_times_and_the_count_never_goes_below_zero() -> None:
    # Given a member with an RSVP, next to another member's
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    rsvp(alice["token"], event_id)
    rsvp(bob["token"], event_id)

    # When Alice cancels, then cancels again
    first = cancel_rsvp(alice["token"], event_id)
    count_after_first = attendee_count(event_id)
    second = cancel_rsvp(alice["token"], event_id)

    # Then both are 204; her spot is gone (her row says "left", for her calendar feed), the
    # count went down once, Bob's spot remains
    assert [first["statusCode"], second["statusCode"]] == [204, 204]
    assert first.get("body") in ("", None)
    assert count_after_first == attendee_count(event_id) == 1
    assert attendees(event_id) == [bob["user"]["id"]]
    assert left(event_id) == [alice["user"]["id"]]
    # And when Bob cancels too, twice, the count reaches zero and stays there
    assert cancel_rsvp(bob["token"], event_id)["statusCode"] == 204
    assert cancel_rsvp(bob["token"], event_id)["statusCode"] == 204
    assert attendee_count(event_id) == 0
    assert attendees(event_id) == []


def test_a_cancelled_spot_can_be_taken_again() -> None:
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=1)
    assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert rsvp(bob["token"], event_id)["statusCode"] == 409

    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204
    retaken = rsvp(bob["token"], event_id)

    assert retaken["statusCode"] == 201, retaken
    assert attendees(event_id) == [bob["user"]["id"]]
    assert attendee_count(event_id) == 1


def test_cancelling_without_an_rsvp_is_204_and_writes_nothing() -> None:
    # Given an event with one RSVP, not the caller's
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    rsvp(alice["token"], event_id)
    before = Event.get(event_id, consistent_read=True).attribute_values

    # When Bob, who never RSVPed, cancels
    response = cancel_rsvp(bob["token"], event_id)

    # Then it is 204 and the event and Alice's attendance are as they were
    assert response["statusCode"] == 204, response
    assert Event.get(event_id, consistent_read=True).attribute_values == before
    assert attendees(event_id) == [alice["user"]["id"]]


def test_a_cancel_asking_for_the_event_gets_it_as_the_cancel_left_it() -> None:
    # Given an event with 5 spots, two of them taken
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    rsvp(alice["token"], event_id)
    rsvp(bob["token"], event_id)

    # When Alice cancels with Prefer: return=representation
    with counting_calls() as calls:
        response = cancel_rsvp(alice["token"], event_id, SHOWN)

    # Then it is 200 with the event counting Bob's spot only, as the detail shows it, and
    # says the preference was applied and that the answer depends on it
    assert response["statusCode"] == 200, response
    body = body_of(response)
    assert body == {"success": True, "event": body_of(event_detail(event_id))["event"]}
    assert (body["event"]["attendee_count"], body["event"]["spots_left"]) == (1, 4)
    assert response["headers"]["preference-applied"] == "return=representation"
    assert response["headers"]["vary"] == "Prefer"
    assert response["headers"]["cache-control"] == "no-store"
    # And her spot is gone; the event was read again after the transaction
    assert attendees(event_id) == [bob["user"]["id"]]
    assert calls == ["GetItem", "GetItem", "TransactWriteItems", "GetItem"]


def test_a_cancel_without_prefer_stays_204_with_no_body() -> None:
    alice = login(1, "Alice")
    event_id = an_event(capacity=5)
    rsvp(alice["token"], event_id)

    response = cancel_rsvp(alice["token"], event_id)

    assert response["statusCode"] == 204, response
    assert response.get("body") in ("", None)
    assert "preference-applied" not in response["headers"]
    assert response["headers"]["vary"] == "Prefer"
    assert attendee_count(event_id) == 0


def test_a_cancel_without_an_rsvp_asking_for_the_event_gets_it_unchanged() -> None:
    # Given an event with Alice's RSVP, and Bob who has none
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    rsvp(alice["token"], event_id)
    before = Event.get(event_id, consistent_read=True).attribute_values

    # When Bob cancels with Prefer: return=representation
    with counting_calls() as calls:
        response = cancel_rsvp(bob["token"], event_id, SHOWN)

    # Then it is 200 with the event as it is, Alice still counted, and nothing was written
    # or read again
    assert response["statusCode"] == 200, response
    assert body_of(response) == {"success": True, "event": body_of(event_detail(event_id))["event"]}
    assert body_of(response)["event"]["attendee_count"] == 1
    assert Event.get(event_id, consistent_read=True).attribute_values == before
    assert attendees(event_id) == [alice["user"]["id"]]
    assert calls == ["GetItem", "GetItem", "TransactWriteItems"]


@pytest.mark.parametrize(
    ("prefer", "status"),
    [
        ("return=representation", 200),
        ('Return = "Representation"', 200),
        ("respond-async, return=representation; x=1", 200),
        ("return=minimal", 204),
        # Stated twice, a preference counts the first time only (RFC 7240 section 2).
        ("return=minimal, return=representation", 204),
        ("handling=lenient", 204),
        ("", 204),
    ],
)
def test_only_a_prefer_asking_for_the_representation_gets_it(prefer: str, status: int) -> None:
    session = login(42, "Alice")
    event_id = an_event(capacity=5)
    rsvp(session["token"], event_id)

    response = cancel_rsvp(session["token"], event_id, {"prefer": prefer})

    assert response["statusCode"] == status, response
    assert (body_of(response) or {}).get("event", {}).get("id") == (
        event_id if status == 200 else None
    )
    assert attendee_count(event_id) == 0


@pytest.mark.parametrize("prefer", [{}, SHOWN])
def test_a_cancel_of_an_unknown_or_started_event_is_refused_whatever_it_prefers(
    prefer: dict[str, str],
) -> None:
    session = login(42, "Alice")
    started = an_event(days=-1 / 24)
    rsvp_back_then(session["token"], started)

    unknown = cancel_rsvp(session["token"], str(uuid.uuid4()), prefer)
    too_late = cancel_rsvp(session["token"], started, prefer)

    assert (unknown["statusCode"], body_of(unknown)) == (404, NOT_FOUND)
    assert too_late["statusCode"] == 409, too_late
    assert attendees(started) == [session["user"]["id"]]


def test_cancelling_an_unknown_event_is_404() -> None:
    session = login(42, "Alice")

    response = cancel_rsvp(session["token"], str(uuid.uuid4()))

    assert response["statusCode"] == 404, response


def test_cancelling_once_the_event_has_started_is_409_and_keeps_the_attendance() -> None:
    # Given a member who RSVPed to an event that started an hour ago
    session = login(42, "Alice")
    event_id = an_event(days=-1 / 24)
    rsvp_back_then(session["token"], event_id)

    # When the member cancels now
    response = cancel_rsvp(session["token"], event_id)

    # Then it is refused, and the attendance and count stay
    assert response["statusCode"] == 409, response
    assert body_of(response)["success"] is False
    assert attendees(event_id) == [session["user"]["id"]]
    assert attendee_count(event_id) == 1


# --- GET /api/v1/events/{id}/rsvp ----------------------------------------------------


def state_of(token: str, event_id: str) -> dict[str, Any]:
    response = rsvp_state(token, event_id)
    assert response["statusCode"] == 200, response
    result: dict[str, Any] = body_of(response)
    return result


def test_the_rsvp_state_is_none_then_going_since_the_rsvp_then_none_again() -> None:
    # Given a member and an upcoming event
    session = login(42, "Alice")
    event_id = an_event(capacity=5)

    # When she asks for her RSVP state before RSVPing, after, and after cancelling
    with counting_calls() as calls:
        before = rsvp_state(session["token"], event_id)
    taken = body_of(rsvp(session["token"], event_id))
    going = state_of(session["token"], event_id)
    assert cancel_rsvp(session["token"], event_id)["statusCode"] == 204
    after = state_of(session["token"], event_id)

    # Then she is not going, then going since her RSVP was taken, then not going
    assert before["statusCode"] == 200, before
    assert body_of(before) == {"success": True, "rsvp": {"status": "none"}, "chat_url": None}
    # (an event with no linked chat: tests/integration/test_event_chats.py has the others)
    assert going == {
        "success": True,
        "rsvp": {"status": "going", "created_at": taken["attendance"]["created_at"]},
        "chat_url": None,
    }
    assert after == body_of(before)
    # And the answer is private and revalidated every time, with an ETag
    assert before["headers"]["cache-control"] == "private, no-cache"
    assert before["headers"]["etag"].startswith('"')
    # And it cost three GetItems: the token's member, the event, the attendance
    assert calls == ["GetItem", "GetItem", "GetItem"]


def test_the_rsvp_state_is_the_callers_own() -> None:
    # Given Bob going to an event, and Alice not
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event()
    assert rsvp(bob["token"], event_id)["statusCode"] == 201

    # When each asks
    states = [state_of(who["token"], event_id)["rsvp"]["status"] for who in (alice, bob)]

    # Then each hears their own
    assert states == ["none", "going"]


@pytest.mark.parametrize("kind", ["unknown", "malformed", "inactive"])
def test_the_rsvp_state_of_an_event_one_cannot_see_is_the_details_404(kind: str) -> None:
    # Given a member who RSVPed to an event an admin then deleted (deactivated)
    session = login(42, "Alice")
    inactive = an_event()
    assert rsvp(session["token"], inactive)["statusCode"] == 201
    assert delete_event(admin_login()["token"], inactive)["statusCode"] == 204
    event_id = {
        "unknown": str(uuid.uuid4()),
        "malformed": "not-an-event-id",
        "inactive": inactive,
    }[kind]

    # When she asks for her RSVP state
    response = rsvp_state(session["token"], event_id)

    # Then it is the same 404 as the event's detail
    assert response["statusCode"] == 404, response
    assert body_of(response) == NOT_FOUND
    detail = event_detail(event_id)
    assert (detail["statusCode"], body_of(detail)) == (404, NOT_FOUND)


def test_the_rsvp_state_of_an_event_that_has_started_still_says_going() -> None:
    # Given a member who RSVPed to an event that started an hour ago
    session = login(42, "Alice")
    event_id = an_event(days=-1 / 24)
    rsvp_back_then(session["token"], event_id)

    # Then she is shown as going (the event is active; only new RSVPs are closed)
    assert state_of(session["token"], event_id)["rsvp"]["status"] == "going"


def test_an_invalid_token_gets_no_rsvp_state() -> None:
    event_id = an_event()

    response = rsvp_state("not-a-token", event_id)

    assert response["statusCode"] == 401, response
    assert body_of(response)["success"] is False


def test_the_rsvp_state_revalidates_with_its_etag_until_it_changes() -> None:
    # Given a member's RSVP state and its ETag
    session = login(42, "Alice")
    event_id = an_event()
    first = rsvp_state(session["token"], event_id)
    etag = first["headers"]["etag"]

    # When she revalidates it, then RSVPs and revalidates it again
    unchanged = rsvp_state(session["token"], event_id, {"if-none-match": etag})
    rsvp(session["token"], event_id)
    changed = rsvp_state(session["token"], event_id, {"if-none-match": etag})

    # Then the first is a 304 with no body, the second the new state with a new ETag
    assert unchanged["statusCode"] == 304, unchanged
    assert unchanged.get("body") in ("", None)
    assert unchanged["headers"]["etag"] == etag
    assert unchanged["headers"]["cache-control"] == "private, no-cache"
    assert changed["statusCode"] == 200, changed
    assert body_of(changed)["rsvp"]["status"] == "going"
    assert changed["headers"]["etag"] != etag


# --- GET /api/users/me/events ----------------------------------------------------------


def test_my_events_pages_25_rsvps_in_start_order_with_three_reads_a_page() -> None:
    # Given a member with RSVPs to 25 upcoming events (loaded out of start order) and to one
    # that has started; another member also RSVPed to the one event with a capacity
    alice, bob = login(1, "Alice"), login(2, "Bob")
    records = [
        event_record(
            NOW + timedelta(hours=1 + (index * 7) % 25), capacity=3 if index == 4 else None
        )
        for index in range(25)
    ]
    add_events(records)
    for record in records:
        assert rsvp(alice["token"], record["id"])["statusCode"] == 201
    assert rsvp(bob["token"], records[4]["id"])["statusCode"] == 201
    past = an_event(days=-1 / 24)
    rsvp_back_then(alice["token"], past)

    # When she follows next_cursor with limit=10 (25 upcoming RSVPs fill three pages)
    calls_per_page: list[list[str]] = []

    def counted_page(query: str) -> dict[str, Any]:
        with counting_calls() as calls:
            body = my_page(alice["token"], query)
        calls_per_page.append(calls)
        return body

    pages = follow_pages(counted_page, "limit=10", max_pages=4)
    seen = [event for body in pages for event in body["events"]]

    # Then three pages (10, 10, 5) of one GetItem (the token), one Query, one BatchGetItem
    assert calls_per_page == [["GetItem", "Query", "BatchGetItem"]] * 3
    assert all(body["has_more"] is (body["next_cursor"] is not None) for body in pages)
    assert len(seen) == 25
    # And each upcoming event came once, in start order, the started one not at all
    ids = [event["id"] for event in seen]
    assert len(set(ids)) == 25
    assert set(ids) == {record["id"] for record in records}
    assert [event["start_date"] for event in seen] == sorted(event["start_date"] for event in seen)
    assert past not in ids
    # And each event is shown as it is now: its count, and its spots left where it has a cap
    by_id = {event["id"]: event for event in seen}
    assert by_id[records[4]["id"]]["attendee_count"] == 2
    assert by_id[records[4]["id"]]["spots_left"] == 1
    others = [event for event in seen if event["id"] != records[4]["id"]]
    assert all(event["attendee_count"] == 1 and event["spots_left"] is None for event in others)


def test_my_events_list_an_event_starting_exactly_now_and_not_one_a_second_earlier() -> None:
    # Given a member who RSVPed, a week ago, to an event starting at NOW and to one starting a
    # second before
    session = login(42, "Alice")
    (at_now,) = add_events([event_record(NOW)])
    (just_before,) = add_events([event_record(NOW - timedelta(seconds=1))])
    rsvp_back_then(session["token"], at_now)
    rsvp_back_then(session["token"], just_before)

    # When she lists her events at NOW and most of a second (dates are kept to the second)
    member = authenticate(session["token"])
    mine = attendance.my_events_page(member, 10, now=NOW + timedelta(microseconds=999_999))
    listed = [event.id for event in mine.events]

    # Then the one starting now is there, as in the events listing, and the other is not
    assert listed == [at_now]


def test_a_cursor_is_only_good_for_the_member_it_was_issued_to() -> None:
    # Given two members with RSVPs, and a cursor from Alice's list and one from the events list
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_ids = [an_event(days=day) for day in (1, 2, 3)]
    for event_id in event_ids:
        rsvp(alice["token"], event_id)
        rsvp(bob["token"], event_id)
    alices_cursor = my_page(alice["token"], "limit=1")["next_cursor"]
    listing_cursor = body_of(upcoming("limit=1"))["next_cursor"]
    assert alices_cursor
    assert listing_cursor

    # When Bob uses them
    answers = [
        my_events(bob["token"], f"limit=1&cursor={cursor}")
        for cursor in (alices_cursor, listing_cursor)
    ]

    # Then both are refused; Alice's own cursor still works for her
    assert [response["statusCode"] for response in answers] == [400, 400]
    assert all(body_of(response)["success"] is False for response in answers)
    resumed = my_page(alice["token"], f"limit=1&cursor={alices_cursor}")
    assert [event["id"] for event in resumed["events"]] == [event_ids[1]]


@pytest.mark.parametrize("limit", ["0", "51", "-1", "abc"])
def test_my_events_limits_outside_1_to_50_are_422(limit: str) -> None:
    session = login(42, "Alice")

    response = my_events(session["token"], f"limit={limit}")

    assert response["statusCode"] == 422, response


def test_a_soft_deleted_event_stays_in_my_events_marked_inactive() -> None:
    # Given a member with RSVPs to two events, one of which an admin then deletes
    session = login(42, "Alice")
    kept, deleted = an_event(days=1), an_event(days=2)
    rsvp(session["token"], kept)
    rsvp(session["token"], deleted)
    assert delete_event(admin_login()["token"], deleted)["statusCode"] == 204

    # When the member lists her events
    listed = my_page(session["token"], "")["events"]

    # Then both are there, the deleted one as inactive (so she can see it is cancelled)
    assert [(event["id"], event["is_active"]) for event in listed] == [
        (kept, True),
        (deleted, False),
    ]
    assert event_detail(deleted)["statusCode"] == 404


def test_my_events_without_rsvps_is_an_empty_page() -> None:
    session = login(42, "Alice")
    an_event()

    with counting_calls() as calls:
        body = my_page(session["token"], "")

    assert body == {"events": [], "next_cursor": None, "has_more": False}
    assert calls == ["GetItem", "Query"]


# --- counts in the public event responses ----------------------------------------------


def test_detail_and_listing_show_attendee_count_and_spots_left_after_rsvps() -> None:
    # Given an event with 5 spots and one without a limit, and three RSVPs to the first
    capped, open_ = an_event(days=1, capacity=5), an_event(days=2)
    for telegram_id in (1, 2, 3):
        assert rsvp(login(telegram_id, "Member")["token"], capped)["statusCode"] == 201
    rsvp(login(4, "Dave")["token"], open_)
    cancel_rsvp(login(1, "Member")["token"], capped)

    # When the public detail and listing are read
    shown = body_of(event_detail(capped))["event"]
    listed = {event["id"]: event for event in body_of(upcoming(""))["events"]}

    # Then they show the counts after the cancellation, and agree with each other
    assert (shown["capacity"], shown["attendee_count"], shown["spots_left"]) == (5, 2, 3)
    assert listed[capped] == shown
    assert (listed[open_]["attendee_count"], listed[open_]["spots_left"]) == (1, None)
