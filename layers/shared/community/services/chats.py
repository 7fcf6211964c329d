"""Event chats only attendees can join. An admin of the community sends `/linkevent <event
id>` in a Telegram group where the bot is an admin with the right to invite users; the bot
creates an invite link that asks to join (`creates_join_request`) and stores it on the event.
Going members get the link (GET /api/v1/events/{id}/rsvp: `chat_url`); the group's join
requests come to the webhook as `chat_join_request` updates, and the bot

- approves a member going to the linked event,
- leaves a waitlisted member's request pending, recorded, and approves it when they are
  promoted (`approve_promoted`, from the promotion's notice),
- declines anyone else: a member not going, or someone who is no member at all (known from
  the one read that also finds the linked event).

Requests to a group linked to no event are left alone: its own admins handle them. The
webhook answers with the approve or decline itself (a Bot API call in its body), so judging a
request costs no outbound request. Telegram documents no lifetime for a pending request; one
that is gone when the promotion comes is refused (a 400), and the member asks again from the
event screen."""

from datetime import UTC, datetime
from typing import Any

from community.data import attendances as attendances_table
from community.data import chats as chats_table
from community.data import events as events_table
from community.data import users as users_table
from community.entities import ADMIN_ROLE, GOING, WAITING
from community.gateways import credentials
from community.gateways import telegram_bot as botapi
from community.observability import count, logger
from community.settings import get_settings
from community.values import normalise_event_id, single_line

NOT_AN_ADMIN = "Only an admin of the community can link this group to an event."
USAGE = "Send /linkevent <event id> here to make this group the chat of that event."
UNKNOWN_EVENT = "There is no active event with the id {event_id}."
NO_INVITE_RIGHT = (
    "Make me an admin of this group with the right to invite users, then send /linkevent again."
)
TELEGRAM_UNAVAILABLE = "Telegram did not answer me just now: send /linkevent again in a minute."
LINKED = (
    'This group is now the chat of {title}. Members going to it find "Join the event chat" on '
    "its screen in the app; I approve their requests to join, and only theirs."
)


def default_api() -> botapi.BotApi:
    settings = get_settings()
    return botapi.BotApi(
        str(settings.telegram_api_base_url),
        credentials.telegram_bot_token(),
        pacer=botapi.Pacer(settings.telegram_messages_per_second),
    )


def bot_id() -> int:
    """The bot's own user id: the number a bot token begins with (`<bot id>:<secret>`)."""
    return int(credentials.telegram_bot_token().split(":", 1)[0])


def link_event(
    chat_id: int,
    sender_id: int,
    argument: str,
    now: datetime | None = None,
    api: botapi.BotApi | None = None,
) -> str:
    """/linkevent in a group: what the bot answers there. Reads: the sender's member item
    (consistent: a role granted a moment ago counts), the event; then the bot's own rights in
    the group (getChatMember), the invite link (createChatInviteLink), and one transaction."""
    now = now or datetime.now(UTC)
    sender = users_table.get(sender_id, consistent=True)
    if sender is None or sender.role != ADMIN_ROLE:
        count("ChatLinkRefusedNotAdmin")
        return NOT_AN_ADMIN
    if not argument:
        return USAGE
    event_id = normalise_event_id(argument.split()[0])
    event = events_table.get(event_id, consistent=True) if event_id else None
    if event is None or not event.is_active:
        count("ChatLinkRefusedUnknownEvent")
        return UNKNOWN_EVENT.format(event_id=single_line(argument.split()[0])[:40])
    api = api or default_api()
    result, bot = api.get_chat_member(chat_id, bot_id())
    if result.outcome is not botapi.Outcome.SENT:
        return _unavailable(result, "getChatMember")
    if not may_invite(bot):
        count("ChatLinkRefusedNoRight")
        return NO_INVITE_RIGHT
    result, invite = api.create_chat_invite_link(chat_id, single_line(event.title))
    link = invite.get("invite_link") if isinstance(invite, dict) else None
    if result.outcome is not botapi.Outcome.SENT or not isinstance(link, str):
        return _unavailable(result, "createChatInviteLink")
    if not chats_table.link(event.id, chat_id, link, now, event.end_date):
        count("ChatLinkRefusedUnknownEvent")  # deactivated since it was read
        return UNKNOWN_EVENT.format(event_id=event.id)
    count("ChatLinked")
    logger.info("event chat linked", extra={"event_id": event.id, "chat_id": chat_id})
    return LINKED.format(title=single_line(event.title))


def may_invite(chat_member: Any) -> bool:
    """Whether a ChatMember may invite users (and so create links and answer join requests):
    the creator always; an administrator with `can_invite_users`."""
    if not isinstance(chat_member, dict):
        return False
    status = chat_member.get("status")
    return status == "creator" or (
        status == "administrator" and chat_member.get("can_invite_users") is True
    )


def _unavailable(result: botapi.SendResult, method: str) -> str:
    # A refusal (403: the bot was removed; 400) or no answer: said in the group in words.
    logger.warning(
        "event chat link failed",
        extra={"method": method, "outcome": result.outcome.value, "status": result.status},
    )
    count("ChatLinkFailed")
    if result.outcome in (botapi.Outcome.BLOCKED, botapi.Outcome.REFUSED):
        return NO_INVITE_RIGHT
    return TELEGRAM_UNAVAILABLE


def join_request_answer(request: Any, now: datetime | None = None) -> dict[str, Any] | None:
    """The webhook's answer to a `chat_join_request` update: approveChatJoinRequest or
    declineChatJoinRequest, or None (left pending, or not this bot's business)."""
    now = now or datetime.now(UTC)
    chat = request.get("chat") if isinstance(request, dict) else None
    sender = request.get("from") if isinstance(request, dict) else None
    chat_id = _id(chat.get("id")) if isinstance(chat, dict) else None
    user_id = _id(sender.get("id")) if isinstance(sender, dict) else None
    if chat_id is None or user_id is None:
        return None
    member, event_id = chats_table.member_and_linked_event(user_id, chat_id)
    if event_id is None:
        return None  # a group linked to no event: its own admins decide
    if member is None:
        count("ChatJoinDeclinedStranger")
        return _answer("declineChatJoinRequest", chat_id, user_id)
    attendance = attendances_table.get(event_id, member.id)
    status = attendance.status if attendance is not None else None
    if status == GOING:
        count("ChatJoinApproved")
        return _answer("approveChatJoinRequest", chat_id, user_id)
    if status == WAITING:
        chats_table.hold_request(event_id, member.id, chat_id, user_id, now)
        count("ChatJoinHeld")
        return None
    count("ChatJoinDeclinedNotGoing")
    return _answer("declineChatJoinRequest", chat_id, user_id)


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _answer(method: str, chat_id: int, user_id: int) -> dict[str, Any]:
    return {"method": method, "chat_id": chat_id, "user_id": user_id}


def approve_promoted(event_id: str, user_id: str, api: botapi.BotApi) -> str | None:
    """After a promotion: approve the member's held join request, if any. The outcome
    (`sent`, `refused`: Telegram no longer has the request, ...) or None when none was held;
    an approval that certainly did not go is held again and reported `failed`."""
    held = chats_table.take_request(event_id, user_id)
    if held is None:
        return None
    chat_id, telegram_id = held
    result = api.approve_chat_join_request(chat_id, telegram_id)
    if result.outcome is botapi.Outcome.FAILED:
        chats_table.restore_request(event_id, user_id, chat_id, telegram_id)
    elif result.outcome is not botapi.Outcome.SENT:
        logger.info(
            "held join request not approved",
            extra={"event_id": event_id, "outcome": result.outcome.value, "status": result.status},
        )
    count(f"ChatJoinPromoted{result.outcome.value.capitalize()}")
    return result.outcome.value
