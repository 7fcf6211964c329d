"""The bot's webhook: Telegram posts each update here. The answer is always a 200 (anything
else makes Telegram deliver the same update again, forever) except for a wrong secret (401);
a reply goes back as the response body, a Bot API call Telegram runs itself, so answering a
command costs no outbound request."""

import hmac
import json
import re
from datetime import UTC, datetime
from typing import Any

from community import applinks
from community.applinks import Target
from community.data import events as events_table
from community.data import notifications
from community.entities import Event
from community.errors import Unauthorized
from community.gateways import credentials
from community.observability import count, logger
from community.services import chats
from community.values import display_time, single_line

NOTHING_TO_SAY: dict[str, Any] = {"ok": True}
# The largest update read. Telegram documents no limit; its biggest updates (a 4,096-character
# reply quoting another long message, entities, a quote) are under 100 KB even with every
# letter escaped as \uXXXX, so 1 MB leaves ample room. A bigger body is answered 200 unread.
MAX_UPDATE_BYTES = 1024 * 1024
# A synchronous Lambda invocation's payload limit: the function never sees more.
LAMBDA_PAYLOAD_BYTES = 6 * 1024 * 1024
# Telegram writes update_id first: enough to say which update an unread body was.
LEADING_UPDATE_ID = re.compile(rb'\s*\{\s*"update_id"\s*:\s*(\d{1,19})')
UPCOMING_SHOWN = 5
GROUPS = ("group", "supergroup")
WELCOME = (
    "Welcome to the community! Open the app to see upcoming events, RSVP and share your "
    "referral link. Send /events for what is coming next."
)


class WrongWebhookSecret(Unauthorized):
    challenge = "X-Telegram-Bot-Api-Secret-Token"


def check_secret(received: str | None) -> None:
    """Constant-time comparison, so the answer's timing says nothing about the secret."""
    expected = credentials.telegram_webhook_secret().encode()
    if not hmac.compare_digest(expected, (received or "").encode("utf-8", "replace")):
        count("WebhookSecretRefused")
        raise WrongWebhookSecret("wrong or missing secret token")


def handle_update(raw_body: bytes, now: datetime | None = None) -> dict[str, Any]:
    """The webhook's answer to one update: a `sendMessage` call, or NOTHING_TO_SAY."""
    now = now or datetime.now(UTC)
    if len(raw_body) > MAX_UPDATE_BYTES:
        leading = LEADING_UPDATE_ID.match(raw_body[:64])
        logger.warning(
            "oversized update ignored",
            extra={
                "bytes": len(raw_body),
                "update_id": int(leading.group(1)) if leading else None,
            },
        )
        count("WebhookTooLarge")
        return NOTHING_TO_SAY
    try:
        update = json.loads(raw_body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        update = None
    update_id = update.get("update_id") if isinstance(update, dict) else None
    if not isinstance(update_id, int) or isinstance(update_id, bool):
        logger.warning("malformed update ignored", extra={"bytes": len(raw_body)})
        count("WebhookMalformed")
        return NOTHING_TO_SAY
    assert isinstance(update, dict)
    message = update.get("message")
    chat_id, chat_type, text = _chat_and_text(message)
    # The reply is built before the update is claimed: a failed read is a 503 that Telegram
    # redelivers, and the redelivery must not find the update already taken. (What it writes,
    # a chat's link or a held join request, is the same when done twice.)
    if "chat_join_request" in update:
        reply = chats.join_request_answer(update["chat_join_request"], now)
    elif chat_id is not None and text:
        reply = _reply(chat_id, chat_type, text, now, _sender_id(message))
    else:
        reply = None
    if not notifications.claim_update(update_id, now):
        logger.info("update already handled", extra={"update_id": update_id})
        count("WebhookRedelivered")
        return NOTHING_TO_SAY
    if reply is None:
        logger.info(
            "update not handled",
            extra={"update_id": update_id, "kinds": sorted(k for k in update if k != "update_id")},
        )
        return NOTHING_TO_SAY
    count("WebhookReplied")
    return reply


def _chat_and_text(message: object) -> tuple[int | None, str, str | None]:
    if not isinstance(message, dict):
        return None, "", None
    chat = message.get("chat")
    chat_id = chat.get("id") if isinstance(chat, dict) else None
    chat_type = chat.get("type") if isinstance(chat, dict) else None
    text = message.get("text")
    if not isinstance(chat_id, int) or isinstance(chat_id, bool) or not isinstance(chat_type, str):
        return None, "", None
    return chat_id, chat_type, text if isinstance(text, str) else None


def _sender_id(message: object) -> int | None:
    sender = message.get("from") if isinstance(message, dict) else None
    sender_id = sender.get("id") if isinstance(sender, dict) else None
    return sender_id if isinstance(sender_id, int) and not isinstance(sender_id, bool) else None


def _command(text: str) -> tuple[str, str | None, str]:
    """The command, the bot it names (`/start@community_bot`), and the rest."""
    head, _, rest = text.strip().partition(" ")
    command, _, addressee = head.partition("@")
    return command.lower(), addressee or None, rest.strip()


def _reply(
    chat_id: int, chat_type: str, text: str, now: datetime, sender_id: int | None = None
) -> dict[str, Any] | None:
    command, addressee, argument = _command(text)
    private = chat_type == "private"
    if (
        command == "/linkevent"
        and chat_type in GROUPS
        and sender_id is not None
        and _for_this_bot(addressee)
    ):
        return send_message(chat_id, chats.link_event(chat_id, sender_id, argument, now), [])
    if command == "/start" and private:
        return start_reply(chat_id, argument)
    # /events in a group too (a community's own chat asking what is on), when not addressed to
    # another bot; every other command only in private, where no one else sees the answer.
    if command == "/events" and (private or chat_type in GROUPS) and _for_this_bot(addressee):
        positions = events_table.upcoming(now, UPCOMING_SHOWN)
        return events_reply(chat_id, events_table.in_order(positions), private_chat=private)
    return None


def _for_this_bot(addressee: str | None) -> bool:
    username = applinks.bot_username()
    return addressee is None or username is None or addressee.lower() == username.lower()


def send_message(chat_id: int, text: str, buttons: list[dict[str, Any]]) -> dict[str, Any]:
    answer: dict[str, Any] = {"method": "sendMessage", "chat_id": chat_id, "text": text}
    if buttons:
        answer["reply_markup"] = {"inline_keyboard": [[button] for button in buttons]}
    return answer


def start_reply(chat_id: int, payload: str) -> dict[str, Any]:
    """Welcome, and a button opening the Mini App: at the event a payload names
    (`t.me/<bot>?start=e_<id>...`), with the referral code it carries riding along as
    `startapp`, so the newcomer's login records who referred them."""
    target = applinks.target_of(payload)
    button = applinks.button("Open the community app", target, private_chat=True)
    return send_message(chat_id, WELCOME, [button])


def events_reply(chat_id: int, upcoming: list[Event], *, private_chat: bool) -> dict[str, Any]:
    """The next events, each with a button opening the Mini App at its screen (a web_app
    button in a private chat, the direct link with `startapp=e_<id>` in a group)."""
    if not upcoming:
        button = applinks.button("Open the community app", Target(), private_chat=private_chat)
        return send_message(chat_id, "No upcoming events yet.", [button])
    lines = ["Upcoming events:"]
    buttons = []
    for event in upcoming:
        lines.append(f"- {single_line(event.title)}: {display_time(event.start_date)}")
        target = Target(event_id=event.id)
        buttons.append(
            applinks.button(single_line(event.title)[:60], target, private_chat=private_chat)
        )
    return send_message(chat_id, "\n".join(lines), buttons)
