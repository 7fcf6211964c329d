"""Races through the real handlers against real servers over HTTP: moto's server and dynalite,
an independent implementation. Threads start together at a barrier, as concurrent Lambda
containers would hit the table."""

from datetime import UTC, datetime

import pytest
from support.backends import ServerBackend
from support.figures import record_figure
from support.flows import body_of, callback, generate_code
from support.races import all_at_once, retrying_503

from community.data.models import AuthCode, ReferralGuard, User

NO_TRANSACTIONS = (
    "dynalite 4.0.0 has no TransactWriteItems (UnknownOperationException): a first login, "
    "which writes the user and its referral guard in one transaction, cannot succeed there"
)


def users_and_guards() -> tuple[list[User], list[ReferralGuard]]:
    users = list(User.scan(User.pk.startswith("USER#"), consistent_read=True))
    guards = list(
        ReferralGuard.scan(ReferralGuard.pk.startswith("REFERRAL#"), consistent_read=True)
    )
    return users, guards


def test_fifty_concurrent_redemptions_of_one_code_yield_one_token(
    server_backend: ServerBackend,
) -> None:
    # Given one login code
    code = body_of(generate_code(42, "Alice"))["code"]
    if not server_backend.supports_transactions:
        # The user already exists, so the winner's login is the returning path (no transaction)
        # and the race is the conditional DeleteItem alone, which dynalite does support.
        User(
            "USER#42",
            id="u-42",
            telegram_id=42,
            name="Alice",
            referral_code="UP-ALICE1",
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
        ).save()

    # When fifty requests redeem it at the same moment
    statuses = all_at_once(lambda _: int(callback(code, 42)["statusCode"]), list(range(50)))

    # Then exactly one gets a token and the others a 401; the code is gone
    record_figure(
        f"50 concurrent redemptions of one code, extra tokens ({server_backend.name})",
        50,
        abs(statuses.count(200) - 1),
    )
    assert statuses.count(200) == 1, statuses
    assert statuses.count(401) == 49, statuses
    assert list(AuthCode.scan(consistent_read=True)) == []


def test_two_hundred_concurrent_first_logins_make_two_hundred_members(
    server_backend: ServerBackend,
) -> None:
    if not server_backend.supports_transactions:
        pytest.xfail(NO_TRANSACTIONS)
    # Given 200 people, each with a login code
    people = list(range(1_000, 1_200))
    codes = {person: body_of(generate_code(person, f"P{person}"))["code"] for person in people}

    # When they all log in for the first time at once
    retried: list[int] = []
    responses = all_at_once(
        lambda person: retrying_503(lambda: callback(codes[person], person), retried), people
    )

    # Then each got a token, and there are 200 users with 200 codes and 200 matching guards
    statuses = [response["statusCode"] for response in responses]
    users, guards = users_and_guards()
    codes_in_use = {user.referral_code for user in users}
    guarded = {guard.pk.removeprefix("REFERRAL#"): guard.user_pk for guard in guards}
    matched = sum(1 for user in users if guarded.get(user.referral_code) == user.pk)
    record_figure(
        f"200 concurrent first logins, members lost or unguarded ({server_backend.name})",
        200,
        200 - matched + abs(len(guards) - 200),
        len(retried),
    )
    assert statuses == [200] * 200, [body_of(r) for r in responses if r["statusCode"] != 200]
    assert sorted(int(user.telegram_id) for user in users) == people
    assert len(codes_in_use) == 200
    assert len(guards) == 200
    assert matched == 200


def test_twenty_concurrent_first_logins_of_one_person_make_one_member(
    server_backend: ServerBackend,
) -> None:
    if not server_backend.supports_transactions:
        pytest.xfail(NO_TRANSACTIONS)
    # Given one person holding twenty login codes
    codes = [body_of(generate_code(77, "Carol"))["code"] for _ in range(20)]

    # When all twenty are redeemed at once
    retried: list[int] = []
    responses = all_at_once(lambda code: retrying_503(lambda: callback(code, 77), retried), codes)

    # Then all twenty log in as the same single member with a single guard
    sessions = [body_of(response) for response in responses]
    users, guards = users_and_guards()
    record_figure(
        f"20 concurrent first logins of one person, extra members ({server_backend.name})",
        20,
        abs(len(users) - 1) + abs(len(guards) - 1),
        len(retried),
    )
    assert [response["statusCode"] for response in responses] == [200] * 20, sessions
    assert len({session["user"]["id"] for session in sessions}) == 1
    assert [int(user.telegram_id) for user in users] == [77]
    assert [guard.pk for guard in guards] == [f"REFERRAL#{users[0].referral_code}"]


def test_without_transactions_a_first_login_fails_cleanly_and_keeps_the_code(
    server_backend: ServerBackend,
) -> None:
    # What a server without TransactWriteItems does to a first login: a JSON 5xx, no half
    # member, and the code put back. Where transactions exist, the login simply works.
    code = body_of(generate_code(42, "Alice"))["code"]

    response = callback(code, 42)

    users, guards = users_and_guards()
    if server_backend.supports_transactions:
        assert response["statusCode"] == 200
        assert len(users) == len(guards) == 1
    else:
        assert response["statusCode"] == 500, response
        assert body_of(response) == {"success": False, "detail": "internal error"}
        assert users == guards == []
        assert len(list(AuthCode.scan(consistent_read=True))) == 1
