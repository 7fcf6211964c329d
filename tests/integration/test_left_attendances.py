"""A cancelled RSVP or a left waitlist place stays as a row with status "left" (the member's
calendar feed shows the event as cancelled for 30 days), and nothing else sees it: the RSVP
state, the member's events, the waitlist, the notices' and reminders' recipients, the counts.
Coming back after leaving (an RSVP, a waitlist place) replaces the left row."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.flows import (
    add_events,
    body_of,
    cancel_rsvp,
    join_waitlist,
    leave_waitlist,
    login,
    my_events,
    rsvp,
    rsvp_state,
)
from support.waitlists import going_and_waiting, violations

from community.data import attendances
from community.data.models import Attendance, Event
from community.entities import GOING, LEFT, WAITING
from community.services.notifications import notices
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

NOW = datetime.now(UTC).replace(microsecond=0)


def an_event(**fields: Any) -> str:
    return add_events([event_record(NOW + timedelta(days=3), **fields)])[0]


def row(event_id: str, user_id: str) -> Attendance:
    return Attendance.get(event_id, user_id, consistent_read=True)


def counts(event_id: str) -> tuple[int, int]:
    event = Event.get(event_id, consistent_read=True)
    return int(event.attendee_count), int(event.waitlist_count or 0)


def test_a_cancel_leaves_a_left_row_that_no_reader_sees_and_a_new_rsvp_replaces() -> None:
    # Given Alice and Bob going to an event
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=5)
    assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert rsvp(bob["token"], event_id)["statusCode"] == 201
    before = datetime.now(UTC).replace(microsecond=0)

    # When Alice cancels
    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204

    # Then her row says "left", when, and until when TTL may keep it; it holds no spot
    left = row(event_id, alice["user"]["id"])
    assert left.status == LEFT
    assert left.seq is None
    assert before <= left.left_at <= datetime.now(UTC)
    # (TTL is whole seconds)
    assert left.expires_at.timestamp() == int((left.left_at + timedelta(days=31)).timestamp())
    assert counts(event_id) == (1, 0)
    assert violations(event_id) == []
    # And no reader sees it: her state, her events, the notices' and reminders' recipients
    assert body_of(rsvp_state(alice["token"], event_id))["rsvp"] == {"status": "none"}
    assert body_of(my_events(alice["token"]))["events"] == []
    assert attendances.get(event_id, alice["user"]["id"]) is None
    assert [r.user_id for r in attendances.of_event(event_id)] == [bob["user"]["id"]]
    assert [r.user_id for r in attendances.of_event(event_id, waiting_too=True)] == [
        bob["user"]["id"]
    ]
    assert [r.user_id for r in notices.recipients(event_id)] == [bob["user"]["id"]]
    # And cancelling again changes nothing
    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204
    assert counts(event_id) == (1, 0)
    assert row(event_id, alice["user"]["id"]).left_at == left.left_at

    # When she RSVPs again
    again = rsvp(alice["token"], event_id)

    # Then it is a new spot (201), counted once, and the row is a plain going one again
    assert again["statusCode"] == 201, again
    back = row(event_id, alice["user"]["id"])
    assert (back.status, back.left_at, back.expires_at) == (None, None, None)
    assert counts(event_id) == (2, 0)
    assert body_of(rsvp_state(alice["token"], event_id))["rsvp"]["status"] == "going"
    assert [e["id"] for e in body_of(my_events(alice["token"]))["events"]] == [event_id]


def test_leaving_the_waitlist_leaves_a_left_row_and_joining_again_takes_a_new_place() -> None:
    # Given a full event (one seat, Alice's) with Bob then Carol waiting
    alice, bob, carol = login(1, "Alice"), login(2, "Bob"), login(3, "Carol")
    event_id = an_event(capacity=1)
    assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert join_waitlist(bob["token"], event_id)["statusCode"] == 201
    assert join_waitlist(carol["token"], event_id)["statusCode"] == 201

    # When Bob leaves the waitlist
    assert leave_waitlist(bob["token"], event_id)["statusCode"] == 204

    # Then his row is left (no ticket), Carol is first, the counts hold, and nobody sees him
    assert row(event_id, bob["user"]["id"]).status == LEFT
    assert row(event_id, bob["user"]["id"]).seq is None
    assert counts(event_id) == (1, 1)
    assert going_and_waiting(event_id) == ([alice["user"]["id"]], [carol["user"]["id"]])
    assert [a.user_id for a in attendances.waiting(event_id)] == [carol["user"]["id"]]
    assert body_of(rsvp_state(carol["token"], event_id))["rsvp"]["position"] == 1
    assert body_of(rsvp_state(bob["token"], event_id))["rsvp"] == {"status": "none"}
    assert {r.user_id for r in notices.recipients(event_id)} == {
        alice["user"]["id"],
        carol["user"]["id"],
    }
    # And leaving again is the same no-op
    assert leave_waitlist(bob["token"], event_id)["statusCode"] == 204
    assert counts(event_id) == (1, 1)

    # When he joins again
    joined = join_waitlist(bob["token"], event_id)

    # Then he takes a new place, behind Carol
    assert joined["statusCode"] == 201, joined
    assert body_of(joined)["waitlist"]["position"] == 2
    assert row(event_id, bob["user"]["id"]).status == WAITING
    assert row(event_id, bob["user"]["id"]).left_at is None
    assert counts(event_id) == (1, 2)
    assert violations(event_id) == []

    # When Alice cancels, her seat goes to Carol (the head), not to anyone who left
    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204
    assert going_and_waiting(event_id) == ([carol["user"]["id"]], [bob["user"]["id"]])
    assert row(event_id, alice["user"]["id"]).status == LEFT
    assert counts(event_id) == (1, 1)
    assert violations(event_id) == []


def test_a_member_who_left_may_rsvp_when_a_seat_is_free_and_the_old_row_is_replaced() -> None:
    # Given Bob, who waited for a full event and left; then a seat freed (Alice cancelled)
    alice, bob = login(1, "Alice"), login(2, "Bob")
    event_id = an_event(capacity=1)
    assert rsvp(alice["token"], event_id)["statusCode"] == 201
    assert join_waitlist(bob["token"], event_id)["statusCode"] == 201
    assert leave_waitlist(bob["token"], event_id)["statusCode"] == 204
    assert cancel_rsvp(alice["token"], event_id)["statusCode"] == 204

    # When Bob RSVPs
    answer = rsvp(bob["token"], event_id)

    # Then he takes the seat; Alice's row is the only left one
    assert answer["statusCode"] == 201, answer
    assert (row(event_id, bob["user"]["id"]).status or GOING) == GOING
    assert counts(event_id) == (1, 0)
    statuses = {item.user_id: item.status for item in Attendance.query(event_id)}
    assert statuses == {alice["user"]["id"]: LEFT, bob["user"]["id"]: None}
