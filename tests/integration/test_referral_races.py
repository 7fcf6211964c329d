"""Referral counting races through the real handlers, with real transactions: moto in-process
(requests serialized, as DynamoDB isolates them) and moto's server over HTTP one request at a
time (dynalite has no TransactWriteItems, and a first login is one). Many newcomers log in for
the first time through one code at the same moment; the referrer's count, their month's
counter and the leaderboard must say exactly how many members that code brought."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from support.backends import (
    race_tables,
)
from support.figures import record_figure
from support.flows import body_of, callback, generate_code, login, referrals_top
from support.races import all_at_once, retrying_503

from community.data import referrals as referrals_table
from community.data.models import ReferralMonth, User

NEWCOMERS = 40
# A second code's newcomers, racing the first's: the counts must not leak between referrers.
OTHERS = 15


@pytest.fixture(params=["in-process", "moto-server-serialized"])
def race_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The backend's name, its tables fresh and bound."""
    for name, _ in race_tables(request, monkeypatch, request.param):
        yield name


def stored_count(telegram_id: int) -> int:
    return int(User.get(f"USER#{telegram_id}", consistent_read=True).referral_count or 0)


def month_count(telegram_id: int) -> int:
    key = referrals_table.month_key(f"USER#{telegram_id}", datetime.now(UTC))
    try:
        return int(ReferralMonth.get(key, consistent_read=True).referral_count)
    except ReferralMonth.DoesNotExist:
        return 0


def referred_by(code: str) -> list[int]:
    """The members whose item names `code` as their referrer (a test may Scan; the API never
    does)."""
    return sorted(
        int(item.telegram_id)
        for item in User.scan(User.pk.startswith("USER#"), consistent_read=True)
        if item.referred_by == code
    )


def first_login(telegram_id: int, start_param: str, retried: list[int]) -> int:
    issued = generate_code(telegram_id, f"Newcomer {telegram_id}", start_param=start_param)
    code = body_of(issued)["code"]
    return int(retrying_503(lambda: callback(code, telegram_id), retried)["statusCode"])


def test_newcomers_logging_in_at_once_through_one_code_are_each_counted_once(
    race_backend: str,
) -> None:
    # Given two members, each with a referral code
    rita = login(1, "Rita")
    omar = login(2, "Omar")
    rita_code, omar_code = rita["user"]["referral_code"], omar["user"]["referral_code"]

    # When 40 newcomers log in for the first time through Rita's code and 15 through Omar's,
    # all at the same moment
    mine = list(range(10_000, 10_000 + NEWCOMERS))
    others = list(range(20_000, 20_000 + OTHERS))
    plans = [(person, rita_code) for person in mine] + [(person, omar_code) for person in others]
    retried: list[int] = []
    statuses = all_at_once(lambda plan: first_login(plan[0], plan[1], retried), plans)

    # Then every login succeeded, and each referrer's count, month counter and referred
    # members are exactly their newcomers
    counts = (stored_count(1), month_count(1), len(referred_by(rita_code)))
    other_counts = (stored_count(2), month_count(2), len(referred_by(omar_code)))
    record_figure(
        f"{NEWCOMERS} + {OTHERS} concurrent first logins through two codes, "
        f"referrals miscounted ({race_backend})",
        NEWCOMERS + OTHERS,
        sum(abs(n - NEWCOMERS) for n in counts) + sum(abs(n - OTHERS) for n in other_counts),
        len(retried),
    )
    print(
        f"\n{race_backend}: {NEWCOMERS} through one code -> referral_count {counts[0]}, "
        f"month {counts[1]}, referred members {counts[2]}; {OTHERS} through another -> "
        f"{other_counts}; 503s retried {len(retried)}"
    )
    assert statuses == [200] * (NEWCOMERS + OTHERS)
    assert referred_by(rita_code) == mine
    assert referred_by(omar_code) == others
    assert counts == (NEWCOMERS, NEWCOMERS, NEWCOMERS)
    assert other_counts == (OTHERS, OTHERS, OTHERS)

    # And the leaderboard says so, in both periods, and Rita's profile too
    for period in ("month", "all"):
        board = body_of(referrals_top(rita["token"], f"period={period}"))
        assert [(m["referral_code"], m["referral_count"]) for m in board["members"]] == [
            (rita_code, NEWCOMERS),
            (omar_code, OTHERS),
        ]


def test_one_newcomer_logging_in_many_times_at_once_is_counted_once(race_backend: str) -> None:
    # Given a member with a referral code, and a newcomer holding ten login codes from links
    # with it
    rita = login(1, "Rita")
    code = rita["user"]["referral_code"]
    login_codes = [body_of(generate_code(500, "Newt", start_param=code))["code"] for _ in range(10)]

    # When the newcomer redeems all ten at once, then logs in once more later
    retried: list[int] = []
    responses = all_at_once(
        lambda login_code: retrying_503(lambda: callback(login_code, 500), retried), login_codes
    )
    again = login(500, "Newt", start_param=code)

    # Then they are one member, counted once
    counted = (stored_count(1), month_count(1))
    record_figure(
        f"10 concurrent first logins of one newcomer through a code, extra counts ({race_backend})",
        10,
        sum(abs(n - 1) for n in counted),
        len(retried),
    )
    assert [response["statusCode"] for response in responses] == [200] * 10
    assert {body_of(response)["user"]["id"] for response in responses} == {again["user"]["id"]}
    assert referred_by(code) == [500]
    assert counted == (1, 1)
