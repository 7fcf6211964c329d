"""POST /api/telegram/webhook: Telegram's updates for the bot. 401 for a wrong secret token;
otherwise always 200, with the reply (a Bot API call) as the body when there is one: even an
update too big to read (services/bot.py MAX_UPDATE_BYTES) is a 200, since Telegram delivers a
non-2xx again and again."""

from typing import Annotated

from fastapi import Header, Request
from fastapi.responses import JSONResponse

from community.http.adapter import SafeMangum
from community.http.app import create_app
from community.schemas.bot import WebhookAnswer
from community.services import bot

# The body limit here is Lambda's own (6 MB: nothing bigger reaches the function), so the
# middleware's 413 never answers Telegram; the handler decides what it reads, after the secret.
app = create_app("telegram-webhook", max_body_bytes=bot.LAMBDA_PAYLOAD_BYTES)


@app.post("/api/telegram/webhook", response_model=WebhookAnswer)
async def telegram_webhook(
    request: Request,
    x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    bot.check_secret(x_telegram_bot_api_secret_token)
    # The raw body, not a pydantic model: a malformed update must be a 200, never a 422.
    return JSONResponse(bot.handle_update(await request.body()))


handler = SafeMangum(app, lifespan="off")
