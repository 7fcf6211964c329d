"""What DynamoDB does to concurrent transactions on one popular event, and local servers do
not: it cancels some of them with a TransactionConflict reason. The RSVP and cancel services
retry those a few times, then answer 503 + Retry-After; either way the count stays equal to
the attendances. On moto in-process, with the conflicts injected at botocore's hooks."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.faults import failing
from support.flows import add_events, body_of, cancel_rsvp, login, rsvp

from community.data.models import Attendance, Event
from community.entities import LEFT
from community.services import attendance
from devkit.functions.placeholders import event_record

pytestmark = [
    pytest.mark.usefixtures("dynamodb"),
    pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True),
]

# As DynamoDB answers: one reason per item, "None" for the item that was not the problem.
CONFLICT = {
    "CancellationReasons": [
        {"Code": "None"},
        {"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"},
    ]
}


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(attendance, "_pause", lambda attempt: None)


def conflicting(times: int) -> Any:
    return failing("TransactWriteItems", "TransactionCanceledException", times, details=CONFLICT)


def an_event() -> str:
    return add_events([event_record(datetime.now(UTC) + timedelta(days=2), capacity=3)])[0]


def stored(event_id: str) -> tuple[int, int]:
    count = int(Event.get(event_id, consistent_read=True).attendee_count)
    items = Attendance.query(event_id, consistent_read=True)
    # A cancel leaves its row, status "left" (the calendar feed's), holding no spot.
    return count, len([item for item in items if item.status != LEFT])


def test_an_rsvp_cancelled_by_conflicts_is_retried_and_taken_once() -> None:
    # Given an event, and DynamoDB cancelling the next three RSVP transactions for conflicts
    event_id, token = an_event(), login()["token"]

    # When the member RSVPs
    with conflicting(times=3) as conflicts:
        response = rsvp(token, event_id)

    # Then the fourth attempt took the spot, once
    assert len(conflicts) == 3
    assert response["statusCode"] == 201, response
    assert stored(event_id) == (1, 1)


def test_an_rsvp_that_keeps_conflicting_is_a_503_and_writes_nothing() -> None:
    event_id, token = an_event(), login()["token"]

    with conflicting(times=1_000) as conflicts:
        response = rsvp(token, event_id)

    assert len(conflicts) == attendance.MAX_ATTEMPTS
    assert response["statusCode"] == 503, response
    assert response["headers"]["retry-after"] == "1"
    assert body_of(response)["success"] is False
    assert stored(event_id) == (0, 0)


def test_a_cancel_cancelled_by_a_conflict_is_retried() -> None:
    event_id, token = an_event(), login()["token"]
    assert rsvp(token, event_id)["statusCode"] == 201

    with conflicting(times=1) as conflicts:
        response = cancel_rsvp(token, event_id)

    assert len(conflicts) == 1
    assert response["statusCode"] == 204, response
    assert stored(event_id) == (0, 0)
