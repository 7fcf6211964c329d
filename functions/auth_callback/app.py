"""POST /api/auth/callback: redeem a one-time login code for an access token."""

from typing import Annotated

from fastapi import Query

from community.errors import InvalidRequest
from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.schemas.auth import LOGIN_CODE_PATTERN, CallbackRequest, Session, TelegramId
from community.services.auth import redeem_login_code

app = create_app("auth-callback")


@app.post("/api/auth/callback", response_model=Session)
async def auth_callback(
    body: CallbackRequest | None = None,
    code: Annotated[str | None, Query(pattern=LOGIN_CODE_PATTERN)] = None,
    telegram_id: Annotated[TelegramId | None, Query()] = None,
) -> Session:
    # The front end sends the two fields either as a JSON body or in the query string.
    if body is None:
        if code is None or telegram_id is None:
            raise InvalidRequest("code and telegram_id are required")
        body = CallbackRequest(code=code, telegram_id=telegram_id)
    return redeem_login_code(body.code, body.telegram_id)


handler = SafeMangum(app, lifespan="off")
