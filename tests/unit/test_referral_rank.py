"""The referrers' rank (data/referrals.py): the count's whole part, plus a fraction larger the
earlier that count was reached, exact in DynamoDB's 38 digits."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from community.data.referrals import listing, month_key, rank_step


def test_a_step_is_one_more_and_a_fraction_larger_for_an_earlier_moment() -> None:
    earlier = datetime(2026, 11, 30, 23, 59, 59, 998_000, tzinfo=UTC)
    later = earlier + timedelta(milliseconds=1)
    assert 1 < rank_step(later) < rank_step(earlier) < 2
    # A count of a billion and its fraction still fit in DynamoDB's 38 significant digits.
    rank = Decimal(10**9) + rank_step(later)
    assert len(rank.as_tuple().digits) <= 38
    assert int(rank) == 10**9 + 1


def test_the_fraction_stays_between_0_and_1_from_the_epoch_to_2286() -> None:
    assert 1 < rank_step(datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)) < 2
    assert 1 < rank_step(datetime(2286, 11, 20, tzinfo=UTC)) < 2


def test_a_referral_counts_in_the_utc_month_it_happened() -> None:
    moment = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert listing("month", moment) == "REFERRERS#2026-12"
    assert listing("all", moment) == "REFERRERS"
    assert month_key("USER#42", moment) == "REFCOUNT#2026-12#USER#42"
