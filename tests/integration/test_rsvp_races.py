"""RSVP races through the real handlers against servers over HTTP that isolate requests as
DynamoDB isolates transactions: moto's server with one request at a time, and dynalite (an
independent implementation, which has no TransactWriteItems). Threads start together at a
barrier, as concurrent Lambda containers would."""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.backends import ServerBackend
from support.figures import record_figure
from support.flows import add_events, body_of, cancel_rsvp, rsvp
from support.races import all_at_once, retrying_503

from community.data import users as users_table
from community.data.models import Attendance, Event, User
from community.entities import LEFT
from community.services.auth import session_for
from devkit.functions.placeholders import event_record

NO_TRANSACTIONS = (
    "dynalite 4.0.0 has no TransactWriteItems (UnknownOperationException): an RSVP, which "
    "writes the attendance and the event's count in one transaction, cannot succeed there"
)


def members(count: int) -> dict[str, str]:
    """`count` members written directly (a first login needs a transaction, which dynalite
    lacks): each one's valid access token, mapped to their user id."""
    now = datetime.now(UTC)
    with User.batch_write() as batch:
        people = [
            User(
                f"USER#{telegram_id}",
                id=str(uuid.uuid4()),
                telegram_id=telegram_id,
                name=f"Member {telegram_id}",
                referral_code=f"UP-R{telegram_id:05d}",
                created_at=now,
                updated_at=now,
            )
            for telegram_id in range(10_000, 10_000 + count)
        ]
        for person in people:
            batch.save(person)
    written = users_table.get_many([int(person.telegram_id) for person in people])
    return {session_for(member).token: member.id for member in written.values()}


def an_event(capacity: int | None) -> str:
    (event_id,) = add_events(
        [event_record(datetime.now(UTC) + timedelta(days=3), capacity=capacity)]
    )
    return event_id


def stored(event_id: str) -> tuple[int, list[Attendance]]:
    event = Event.get(event_id, consistent_read=True)
    items = Attendance.query(event_id, consistent_read=True)
    # A cancel leaves its row, status "left" (the calendar feed's), holding no spot.
    return int(event.attendee_count), [item for item in items if item.status != LEFT]


def test_a_hundred_concurrent_rsvps_fill_ten_spots_exactly(
    isolating_backend: ServerBackend,
) -> None:
    if not isolating_backend.supports_transactions:
        pytest.xfail(NO_TRANSACTIONS)
    # Given an event with 10 spots and 100 members
    event_id = an_event(capacity=10)
    tokens = list(members(100))

    # When all 100 RSVP at the same moment
    retried: list[int] = []
    responses = all_at_once(
        lambda token: retrying_503(lambda: rsvp(token, event_id), retried), tokens
    )

    # Then exactly 10 got a spot (201) and 90 were told it is full (409); the table holds
    # 10 attendances, those of the 10 winners, and attendee_count is 10
    statuses = [response["statusCode"] for response in responses]
    count, attendances = stored(event_id)
    winners = {body_of(r)["attendance"]["user_id"] for r in responses if r["statusCode"] == 201}
    record_figure(
        f"100 concurrent RSVPs for 10 spots, spots over or under ({isolating_backend.name})",
        100,
        abs(len(attendances) - 10) + abs(count - 10),
        len(retried),
    )
    assert sorted(statuses) == [201] * 10 + [409] * 90, statuses
    assert all(body_of(r)["detail"] == "event full" for r in responses if r["statusCode"] == 409)
    assert count == 10
    assert {attendance.user_id for attendance in attendances} == winners
    assert len(attendances) == 10


def test_racing_rsvps_and_cancels_keep_the_count_equal_to_the_attendances(
    isolating_backend: ServerBackend,
) -> None:
    if not isolating_backend.supports_transactions:
        pytest.xfail(NO_TRANSACTIONS)
    # Given an event with 10 spots and 30 members, each about to RSVP and cancel in a random
    # order six times (the same member repeating an RSVP or a cancel included)
    event_id = an_event(capacity=10)
    user_ids = members(30)
    tokens = list(user_ids)
    rng = random.Random(9)
    plans = {token: [rng.choice(["rsvp", "cancel"]) for _ in range(6)] for token in tokens}

    def run(token: str) -> list[tuple[str, int]]:
        done = []
        for step in plans[token]:
            call = rsvp if step == "rsvp" else cancel_rsvp
            response = retrying_503(lambda call=call: call(token, event_id), retried)
            done.append((step, int(response["statusCode"])))
        return done

    # When all 30 run their plans at once
    retried: list[int] = []
    results = all_at_once(run, tokens)

    # Then the count equals the attendances, never above capacity, and each member holds a
    # spot exactly when their last successful step was an RSVP
    count, attendances = stored(event_id)
    holders = {attendance.user_id for attendance in attendances}
    expected_holders = set()
    for token, steps in zip(tokens, results, strict=True):
        assert all(status in (200, 201, 204, 409) for _, status in steps), steps
        kept = [step for step, status in steps if status in (200, 201, 204)]
        if kept and kept[-1] == "rsvp":
            expected_holders.add(user_ids[token])
    record_figure(
        f"180 racing RSVPs and cancels, count not equal to attendances ({isolating_backend.name})",
        180,
        abs(count - len(attendances)),
        len(retried),
    )
    assert count == len(attendances) <= 10
    assert holders == expected_holders


def test_without_transactions_an_rsvp_fails_cleanly_and_writes_nothing(
    isolating_backend: ServerBackend,
) -> None:
    # What a server without TransactWriteItems does to an RSVP: a JSON 500 and neither half
    # of it written. Where transactions exist, the RSVP simply works.
    event_id = an_event(capacity=5)
    (token,) = list(members(1))

    response: dict[str, Any] = rsvp(token, event_id)

    count, attendances = stored(event_id)
    if isolating_backend.supports_transactions:
        assert response["statusCode"] == 201
        assert (count, len(attendances)) == (1, 1)
    else:
        assert response["statusCode"] == 500, response
        assert body_of(response) == {"success": False, "detail": "internal error"}
        assert (count, attendances) == (0, [])
