"""POST /api/telegram/webhook: Telegram's updates for the bot. 401 for a wrong secret token;
otherwise always 200, with the reply (a Bot API call) as the body when there is one."""

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.schemas.bot import WebhookAnswer
from community.services import bot

# Telegram's updates are small (a message is at most 4,096 characters); 64 KB is ample.
app = create_app("telegram-webhook", max_body_bytes=64 * 1024)


@app.post("/api/telegram/webhook", response_model=WebhookAnswer)
async def telegram_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    bot.check_secret(x_telegram_bot_api_secret_token)
    # The raw body, not a pydantic model: a malformed update must be a 200, never a 422.
    return JSONResponse(bot.handle_update(await request.body()))


handler = SafeMangum(app, lifespan="off")
