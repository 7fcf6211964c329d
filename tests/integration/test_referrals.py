"""Who brought whom: each member's referral_count on their private profile, and the leaderboard
(GET /api/v1/referrals/top): the top ten by count, ties in the order the count was reached,
this month or of all time, public fields only, cached briefly in the member's client only."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from support.faults import failing
from support.flows import body_of, callback, generate_code, login, referrals_top

from community.data import referrals as referrals_table
from community.services import users as users_service
from community.telegram import TelegramUser
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke

pytestmark = pytest.mark.usefixtures("dynamodb")
PUBLIC_FIELDS = {"name", "photo_url", "referral_code", "role", "referral_count"}


def users_me(token: str) -> dict[str, Any]:
    return invoke("UsersMeFunction", load_event("users_me", TOKEN=token))


def join(telegram_id: int, code: str | None, at: datetime) -> str:
    """A newcomer's first login through `code` at the moment `at`; their own code."""
    profile = TelegramUser(telegram_id, f"Newcomer {telegram_id}", None, None, start_param=code)
    return users_service.login(profile, at).referral_code


def board(token: str, period: str) -> list[tuple[str, int]]:
    response = referrals_top(token, f"period={period}")
    assert response["statusCode"] == 200, response
    body = body_of(response)
    assert body["success"] is True
    assert body["period"] == period
    return [(member["referral_code"], member["referral_count"]) for member in body["members"]]


def test_the_private_profile_counts_the_members_who_joined_through_the_code() -> None:
    # Given a member nobody has joined through yet
    rita = login(1, "Rita")
    assert rita["user"]["referral_count"] == 0
    assert body_of(users_me(rita["token"]))["user"]["referral_count"] == 0

    # When two newcomers join through her code (one in lower case), one logs in again, and one
    # joins through an unknown code
    code = rita["user"]["referral_code"]
    login(10, "Newt", start_param=code)
    login(11, "Nora", start_param=code.lower())
    login(10, "Newt", start_param=code)
    login(12, "Stray", start_param="UP-ZZZZZZ")

    # Then her profile says two
    assert body_of(users_me(rita["token"]))["user"]["referral_count"] == 2


def test_the_leaderboard_is_the_top_ten_by_count_ties_in_the_order_reached() -> None:
    # Given twelve referrers, R1 to R12, where Rn brought n members, all within this month
    start = datetime.now(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    tick = iter(range(10_000))

    def moment() -> datetime:
        return start + timedelta(seconds=next(tick))

    codes = {n: join(n, None, moment()) for n in range(1, 13)}
    newcomer = iter(range(1_000, 2_000))
    for n, code in codes.items():
        for _ in range(n):
            join(next(newcomer), code, moment())
    # And then R3 and R4 reach 5 too, R4 before R3 (R5 got there first of all)
    join(next(newcomer), codes[3], moment())
    join(next(newcomer), codes[4], moment())
    join(next(newcomer), codes[3], moment())
    token = login(1, "R1")["token"]

    # When a member asks for the leaderboard of this month and of all time
    expected = [(codes[n], n) for n in range(12, 5, -1)] + [
        (codes[5], 5),
        (codes[4], 5),
        (codes[3], 5),
    ]

    # Then both list the ten highest counts, equal counts in the order they were reached
    assert board(token, "month") == expected
    assert board(token, "all") == expected


def test_a_referral_counts_in_its_own_month_and_in_all_time() -> None:
    # Given a referrer who brought three members last month and one this month
    now = datetime.now(UTC)
    last_month = now.replace(day=1) - timedelta(days=3)
    code = join(1, None, last_month)
    for newcomer in (100, 101, 102):
        join(newcomer, code, last_month)
    join(103, code, now)
    token = login(1, "Rita")["token"]

    # Then this month's board counts one, all time four, and last month's counter three
    assert board(token, "month") == [(code, 1)]
    assert board(token, "all") == [(code, 4)]
    assert [r.referral_count for r in referrals_table.top("month", last_month, 10)] == [3]


def test_the_leaderboard_shows_public_fields_only_and_is_private_for_a_minute() -> None:
    # Given a referrer with a photo and an email, and one member they brought
    rita = login(1, "Rita")
    users_service.login(
        TelegramUser(1, "Rita", "rita", "https://t.me/i/userpic/320/rita.jpg"), datetime.now(UTC)
    )
    login(2, "Newt", start_param=rita["user"]["referral_code"])

    # When a member asks for the leaderboard (period defaults to this month)
    response = referrals_top(rita["token"])

    # Then it lists the referrer with their public fields and count, nothing else
    body = body_of(response)
    assert body["period"] == "month"
    (member,) = body["members"]
    assert set(member) == PUBLIC_FIELDS
    assert member == {
        "name": "Rita",
        "photo_url": "https://t.me/i/userpic/320/rita.jpg",
        "referral_code": rita["user"]["referral_code"],
        "role": "member",
        "referral_count": 1,
    }
    # And it is kept a minute by the member's client only, then revalidated by its ETag
    headers = response["headers"]
    assert headers["cache-control"] == "private, max-age=60"
    again = referrals_top(rita["token"], headers={"if-none-match": headers["etag"]})
    assert again["statusCode"] == 304


def test_the_leaderboard_needs_a_token_and_a_known_period() -> None:
    token = login(1, "Rita")["token"]

    anonymous = load_event("referrals_top", TOKEN="x")
    del anonymous["headers"]["authorization"]
    refused = invoke("ReferralsTopFunction", anonymous)
    assert refused["statusCode"] == 401
    assert body_of(refused)["success"] is False

    wrong = referrals_top(token, "period=year")
    assert wrong["statusCode"] == 422
    assert body_of(wrong)["success"] is False

    assert board(token, "all") == []


@pytest.mark.parametrize("operation", ["GetItem", "TransactWriteItems"])
def test_a_referred_login_that_fails_counts_nothing_and_its_retry_counts_once(
    operation: str,
) -> None:
    # Given a referrer, and a newcomer's login code from a link with their code
    rita = login(1, "Rita")
    code = body_of(generate_code(2, "Newt", start_param=rita["user"]["referral_code"]))["code"]

    # When DynamoDB throttles the guard's read or the transaction
    with failing(operation, "ThrottlingException") as failures:
        failed = callback(code, 2)

    # Then the newcomer is told to retry and nothing was counted; the retry counts once
    assert failures
    assert failed["statusCode"] == 503
    assert body_of(users_me(rita["token"]))["user"]["referral_count"] == 0
    assert callback(code, 2)["statusCode"] == 200
    assert body_of(users_me(rita["token"]))["user"]["referral_count"] == 1
    assert board(rita["token"], "month") == [(rita["user"]["referral_code"], 1)]
