"""Role races through the real handlers, with real transactions: moto in-process (requests
serialized, as DynamoDB isolates them) and moto's server over HTTP one request at a time
(dynalite has no TransactWriteItems, and every role change is one). Admins demote each other,
or themselves, at the same moment; after every round at least one admin is left, the count of
admins is the number of admin items, the listing shows exactly them, and there is one audit
record per change answered 200."""

from collections.abc import Iterator
from typing import Any

import pytest
from support.backends import (
    race_tables,
)
from support.figures import record_figure
from support.flows import body_of, login, member_roles, set_member_role
from support.races import all_at_once, retrying_503

from community.data import roles as roles_table
from community.data.models import ROLE_CHANGE_PREFIX, User
from community.services.users import set_role

ROUNDS = 6


@pytest.fixture(params=["in-process", "moto-server-serialized"])
def race_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The backend's name, its tables fresh and bound."""
    for name, _ in race_tables(request, monkeypatch, request.param):
        yield name


def stored_admins() -> dict[int, str]:
    """The admin items' Telegram ids and referral codes (a test may Scan; the API never does)."""
    return {
        int(item.telegram_id): item.referral_code
        for item in User.scan(consistent_read=True)
        if item.pk.startswith("USER#") and item.role == "admin"
    }


def audit_count() -> int:
    return sum(
        1 for item in User.scan(consistent_read=True) if item.pk.startswith(ROLE_CHANGE_PREFIX)
    )


class Admin:
    def __init__(self, telegram_id: int) -> None:
        session = login(telegram_id, f"Admin {telegram_id}")
        set_role(telegram_id, "admin")
        self.telegram_id = telegram_id
        self.token: str = session["token"]
        self.code: str = session["user"]["referral_code"]


def problems_after(
    round_name: str, audited_before: int, answered_200: int, reader: str
) -> list[str]:
    problems = []
    admins = stored_admins()
    if not admins:
        problems.append(f"{round_name}: no admin left")
    if roles_table.admin_count() != len(admins):
        problems.append(f"{round_name}: count {roles_table.admin_count()} for {len(admins)} admins")
    if audit_count() != audited_before + answered_200:
        written = audit_count() - audited_before
        problems.append(f"{round_name}: {written} audit records for {answered_200} changes")
    listed = body_of(member_roles(reader))["members"]
    if sorted(m["referral_code"] for m in listed if m["role"] == "admin") != sorted(
        admins.values()
    ):
        problems.append(f"{round_name}: the listing shows {listed}")
    return problems


def test_admins_demoting_each_other_or_themselves_at_once_always_leave_an_admin(
    race_backend: str,
) -> None:
    retried: list[int] = []
    outcomes: dict[str, dict[int, int]] = {"each-other": {}, "themselves": {}}
    requests = 0
    problems: list[str] = []
    survivor: Admin | None = None
    next_id = 60_000
    for round_number in range(ROUNDS):
        for kind in ("each-other", "themselves"):
            # Given exactly two admins, made by the operator tool (the last round's survivor
            # steps down once they exist)
            first, second = Admin(next_id), Admin(next_id + 1)
            next_id += 2
            if survivor is not None:
                assert set_role(survivor.telegram_id, "member") is True
            assert set(stored_admins()) == {first.telegram_id, second.telegram_id}
            audited = audit_count()

            # When both demote, at the same moment, the other (or themselves) to member
            if kind == "each-other":
                steps = [(first.token, second.code), (second.token, first.code)]
            else:
                steps = [(first.token, first.code), (second.token, second.code)]
            answers: list[dict[str, Any]] = all_at_once(
                lambda step: retrying_503(
                    lambda: set_member_role(step[0], step[1], "member"), retried
                ),
                steps,
            )
            requests += len(steps)

            # Then exactly one change went through; the other was refused: 403 (its admin
            # was demoted first) or 409 (it would have removed the last admin)
            statuses = sorted(answer["statusCode"] for answer in answers)
            for status in statuses:
                outcomes[kind][status] = outcomes[kind].get(status, 0) + 1
            assert statuses in ([200, 403], [200, 409]), (kind, answers)
            # And the invariants hold on the stored items, the count and the listing
            (remaining,) = stored_admins()
            survivor = first if remaining == first.telegram_id else second
            problems += problems_after(
                f"round {round_number} {kind}", audited, statuses.count(200), survivor.token
            )
    record_figure(
        f"role races: two admins demoting each other, then themselves, at once, {ROUNDS} rounds "
        f"each, {requests} requests, outcomes {outcomes}; rounds left without an admin or "
        f"with a wrong count, listing or audit ({race_backend})",
        2 * ROUNDS,
        len(problems),
        len(retried),
    )
    assert problems == []
    print(
        f"role races ({race_backend}): {requests} requests, outcomes {outcomes}, "
        f"503s retried {len(retried)}"
    )


def test_four_admins_stepping_down_at_once_leave_exactly_one(race_backend: str) -> None:
    # Given four admins
    admins = [Admin(70_000 + index) for index in range(4)]
    audited = audit_count()

    # When all four make themselves member at the same moment
    retried: list[int] = []
    answers = all_at_once(
        lambda admin: retrying_503(
            lambda: set_member_role(admin.token, admin.code, "member"), retried
        ),
        admins,
    )

    # Then three went through and the fourth was told it is the last admin
    statuses = sorted(answer["statusCode"] for answer in answers)
    assert statuses == [200, 200, 200, 409], answers
    (last,) = [
        admin for admin, answer in zip(admins, answers, strict=True) if answer["statusCode"] == 409
    ]
    assert set(stored_admins()) == {last.telegram_id}
    assert problems_after("four at once", audited, 3, last.token) == []
