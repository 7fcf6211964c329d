"""Notices by Telegram message: to members whose last login allowed the bot to write to them
and who have not blocked it. A 403 (the bot blocked) records the member as unreachable, and
they are skipped until they log in again (a login newer than the record ends it).

The Bot API client's outcomes, as the pipeline settles them: a 5xx or no connection after the
bounded retries, or a 429 asking for too long a wait, certainly did not arrive (released); a
read timeout may have (kept, `unknown`); another 4xx never can (kept, `refused`)."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from community import applinks

# The Bot API client, imported here only.
from community.data import notifications
from community.entities import Member
from community.gateways import credentials
from community.gateways import telegram_bot as botapi
from community.services.notifications.pipeline import (
    Content,
    Medium,
    Notice,
    Recipient,
    Result,
)
from community.settings import get_settings

BotApi = botapi.BotApi
# Senders in flight at once. The pace is the client's Pacer; several senders let it be kept
# while each waits ~50-100 ms for Telegram's answer.
SENDERS = 4


def default_api() -> BotApi:
    settings = get_settings()
    return botapi.BotApi(
        str(settings.telegram_api_base_url),
        credentials.telegram_bot_token(),
        pacer=botapi.Pacer(settings.telegram_messages_per_second),
    )


def message(content: Content, chat_id: int) -> dict[str, Any]:
    """sendMessage's parameters: the lines, and a button opening the Mini App at the link (a
    web_app button: notices go to the member's private chat with the bot)."""
    button = applinks.button(content.link_text, content.link, private_chat=True)
    return {
        "chat_id": chat_id,
        "text": "\n".join(content.lines),
        "reply_markup": {"inline_keyboard": [[button]]},
    }


@dataclass(frozen=True)
class TelegramChannel:
    api: BotApi
    senders: int = SENDERS
    medium: Medium = "telegram"
    prefix: str = ""
    warns: bool = False  # blocks and refusals are routine in a chat

    def records(self, recipients: list[Recipient]) -> list[str]:
        ids = {r.telegram_id for r in recipients if r.telegram_id is not None}
        return [notifications.unreachable_key(telegram_id) for telegram_id in ids]

    def unreachable(self, member: Member, written: dict[str, datetime]) -> str | None:
        if not member.allows_write_to_pm:
            return "no_pm"
        blocked_at = written.get(notifications.unreachable_key(member.telegram_id))
        if blocked_at is not None and (
            member.logged_in_at is None or blocked_at >= member.logged_in_at
        ):
            return "unreachable"
        return None

    def claim(self, key: str, member: Member, now: datetime, expires_at: datetime) -> bool:
        return notifications.claim_reminder(key, member.telegram_id, now, expires_at)

    def send(self, notice: Notice, member: Member) -> Result:
        result = self.api.send_message(message(notice.content(), member.telegram_id))
        log = {
            "status": result.status,
            "attempts": result.attempts,
            "description": result.description,
        }
        return Result(result.outcome.value, log)

    def mark_blocked(self, member: Member) -> None:
        notifications.mark_unreachable(member.telegram_id, datetime.now(UTC))
