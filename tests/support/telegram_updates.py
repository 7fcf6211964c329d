"""Telegram updates as the webhook receives them, for the tests."""

from typing import Any


def message(
    text: str, chat_id: int = 42, chat_type: str = "private", sender_id: int | None = None
) -> dict[str, Any]:
    return {
        "message_id": 7,
        "date": 1795500000,
        "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": sender_id or chat_id, "is_bot": False, "first_name": "Alice"},
        "text": text,
    }


def chat_join_request(chat_id: int, user_id: int, invite_link: str | None = None) -> dict[str, Any]:
    """A ChatJoinRequest (Bot API): someone asked to join a group through an invite link."""
    request: dict[str, Any] = {
        "chat": {"id": chat_id, "type": "supergroup", "title": "Event chat"},
        "from": {"id": user_id, "is_bot": False, "first_name": "Bob"},
        "user_chat_id": user_id,
        "date": 1795500000,
    }
    if invite_link:
        request["invite_link"] = {
            "invite_link": invite_link,
            "creator": {"id": 7000000001, "is_bot": True, "first_name": "Community bot"},
            "creates_join_request": True,
            "is_primary": False,
            "is_revoked": False,
        }
    return request


def long_reply_update(update_id: int) -> dict[str, Any]:
    """A realistic large update: a 4,096-character Cyrillic reply with 50 text_link entities,
    quoting (a TextQuote of 1,024 characters) another message of the same kind. Telegram
    escapes non-ASCII as \\uXXXX, so each Cyrillic letter is 6 bytes on the wire."""
    text = ("Приглашаем всех на встречу сообщества " * 120)[:4096]
    entities = [
        {
            "type": "text_link",
            "offset": i * 80,
            "length": 40,
            "url": f"https://example.com/community/events/2030/{i:04d}/programme"
            "?utm_source=telegram&utm_medium=reply",
        }
        for i in range(50)
    ]
    quoted = {**message(text, chat_id=43), "message_id": 6, "entities": entities}
    quote = {"text": text[:1024], "entities": entities[:12], "position": 0, "is_manual": True}
    reply = {**message(text), "entities": entities, "reply_to_message": quoted, "quote": quote}
    return {"update_id": update_id, "message": reply}
