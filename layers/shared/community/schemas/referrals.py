"""Who brought whom: the referrers' leaderboard."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel

from community.values import single_line

# community.data.referrals' PERIOD_MONTH and PERIOD_ALL: this calendar month (UTC), or ever.
Period = Literal["month", "all"]


class Referrer(BaseModel):
    """A member on the leaderboard: their public profile's fields and their count."""

    name: Annotated[str, AfterValidator(single_line)]
    photo_url: str | None
    referral_code: str
    role: str
    # Members who joined through this member's code, in the period asked for.
    referral_count: int


class Leaderboard(BaseModel):
    """GET /api/v1/referrals/top: the members who brought the most, highest first; equal counts
    in the order they were reached."""

    success: bool = True
    period: Period
    members: list[Referrer]
