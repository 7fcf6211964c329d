"""PATCH /api/users/me: what a member may change about themselves; today whether the bot
sends them event reminders (`{"reminders": false}`)."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas import PrivateProfile, UserUpdate
from community.services import users

app = create_app("users-me-update")


@app.patch("/api/users/me", response_model=PrivateProfile)
async def users_me_update(request: Request, changes: UserUpdate, user: CurrentUser) -> Response:
    return conditional_json(request, users.update_me(user, changes), NO_STORE)


handler = SafeMangum(app, lifespan="off")
