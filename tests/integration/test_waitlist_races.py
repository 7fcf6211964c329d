"""Waitlist races through the real handlers, with real transactions: moto in-process (requests
serialized, as DynamoDB isolates them) and moto's server over HTTP one request at a time;
dynalite has no TransactWriteItems. Members join, leave, RSVP and cancel all at once, an admin
raises the capacity meanwhile, and after every round the invariants are checked on the stored
items and every member's position through the API."""

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.backends import (
    race_tables,
)
from support.figures import record_figure
from support.flows import (
    add_events,
    body_of,
    cancel_rsvp,
    join_waitlist,
    leave_waitlist,
    rsvp,
    rsvp_state,
    update_event,
    written_members,
)
from support.races import all_at_once, retrying_503
from support.waitlists import violations

from community.data.models import Notification
from community.entities import ADMIN_ROLE
from devkit.functions.placeholders import event_record

NO_TRANSACTIONS = (
    "dynalite 4.0.0 has no TransactWriteItems (UnknownOperationException): every waitlist "
    "write is a transaction (the item and the event's count together), so none can succeed"
)
CAPACITY = 5
GOING = 5
MEMBERS = 30
ROUNDS = 8
ACTIONS = ("join", "leave", "rsvp", "cancel")


@pytest.fixture(params=["in-process", "moto-server-serialized", "dynalite"])
def race_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, bool]]:
    """(the backend's name, whether it has transactions), its tables fresh and bound."""
    yield from race_tables(request, monkeypatch, request.param)


def positions_shown(tokens: list[str], event_id: str) -> list[int]:
    """The positions the API gives the members waiting, sorted."""
    found = []
    for token in tokens:
        state = body_of(rsvp_state(token, event_id))["rsvp"]
        if state["status"] == "waitlisted":
            found.append(int(state["position"]))
    return sorted(found)


def test_joining_leaving_rsvping_and_cancelling_at_once_keep_every_invariant(
    race_backend: tuple[str, bool],
) -> None:
    name, has_transactions = race_backend
    if not has_transactions:
        pytest.xfail(NO_TRANSACTIONS)
    # Given an event with 5 spots, all taken, 30 more members and an admin
    (event_id,) = add_events(
        [event_record(datetime.now(UTC) + timedelta(days=3), capacity=CAPACITY)]
    )
    going = written_members(GOING, first=20_000)
    for token in going:
        assert rsvp(token, event_id)["statusCode"] == 201
    others = written_members(MEMBERS, first=21_000)
    (admin,) = written_members(1, first=22_000, role=ADMIN_ROLE)
    everyone = going + others
    rng = random.Random(26)
    retried: list[int] = []
    operations = checks = broken = 0
    capacity = CAPACITY

    def act(step: tuple[str, str]) -> dict[str, Any]:
        action, token = step
        if action == "raise":
            return update_event(admin, event_id, {"capacity": capacity})
        call = {
            "join": join_waitlist,
            "leave": leave_waitlist,
            "rsvp": rsvp,
            "cancel": cancel_rsvp,
        }[action]
        return retrying_503(lambda: call(token, event_id), retried)

    for round_number in range(ROUNDS):
        # When, each round, every member does one thing at the same moment (and in every
        # other round the admin raises the capacity by one among them)
        steps = [(rng.choice(ACTIONS), token) for token in everyone]
        if round_number % 2 == 1:
            capacity += 1
            steps.append(("raise", admin))
        answers = all_at_once(act, steps)
        operations += len(steps)

        # Then every answer is one the API documents, and after the round the invariants hold
        # on the stored items and the positions shown are 1..n
        for (action, _), answer in zip(steps, answers, strict=True):
            allowed = {201, 200, 204, 409}
            assert answer["statusCode"] in allowed, (action, answer)
        problems = violations(event_id)
        shown = positions_shown(everyone, event_id)
        if shown != list(range(1, len(shown) + 1)):
            problems.append(f"positions shown {shown}")
        checks += 1 + len(everyone)
        broken += len(problems)
        assert problems == [], (round_number, problems)

    promoted = [item for item in Notification.scan() if item.pk.startswith(f"NOTICE#{event_id}#")]
    record_figure(
        f"waitlist races: capacity {CAPACITY}, {GOING} going, {MEMBERS} more members, "
        f"{ROUNDS} rounds, {operations} operations, {checks} invariant checks, "
        f"{len(promoted)} promotions; violations ({name})",
        operations,
        broken,
        len(retried),
    )
    assert broken == 0
    assert promoted, "no round promoted anyone: the race did not exercise promotion"
