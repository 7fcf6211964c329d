"""Check-in races through the real handlers, with real transactions: moto in-process (requests
serialized, as DynamoDB isolates them) and moto's server over HTTP one request at a time
(unserialized, moto's server can undo one transaction with another: docs/reliability.md);
dynalite has no TransactWriteItems. Scanners send at the same moment, released together at a
barrier as concurrent Lambda containers would be; a 503 is retried with the same
Idempotency-Key, as the API asks of a client."""

import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.backends import (
    race_tables,
)
from support.figures import record_figure
from support.flows import add_events, body_of, cancel_rsvp, check_in, rsvp, ticket, written_members
from support.races import all_at_once, retrying_503

from community.data.models import Attendance, Event
from community.entities import LEFT, STAFF_ROLE
from devkit.functions.placeholders import event_record

SCANNERS = 20
MEMBERS = 30


@pytest.fixture(params=["in-process", "moto-server-serialized"])
def race_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The backend's name, its tables fresh and bound."""
    for name, transactions in race_tables(request, monkeypatch, request.param):
        assert transactions
        yield name


def door_event(members: list[str]) -> tuple[str, list[str]]:
    """An event starting in half an hour (check-in open) with `members` going: its id and
    their tickets, in the same order."""
    (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(minutes=30))])
    texts = []
    for token in members:
        assert rsvp(token, event_id)["statusCode"] == 201
        texts.append(body_of(ticket(token, event_id))["ticket"])
    return event_id, texts


def scan(staff: str, event_id: str, text: str, retried: list[int]) -> dict[str, Any]:
    """One scanner's request; a 503 sent again with its Idempotency-Key."""
    key = str(uuid.uuid4())
    return retrying_503(lambda: check_in(staff, event_id, text, key), retried)


def checked_in(event_id: str) -> tuple[int, list[Attendance]]:
    event = Event.get(event_id, consistent_read=True)
    found = list(Attendance.query(event_id, consistent_read=True))
    return int(event.checked_in_count or 0), [a for a in found if a.checked_in_at is not None]


def test_scanners_sending_one_ticket_at_once_check_it_in_exactly_once(race_backend: str) -> None:
    # Given one member's ticket and 20 staff scanners
    (member,) = written_members(1, first=30_000)
    event_id, (text,) = door_event([member])
    scanners = written_members(SCANNERS, first=31_000, role=STAFF_ROLE)

    # When all 20 submit it at the same moment
    retried: list[int] = []
    responses = all_at_once(lambda staff: scan(staff, event_id, text, retried), scanners)

    # Then exactly one 201; the 19 others are told "already checked in", with its time
    statuses = Counter(int(response["statusCode"]) for response in responses)
    count, attendances = checked_in(event_id)
    print(
        f"\n{race_backend}: {SCANNERS} concurrent scans of one ticket: {dict(statuses)}, "
        f"503s retried {len(retried)}, checked_in_count {count}"
    )
    record_figure(
        f"{SCANNERS} scanners, one ticket at once: 201s other than 1 ({race_backend})",
        SCANNERS,
        abs(statuses[201] - 1),
        len(retried),
    )
    assert statuses == {201: 1, 409: SCANNERS - 1}, statuses
    (winner,) = [body_of(r) for r in responses if r["statusCode"] == 201]
    at = winner["checkin"]["checked_in_at"]
    assert all(
        body_of(r) | {"detail": "already checked in", "checked_in_at": at} == body_of(r)
        for r in responses
        if r["statusCode"] == 409
    )
    assert count == len(attendances) == 1


def test_two_scanners_per_ticket_at_a_busy_door_check_each_member_in_once(
    race_backend: str,
) -> None:
    # Given 30 members' tickets, each about to be scanned by two scanners at once
    members = written_members(MEMBERS, first=32_000)
    event_id, texts = door_event(members)
    scanners = written_members(2, first=33_000, role=STAFF_ROLE)
    scans = [(staff, text) for text in texts for staff in scanners]

    # When all 60 scans go at the same moment
    retried: list[int] = []
    responses = all_at_once(lambda pair: scan(pair[0], event_id, pair[1], retried), scans)

    # Then each member was checked in by exactly one of the two, and counted once
    statuses = Counter(int(response["statusCode"]) for response in responses)
    count, attendances = checked_in(event_id)
    print(
        f"\n{race_backend}: {len(scans)} scans, 2 per ticket, at once: {dict(statuses)}, "
        f"503s retried {len(retried)}, checked_in_count {count}"
    )
    record_figure(
        f"{len(scans)} scans of {MEMBERS} tickets at once, members not checked in once "
        f"({race_backend})",
        len(scans),
        abs(statuses[201] - MEMBERS) + abs(count - MEMBERS),
        len(retried),
    )
    assert statuses == {201: MEMBERS, 409: MEMBERS}, statuses
    assert count == len(attendances) == MEMBERS
    for pair in zip(responses[::2], responses[1::2], strict=True):
        assert sorted(int(r["statusCode"]) for r in pair) == [201, 409]


def test_a_cancel_racing_its_check_in_leaves_one_of_the_two(race_backend: str) -> None:
    # Given 10 members' tickets, each member about to cancel as their ticket is scanned
    members = written_members(10, first=34_000)
    event_id, texts = door_event(members)
    (staff,) = written_members(1, first=35_000, role=STAFF_ROLE)
    retried: list[int] = []

    def act(step: tuple[str, int]) -> dict[str, Any]:
        action, index = step
        if action == "scan":
            return scan(staff, event_id, texts[index], retried)
        return retrying_503(lambda: cancel_rsvp(members[index], event_id), retried)

    # When each cancel and its scan go at the same moment
    steps = [(action, index) for index in range(10) for action in ("scan", "cancel")]
    responses = all_at_once(act, steps)

    # Then for each member either the check-in won (201, the cancel refused: 409) or the
    # cancel did (204, the ticket refused: 410); the counts match what is stored
    outcomes = Counter(
        (int(scanned["statusCode"]), int(cancelled["statusCode"]))
        for scanned, cancelled in zip(responses[::2], responses[1::2], strict=True)
    )
    count, attendances = checked_in(event_id)
    event = Event.get(event_id, consistent_read=True)
    # A cancel keeps its row as "left" (for the member's calendar feed): not a spot.
    going = [row for row in Attendance.query(event_id, consistent_read=True) if row.status != LEFT]
    print(
        f"\n{race_backend}: 10 check-ins each racing its member's cancel: "
        f"(scan, cancel) {dict(outcomes)}, 503s retried {len(retried)}"
    )
    assert set(outcomes) <= {(201, 409), (410, 204)}, outcomes
    assert count == len(attendances) == outcomes[(201, 409)]
    assert int(event.attendee_count) == len(going) == outcomes[(201, 409)]
