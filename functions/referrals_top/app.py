"""GET /api/v1/referrals/top?period=month|all: the ten members who brought the most members,
this calendar month (UTC, the default) or of all time; public profile fields only."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NOT_MODIFIED, PRIVATE_MINUTE, conditional_json
from community.schemas.referrals import Leaderboard, Period
from community.services import referrals

app = create_app("referrals-top")


@app.get("/api/v1/referrals/top", response_model=Leaderboard, responses=NOT_MODIFIED)
async def referrals_top(request: Request, _: CurrentUser, period: Period = "month") -> Response:
    return conditional_json(request, referrals.top(period), PRIVATE_MINUTE)


handler = SafeMangum(app, lifespan="off")
