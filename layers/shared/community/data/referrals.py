"""Who brought whom: each member's count of members who joined through their code, kept in the
transaction that creates the referred member (data/users.py: create), and the sparse
by_referrals index that ranks the referrers, all time and per month, without a Scan.

The rank is one DynamoDB number: the count, plus a fraction that is larger the earlier that
count was reached, (10^13 - milliseconds since the epoch) / 10^13, always between 0 and 1
until the year 2286. Ordered descending, it lists the highest count first and, among equal
counts, whoever got there first. A transaction cannot read the count before writing, so the
rank is computed by DynamoDB from the count as the item holds it at commit:
`SET referral_rank = if_not_exists(referral_count, 0) + (1 + fraction), referral_count =
if_not_exists(referral_count, 0) + 1` (every operand of an update expression is the item
before the update). Concurrent first logins through one code each add exactly one, and the
rank always agrees with the count it was written with."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from community.data.backend import backend_errors
from community.data.models import (
    REFERRAL_MONTH_PREFIX,
    REFERRERS_LISTING,
    USER_PREFIX,
    ReferralMonth,
    User,
)

# The rank's fraction: milliseconds since the epoch stay below 10^13 until 2286.
_TIME_SCALE = 10**13
PERIOD_MONTH = "month"
PERIOD_ALL = "all"


@dataclass(frozen=True)
class Ranked:
    """One referrer in a listing: their users-table key and count (all time or that month)."""

    telegram_id: int
    referral_count: int


def month_of(at: datetime) -> str:
    """The calendar month (UTC) a referral counts in: YYYY-MM."""
    return at.strftime("%Y-%m")


def listing(period: str, at: datetime) -> str:
    return REFERRERS_LISTING if period == PERIOD_ALL else f"{REFERRERS_LISTING}#{month_of(at)}"


def month_key(user_pk: str, at: datetime) -> str:
    return f"{REFERRAL_MONTH_PREFIX}{month_of(at)}#{user_pk}"


def rank_step(at: datetime) -> Decimal:
    """What the rank is, above the count before this referral: one more referral, and how
    early it came."""
    milliseconds = int(at.timestamp() * 1000)
    return 1 + Decimal(_TIME_SCALE - milliseconds) / _TIME_SCALE


def _counting(
    model: type[User] | type[ReferralMonth], listed_as: str, at: datetime
) -> list[Action]:
    step: Any = {"N": str(rank_step(at))}  # serialised already: exact, whatever the attribute
    return [
        # The rank first: it reads the count as it was (DynamoDB reads every operand before
        # the update; moto applies the actions in order, which reads the same).
        model.referral_rank.set((model.referral_count | 0) + step),
        model.referral_count.set((model.referral_count | 0) + 1),
        model.referral_listing.set(listed_as),
    ]


def credit(transaction: TransactWrite, referrer_pk: str, referrer_code: str, at: datetime) -> None:
    """Add to `transaction` the referrer's one more member: on their user item, conditional on
    it still being the member the code names, and on their counter for `at`'s month (created
    by its first referral)."""
    transaction.update(
        User(referrer_pk),
        actions=_counting(User, REFERRERS_LISTING, at),
        condition=User.referral_code == referrer_code,
    )
    transaction.update(
        ReferralMonth(month_key(referrer_pk, at)),
        actions=_counting(ReferralMonth, listing(PERIOD_MONTH, at), at),
    )


def _count_of(rank: Decimal | None) -> int:
    # The whole part; the fraction is only the order. Every item in the index has a rank.
    return int(rank or 0)


def top(period: str, at: datetime, limit: int) -> list[Ranked]:
    """The `limit` referrers with the most members brought (all time, or in `at`'s month),
    ties in the order they reached their count: one Query of the index's partition."""
    with backend_errors():
        if period == PERIOD_ALL:
            found: list[User | ReferralMonth] = list(
                User.by_referrals.query(REFERRERS_LISTING, scan_index_forward=False, limit=limit)
            )
        else:
            found = list(
                ReferralMonth.by_referrals.query(
                    listing(period, at), scan_index_forward=False, limit=limit
                )
            )
    return [
        Ranked(
            # A month counter's key ends with its member's: REFCOUNT#<month>#USER#<id>.
            telegram_id=int(item.pk.rpartition(USER_PREFIX)[2]),
            referral_count=_count_of(item.referral_rank),
        )
        for item in found
    ]
