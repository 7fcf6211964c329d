"""PATCH /api/users/me: what a member may change about themselves: whether the bot sends them
event reminders (`{"reminders": false}`) and their email address (`{"email": "..."}` stores it
unverified and sends a verification link; `null` removes it)."""

from fastapi import Request, Response

from community.http.adapter import SafeMangum
from community.http.app import create_app, error_responses
from community.http.auth import CurrentUser
from community.http.caching import NO_STORE, conditional_json
from community.schemas.users import PrivateProfile, UserUpdate
from community.services import email

app = create_app("users-me-update")


@app.patch("/api/users/me", response_model=PrivateProfile, responses=error_responses(409, 429, 502))
async def users_me_update(request: Request, changes: UserUpdate, user: CurrentUser) -> Response:
    return conditional_json(request, email.apply_changes(user, changes), NO_STORE)


handler = SafeMangum(app, lifespan="off")
