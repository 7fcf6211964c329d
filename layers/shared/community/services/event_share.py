"""An event shared as a card: the Bot API's `savePreparedInlineMessage` (Bot API 8.0) stores a
message the member may then send into any private or group chat with the Mini App's
`shareMessage(id)`. The card says what, when, where and how many spots are left, shows the
event's image when it has one, and has one button, "Open event": the event's direct link
carrying the sharer's referral code (community/applinks.py), so a newcomer who opens it is
credited to them at their first login.

Telegram's answers, as the member sees them: a refusal is a 502 that names no detail of
Telegram's (its descriptions may quote what was sent), a 429 or an unreachable Bot API a 503
with Retry-After. A photo Telegram will not take (it accepts JPEG only) is retried once as
an article, so an event with a PNG image can still be shared."""

import math
from functools import cache
from typing import Any

from community import applinks
from community.entities import Event, Member
from community.errors import BadGateway, ServiceUnavailable
from community.gateways import credentials
from community.gateways import telegram_bot as botapi
from community.observability import count, logger
from community.schemas.share import EventShared
from community.services import events
from community.settings import get_settings
from community.values import display_time, single_line

OPEN_EVENT = "Open event"
# Telegram's limits: a photo's caption, a result's title and description.
MAX_CAPTION = 1024
MAX_TITLE = 200
MAX_DESCRIPTION = 300


@cache
def default_api() -> botapi.BotApi:
    """One client a container: its connection pool is reused across requests."""
    settings = get_settings()
    return botapi.BotApi(
        str(settings.telegram_api_base_url),
        credentials.telegram_bot_token(),
        pacer=botapi.Pacer(settings.telegram_messages_per_second),
    )


def share(member: Member, event_id: str, api: botapi.BotApi | None = None) -> EventShared:
    event = events.active_event(event_id)
    link = applinks.direct_link(
        applinks.Target(event_id=event.id, referral_code=member.referral_code)
    )
    api = api or default_api()
    payload = prepared_message(event, member.telegram_id, link, photo=event.image_url is not None)
    result = api.save_prepared_inline_message(payload)
    if result.outcome is botapi.Outcome.REFUSED and event.image_url is not None:
        logger.warning("share photo refused, sent as an article", extra=_log(result))
        payload = prepared_message(event, member.telegram_id, link, photo=False)
        result = api.save_prepared_inline_message(payload)
    prepared = _prepared(result)
    count("EventShared")
    return EventShared(prepared_message_id=prepared[0], expires_at=prepared[1], url=link)


def prepared_message(event: Event, user_id: int, link: str, *, photo: bool) -> dict[str, Any]:
    """savePreparedInlineMessage's parameters: for this member, to any user or group chat
    (not to bots or channels: the card invites people)."""
    return {
        "user_id": user_id,
        "result": card(event, link, photo=photo),
        "allow_user_chats": True,
        "allow_group_chats": True,
    }


def card(event: Event, link: str, *, photo: bool) -> dict[str, Any]:
    """An InlineQueryResultPhoto (the event's image, the lines as its caption) or an
    InlineQueryResultArticle (the lines as the message's text), with the "Open event" button."""
    lines = card_lines(event)
    markup = {"inline_keyboard": [[{"text": OPEN_EVENT, "url": link}]]}
    title = single_line(event.title)[:MAX_TITLE]
    description = " · ".join(lines[1:])[:MAX_DESCRIPTION]
    text = "\n".join(lines)
    if photo and event.image_url is not None:
        return {
            "type": "photo",
            "id": event.id,
            "photo_url": event.image_url,
            "thumbnail_url": event.image_url,
            "title": title,
            "description": description,
            "caption": text[:MAX_CAPTION],
            "reply_markup": markup,
        }
    return {
        "type": "article",
        "id": event.id,
        "title": title,
        "description": description,
        "input_message_content": {
            "message_text": text,
            "link_preview_options": {"is_disabled": True},
        },
        "reply_markup": markup,
    }


def card_lines(event: Event) -> list[str]:
    """The card's text: the title, when, where (if said), and the spots left (or how many go
    when there is no limit)."""
    lines = [single_line(event.title), display_time(event.start_date)]
    if event.location:
        lines.append(single_line(event.location))
    lines.append(spots_line(event))
    return lines


def spots_line(event: Event) -> str:
    if event.capacity is None:
        return f"{event.attendee_count} going"
    left = max(0, event.capacity - event.attendee_count)
    if left == 0:
        return "Full: join the waitlist"
    return f"{left} spot left" if left == 1 else f"{left} spots left"


def _prepared(result: botapi.SendResult) -> tuple[str, int]:
    """The PreparedInlineMessage's id and expiration_date, or the error the member gets."""
    if result.outcome is botapi.Outcome.SENT:
        answer = result.result if isinstance(result.result, dict) else {}
        prepared_id, expires = answer.get("id"), answer.get("expiration_date")
        if isinstance(prepared_id, str) and prepared_id and isinstance(expires, int):
            return prepared_id, expires
        logger.error("savePreparedInlineMessage answered no prepared message")
        raise BadGateway("Telegram gave no message to share")
    if result.outcome in (botapi.Outcome.REFUSED, botapi.Outcome.BLOCKED):
        logger.warning("savePreparedInlineMessage refused", extra=_log(result))
        raise BadGateway("Telegram refused the shared message")
    logger.warning("savePreparedInlineMessage failed", extra=_log(result))
    unavailable = ServiceUnavailable("Telegram is unavailable, retry shortly")
    if result.retry_after is not None:
        unavailable.retry_after = max(1, math.ceil(result.retry_after))
    raise unavailable


def _log(result: botapi.SendResult) -> dict[str, Any]:
    # Telegram's description stays in the log (it names the problem; the token is only ever
    # in the request's path), never in the answer.
    return {
        "outcome": result.outcome.value,
        "status": result.status,
        "attempts": result.attempts,
        "description": result.description,
    }
