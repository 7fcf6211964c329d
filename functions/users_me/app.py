"""GET /api/users/me: the signed-in member's private profile, revalidated by ETag."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NOT_MODIFIED, PRIVATE_SHORT, conditional_json
from community.schemas.users import PrivateProfile
from community.services import users

app = create_app("users-me")


@app.get("/api/users/me", response_model=PrivateProfile, responses=NOT_MODIFIED)
async def users_me(request: Request, user: CurrentUser) -> Response:
    return conditional_json(request, users.private_profile(user), PRIVATE_SHORT)


handler = SafeMangum(app, lifespan="off")
