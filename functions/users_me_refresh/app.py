"""POST /api/users/me/refresh: the private profile from a strongly consistent read, for right
after the member changed something."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUserConsistent
from community.http.caching import NO_STORE, conditional_json
from community.schemas.users import PrivateProfile
from community.services import users

app = create_app("users-me-refresh")


@app.post("/api/users/me/refresh", response_model=PrivateProfile)
async def users_me_refresh(request: Request, user: CurrentUserConsistent) -> Response:
    return conditional_json(request, users.private_profile(user), NO_STORE)


handler = SafeMangum(app, lifespan="off")
