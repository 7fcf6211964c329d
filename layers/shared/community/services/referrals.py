"""Who brought whom: the leaderboard of the members who brought the most members."""

from datetime import UTC, datetime

from community.data import referrals as referrals_table
from community.data import users as users_table
from community.schemas.referrals import Leaderboard, Period, Referrer

# The leaderboard shows the top ten: one Query of ten index entries, one BatchGetItem.
TOP = 10


def top(period: Period, now: datetime | None = None) -> Leaderboard:
    """The top referrers of this calendar month (UTC) or of all time: their counts and order
    from the index, their names and photos as their user items hold them now."""
    ranked = referrals_table.top(period, now or datetime.now(UTC), TOP)
    members = users_table.get_many([entry.telegram_id for entry in ranked])
    return Leaderboard(
        period=period,
        members=[
            Referrer(
                name=member.name,
                photo_url=member.photo_url,
                referral_code=member.referral_code,
                role=member.role,
                referral_count=entry.referral_count,
            )
            for entry in ranked
            # Every referrer has a user item (their count is on it); skip one that vanished.
            if (member := members.get(entry.telegram_id)) is not None
        ],
    )
