"""The Telegram webhook's answer."""

from pydantic import BaseModel


class BotButton(BaseModel):
    text: str
    url: str | None = None
    web_app: dict[str, str] | None = None


class BotReplyMarkup(BaseModel):
    inline_keyboard: list[list[BotButton]]


class WebhookAnswer(BaseModel):
    """The webhook's answer: a Bot API method call Telegram runs itself (`sendMessage`;
    `approveChatJoinRequest` or `declineChatJoinRequest` with `user_id`), or `{"ok": true}`
    when there is nothing to say."""

    ok: bool | None = None
    method: str | None = None
    chat_id: int | None = None
    text: str | None = None
    reply_markup: BotReplyMarkup | None = None
    user_id: int | None = None
