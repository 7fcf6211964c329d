"""Waitlists through their handlers: POST and DELETE /api/v1/events/{id}/waitlist, the RSVP
state and the member's events that show a place, a cancel that gives the seat to the first
waiting and an admin's raised or cleared capacity that promotes as many as fit, on the
template's tables. Each test checks the answers and what DynamoDB holds afterwards (the
invariants of tests/support/waitlists.py) and, for a promotion, its notice record."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.flows import (
    add_events,
    admin_login,
    body_of,
    cancel_rsvp,
    delete_event,
    event_detail,
    join_waitlist,
    leave_waitlist,
    login,
    my_events,
    rsvp,
    rsvp_state,
    update_event,
)
from support.waitlists import going_and_waiting, violations

from community.data.models import Event, Notification, User
from community.services import events as events_service
from devkit.functions.placeholders import event_record

pytestmark = pytest.mark.usefixtures("dynamodb")

NOW = datetime.now(UTC).replace(microsecond=0)
NOT_FOUND = {"success": False, "detail": "event not found"}


def an_event(days: float = 3, **fields: Any) -> str:
    return add_events([event_record(NOW + timedelta(days=days), **fields)])[0]


# Each member's users-table key (what a notice names), by token.
KEYS: dict[str, str] = {}


def members(count: int, first: int = 5000) -> list[str]:
    """`count` members logged in: their tokens."""
    tokens = []
    for telegram_id in range(first, first + count):
        token = login(telegram_id, f"Member {telegram_id}")["token"]
        KEYS[token] = f"USER#{telegram_id}"
        tokens.append(token)
    return tokens


def full_event(capacity: int, tokens: list[str]) -> str:
    """An event whose `capacity` spots the first `capacity` of `tokens` took."""
    event_id = an_event(capacity=capacity)
    for token in tokens[:capacity]:
        assert rsvp(token, event_id)["statusCode"] == 201
    return event_id


def place(token: str, event_id: str) -> dict[str, Any]:
    rsvp_: dict[str, Any] = body_of(rsvp_state(token, event_id))["rsvp"]
    return rsvp_


def notices(event_id: str) -> list[Notification]:
    return [item for item in Notification.scan() if item.pk.startswith(f"NOTICE#{event_id}#")]


def telegram_key(token: str) -> str:
    key = KEYS[token]
    assert User.get(key).pk == key
    return key


def test_members_join_a_full_events_waitlist_in_order_and_a_repeat_keeps_the_place() -> None:
    # Given an event whose 2 spots are taken, and 3 more members
    tokens = members(5)
    event_id = full_event(2, tokens)

    # When the 3 join its waitlist one after another, and the first joins again
    joined = [join_waitlist(token, event_id) for token in tokens[2:]]
    again = join_waitlist(tokens[2], event_id)

    # Then they are 201 at positions 1, 2, 3; the repeat is 200 with position 1; the event
    # shows 3 waiting; each member's RSVP state says where they stand
    assert [r["statusCode"] for r in joined] == [201, 201, 201], joined
    assert [body_of(r)["waitlist"]["position"] for r in joined] == [1, 2, 3]
    first = body_of(joined[0])
    assert first["success"] is True
    assert set(first["waitlist"]) == {"event_id", "position", "created_at"}
    assert first["waitlist"]["event_id"] == event_id
    assert again["statusCode"] == 200
    assert body_of(again) == first
    assert body_of(event_detail(event_id))["event"]["waitlist_count"] == 3
    assert [place(token, event_id) for token in tokens[2:]] == [
        {"status": "waitlisted", "position": n} for n in (1, 2, 3)
    ]
    assert violations(event_id) == []


@pytest.mark.parametrize(
    ("situation", "detail"),
    [
        ("room", "the event has spots left: RSVP instead"),
        ("no-capacity", "the event has no capacity limit: RSVP instead"),
        ("going", "already going"),
    ],
)
def test_joining_is_409_for_a_member_going_or_an_event_with_room(
    situation: str, detail: str
) -> None:
    # Given an event with a spot left, one without a capacity, or a full one the member holds
    # a spot of
    (token,) = members(1)
    if situation == "room":
        event_id = an_event(capacity=2)
    elif situation == "no-capacity":
        event_id = an_event(capacity=None)
    else:
        event_id = full_event(1, [token])

    # When the member joins the waitlist
    response = join_waitlist(token, event_id)

    # Then 409 with the reason, and nothing is written
    assert response["statusCode"] == 409, response
    assert body_of(response) == {"success": False, "detail": detail}
    assert going_and_waiting(event_id)[1] == []
    assert violations(event_id) == []


@pytest.mark.parametrize("kind", ["unknown", "malformed", "inactive", "started"])
def test_joining_an_unknown_malformed_inactive_or_started_event_is_404(kind: str) -> None:
    # Given such an event (the others full, so only its state refuses the join)
    tokens = members(2)
    event_id = {
        "unknown": lambda: "6f1c2a56-0000-4000-8000-000000000000",
        "malformed": lambda: "not-an-id",
        "inactive": lambda: full_event(1, tokens),
        "started": lambda: an_event(days=-0.01, capacity=1),
    }[kind]()
    if kind == "inactive":
        assert delete_event(admin_login()["token"], event_id)["statusCode"] == 204

    # When a member joins its waitlist
    response = join_waitlist(tokens[1], event_id)

    # Then 404, as the event's detail answers
    assert response["statusCode"] == 404, response
    assert body_of(response) == NOT_FOUND


def test_the_waitlist_needs_a_valid_token() -> None:
    event_id = an_event(capacity=1)
    for call in (join_waitlist, leave_waitlist):
        response = call("not-a-token", event_id)
        assert response["statusCode"] == 401, response
        assert body_of(response)["success"] is False


def test_leaving_closes_up_the_places_behind_and_is_204_also_when_not_waiting() -> None:
    # Given a full event with 3 waiting
    tokens = members(5)
    event_id = full_event(2, tokens)
    for token in tokens[2:]:
        assert join_waitlist(token, event_id)["statusCode"] == 201

    # When the first waiting leaves, leaves again, and a going member "leaves" the waitlist
    left = [leave_waitlist(tokens[2], event_id) for _ in range(2)]
    going_leaves = leave_waitlist(tokens[0], event_id)

    # Then all three are 204; the two behind are now 1 and 2; the going member still goes
    assert [r["statusCode"] for r in [*left, going_leaves]] == [204, 204, 204]
    assert place(tokens[2], event_id) == {"status": "none"}
    assert [place(token, event_id)["position"] for token in tokens[3:]] == [1, 2]
    assert place(tokens[0], event_id)["status"] == "going"
    assert body_of(event_detail(event_id))["event"]["waitlist_count"] == 2
    assert violations(event_id) == []


def test_an_rsvp_to_a_full_event_is_409_with_the_waitlist_count_also_for_one_waiting() -> None:
    # Given a full event with 2 waiting
    tokens = members(4)
    event_id = full_event(2, tokens)
    for token in tokens[2:]:
        assert join_waitlist(token, event_id)["statusCode"] == 201
    (outsider,) = members(1, first=6000)

    # When a member not waiting, and one waiting, RSVP
    refused = [rsvp(outsider, event_id), rsvp(tokens[2], event_id)]

    # Then both are 409 "event full" with the 2 waiting; nothing changes
    for response in refused:
        assert response["statusCode"] == 409, response
        assert body_of(response) == {"success": False, "detail": "event full", "waitlist_count": 2}
    assert place(tokens[2], event_id) == {"status": "waitlisted", "position": 1}
    assert violations(event_id) == []


def test_a_cancel_gives_the_seat_to_the_first_waiting_with_a_promoted_notice() -> None:
    # Given a full event (2 spots) with 2 waiting
    tokens = members(4)
    event_id = full_event(2, tokens)
    for token in tokens[2:]:
        assert join_waitlist(token, event_id)["statusCode"] == 201

    # When a going member cancels
    response = cancel_rsvp(tokens[0], event_id)

    # Then the first waiting is going, the second is now first, the count is still 2, and
    # one `promoted` notice names the promoted member
    assert response["statusCode"] == 204, response
    assert place(tokens[0], event_id) == {"status": "none"}
    assert place(tokens[2], event_id)["status"] == "going"
    assert place(tokens[3], event_id) == {"status": "waitlisted", "position": 1}
    event = body_of(event_detail(event_id))["event"]
    assert (event["attendee_count"], event["waitlist_count"]) == (2, 1)
    (notice,) = notices(event_id)
    assert (notice.kind, notice.event_id) == ("promoted", event_id)
    assert notice.member_id == telegram_key(tokens[2])
    assert notice.expires_at > datetime.now(UTC) + timedelta(days=7)
    assert violations(event_id) == []


def test_a_cancel_with_nobody_waiting_frees_the_seat_and_writes_no_notice() -> None:
    tokens = members(2)
    event_id = full_event(2, tokens)

    assert cancel_rsvp(tokens[0], event_id)["statusCode"] == 204

    assert body_of(event_detail(event_id))["event"]["attendee_count"] == 1
    assert notices(event_id) == []
    assert violations(event_id) == []


@pytest.mark.parametrize(("capacity", "promoted"), [(4, 2), (None, 3)])
def test_a_raised_or_cleared_capacity_promotes_as_many_as_fit_in_order(
    capacity: int | None, promoted: int
) -> None:
    # Given a full event (2 spots) with 3 waiting
    tokens = members(5)
    event_id = full_event(2, tokens)
    for token in tokens[2:]:
        assert join_waitlist(token, event_id)["statusCode"] == 201

    # When an admin raises the capacity to 4, or clears it
    response = update_event(admin_login()["token"], event_id, {"capacity": capacity})

    # Then the first `promoted` waiting are going, in order, each with a notice; the rest wait
    # from position 1; the answer shows the event as the promotion left it
    assert response["statusCode"] == 200, response
    event = body_of(response)["event"]
    assert (event["capacity"], event["attendee_count"]) == (capacity, 2 + promoted)
    assert event["waitlist_count"] == 3 - promoted
    waiting = tokens[2:]
    assert [place(token, event_id)["status"] for token in waiting[:promoted]] == [
        "going"
    ] * promoted
    assert [place(token, event_id) for token in waiting[promoted:]] == [
        {"status": "waitlisted", "position": n + 1} for n in range(3 - promoted)
    ]
    assert sorted(str(n.member_id) for n in notices(event_id)) == sorted(
        telegram_key(token) for token in waiting[:promoted]
    )
    assert violations(event_id) == []


def test_a_long_waitlist_is_promoted_in_steps_that_keep_the_event_full_between_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a full event (1 spot) with 5 waiting, and at most 2 promotions per transaction
    monkeypatch.setattr(events_service, "MAX_PROMOTIONS_PER_WRITE", 2)
    tokens = members(6)
    event_id = full_event(1, tokens)
    for token in tokens[1:]:
        assert join_waitlist(token, event_id)["statusCode"] == 201
    capacities: list[int | None] = []
    real_update = events_service.events_table.update

    def recording(event: Any, **kwargs: Any) -> Any:
        capacities.append(event.capacity)
        return real_update(event, **kwargs)

    monkeypatch.setattr(events_service.events_table, "update", recording)

    # When an admin clears the capacity
    response = update_event(admin_login()["token"], event_id, {"capacity": None})

    # Then three steps (capacity 3, 5, then none) promoted all 5, in order
    assert response["statusCode"] == 200, response
    assert capacities == [3, 5, None]
    assert going_and_waiting(event_id)[1] == []
    assert len(notices(event_id)) == 5
    assert Event.get(event_id, consistent_read=True).capacity is None
    assert violations(event_id) == []


@pytest.mark.parametrize("change", [{"title": "Renamed"}, {"capacity": 3}])
def test_an_edit_that_frees_no_seat_promotes_nobody(change: dict[str, Any]) -> None:
    # Given a full event (3 spots) with 1 waiting
    tokens = members(4)
    event_id = full_event(3, tokens)
    assert join_waitlist(tokens[3], event_id)["statusCode"] == 201

    # When an admin renames it, or sets the capacity it has
    response = update_event(admin_login()["token"], event_id, change)

    # Then nobody is promoted
    assert response["statusCode"] == 200, response
    assert place(tokens[3], event_id) == {"status": "waitlisted", "position": 1}
    assert notices(event_id) == []
    assert violations(event_id) == []


def test_a_cancelled_event_closes_its_waitlist() -> None:
    # Given a full event with 1 waiting, then cancelled (deactivated) by an admin
    tokens = members(3)
    event_id = full_event(2, tokens)
    assert join_waitlist(tokens[2], event_id)["statusCode"] == 201
    assert delete_event(admin_login()["token"], event_id)["statusCode"] == 204

    # When a going member cancels and another member tries to join
    cancelled = cancel_rsvp(tokens[0], event_id)
    (late,) = members(1, first=6000)
    joined = join_waitlist(late, event_id)

    # Then the seat goes to nobody (no promotion: the one notice is the cancellation's) and
    # the join is 404
    assert cancelled["statusCode"] == 204
    assert joined["statusCode"] == 404
    going, waiting = going_and_waiting(event_id)
    assert (len(going), len(waiting)) == (1, 1)
    assert [notice.kind for notice in notices(event_id)] == ["cancelled"]


def test_my_events_lists_the_events_waited_for_with_the_position() -> None:
    # Given a member going to one event and second in line for another
    tokens = members(3)
    going_to = an_event(days=2, capacity=5)
    assert rsvp(tokens[2], going_to)["statusCode"] == 201
    waiting_for = full_event(1, tokens)
    assert join_waitlist(tokens[1], waiting_for)["statusCode"] == 201
    assert join_waitlist(tokens[2], waiting_for)["statusCode"] == 201

    # When the member lists their events
    response = my_events(tokens[2])

    # Then both are there in start order, each with the member's part in it
    assert response["statusCode"] == 200, response
    listed = body_of(response)["events"]
    assert [event["id"] for event in listed] == [going_to, waiting_for]
    assert listed[0]["rsvp"]["status"] == "going"
    assert listed[1]["rsvp"] == {"status": "waitlisted", "position": 2}
    assert listed[1]["waitlist_count"] == 2


def test_the_outbox_record_has_the_contracts_shape() -> None:
    tokens = members(2)
    event_id = full_event(1, tokens)
    assert join_waitlist(tokens[1], event_id)["statusCode"] == 201

    assert cancel_rsvp(tokens[0], event_id)["statusCode"] == 204

    (notice,) = notices(event_id)
    assert notice.pk.startswith(f"NOTICE#{event_id}#")
    assert notice.payload is None or json.loads(notice.payload) is not None
    assert notice.created_at <= datetime.now(UTC)
