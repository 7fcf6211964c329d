"""Event chats: which event a Telegram group is linked to (`CHAT#<chat id>` in the
notifications table, written in one transaction with the event's `chat_id` and invite link),
and the join requests of waitlisted members, held until a promotion approves them
(`JOINREQ#<event>#<member>`)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DeleteError, TransactWriteError
from pynamodb.transactions import TransactWrite

from community.data import users
from community.data.backend import (
    CONDITION_FAILED,
    ITEM_CONDITION_FAILED,
    backend_errors,
    cancellation_codes,
    response_code,
)
from community.data.models import Event, Notification, User, connection
from community.entities import Member
from community.errors import ServiceUnavailable

CHAT_PREFIX = "CHAT#"
JOIN_REQUEST_PREFIX = "JOINREQ#"
# A link outlives its event by this much (members talk after it); then TTL removes it and the
# group's requests are nobody's business any more (left to its human admins).
CHAT_KEPT_AFTER_END = timedelta(days=90)
# A held request is useless once Telegram forgets it (it documents no lifetime for pending
# requests); a promotion after this finds nothing held and the member asks again.
JOIN_REQUEST_KEPT = timedelta(days=30)
# Rounds of BatchGetItem for keys DynamoDB left unprocessed (throttling): bounded.
MAX_BATCH_ROUNDS = 3


def chat_key(chat_id: int) -> str:
    return f"{CHAT_PREFIX}{chat_id}"


def join_request_key(event_id: str, user_id: str) -> str:
    return f"{JOIN_REQUEST_PREFIX}{event_id}#{user_id}"


def link(event_id: str, chat_id: int, invite_link: str, now: datetime, ends: datetime) -> bool:
    """Store the group and its invite link on an active event, and the group's CHAT# record
    naming the event, in one transaction: both or neither. False when the event is gone or
    inactive (the condition failed). Linking the group again, to this or another event, moves
    the CHAT# record; the event linked before keeps its fields (its link still asks the same
    group, whose requests are then judged against the new event)."""
    record = Notification(
        chat_key(chat_id),
        created_at=now,
        event_id=event_id,
        chat_id=chat_id,
        expires_at=max(ends, now) + CHAT_KEPT_AFTER_END,
    )
    try:
        with backend_errors(), TransactWrite(connection=connection()) as transaction:
            transaction.save(record)
            transaction.update(
                Event(event_id),
                actions=[Event.chat_id.set(chat_id), Event.chat_invite_link.set(invite_link)],
                condition=Event.id.exists() & (Event.is_active == True),  # noqa: E712
            )
    except TransactWriteError as error:
        # PynamoDB sends puts before updates: the reasons come back as [record, event].
        if cancellation_codes(error)[-1] == ITEM_CONDITION_FAILED:
            return False
        raise ServiceUnavailable() from error
    return True


def member_and_linked_event(telegram_id: int, chat_id: int) -> tuple[Member | None, str | None]:
    """The member with this Telegram id and the event the group is linked to (None for
    either that is not there): ONE BatchGetItem over both tables, consistent, so a join
    request from a stranger costs one read whatever its outcome."""
    user_key, record_key = users.user_key(telegram_id), chat_key(chat_id)
    users_table, records_table = User.Meta.table_name, Notification.Meta.table_name
    request: dict[str, Any] = {
        users_table: {"Keys": [{"pk": {"S": user_key}}], "ConsistentRead": True},
        records_table: {"Keys": [{"pk": {"S": record_key}}], "ConsistentRead": True},
    }
    found: dict[str, list[dict[str, Any]]] = {}
    # botocore's own client: PynamoDB reads one table per BatchGetItem, this reads two.
    client: Any = connection().client
    with backend_errors():
        for _ in range(MAX_BATCH_ROUNDS):
            answer = client.batch_get_item(RequestItems=request)
            for table, items in answer.get("Responses", {}).items():
                found.setdefault(table, []).extend(items)
            request = answer.get("UnprocessedKeys") or {}
            if not request:
                break
        else:
            raise ServiceUnavailable()
    member_items = [i for i in found.get(users_table, []) if i["pk"]["S"] == user_key]
    record_items = [i for i in found.get(records_table, []) if i["pk"]["S"] == record_key]
    member = users.member_from_item(User.from_raw_data(member_items[0])) if member_items else None
    event_id = Notification.from_raw_data(record_items[0]).event_id if record_items else None
    return member, event_id


def hold_request(
    event_id: str, user_id: str, chat_id: int, telegram_id: int, now: datetime
) -> None:
    """Record a waitlisted member's pending join request (a repeat overwrites it)."""
    with backend_errors():
        Notification(
            join_request_key(event_id, user_id),
            created_at=now,
            event_id=event_id,
            chat_id=chat_id,
            telegram_id=telegram_id,
            expires_at=now + JOIN_REQUEST_KEPT,
        ).save()


def take_request(event_id: str, user_id: str) -> tuple[int, int] | None:
    """Delete the member's held join request and return its (chat id, Telegram id); None
    when none is held. A conditional delete: of two promotions' runs, one takes it."""
    with backend_errors():
        try:
            response = Notification._get_connection().delete_item(
                join_request_key(event_id, user_id),
                condition=Notification.pk.exists(),
                return_values=ALL_OLD,
            )
        except DeleteError as error:
            if response_code(error) == CONDITION_FAILED:
                return None
            raise
    record = Notification.from_raw_data(response["Attributes"])
    if record.chat_id is None or record.telegram_id is None:
        return None
    return int(record.chat_id), int(record.telegram_id)


def restore_request(event_id: str, user_id: str, chat_id: int, telegram_id: int) -> None:
    """Hold a taken request again when its approval certainly did not reach Telegram."""
    hold_request(event_id, user_id, chat_id, telegram_id, datetime.now(UTC))
