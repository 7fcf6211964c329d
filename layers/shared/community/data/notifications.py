"""The bot's records in the notifications table: handled webhook updates, reminder claims and
unreachable members. Every claim is a conditional PutItem, so of any number of concurrent
writers exactly one wins."""

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError

from community.data.backend import CONDITION_FAILED, backend_errors, response_code
from community.data.models import Notification, date_key

UPDATE_PREFIX = "UPDATE#"
REMINDER_PREFIX = "REMINDER#"
UNREACHABLE_PREFIX = "UNREACHABLE#"
# Email reminders: a claim of their own per (event, start, member, offset), beside the
# Telegram one, so each channel sends its reminder at most once whatever the other did.
EMAIL_REMINDER_PREFIX = "EMAIL#"
# A notice (data/outbox.py) claimed for one member and medium before it is sent: the notice's
# own id, the medium, the member. Not NOTICE#...: the sender's stream filter takes only those.
TOLD_PREFIX = "TOLD#"
# Telegram keeps an undelivered update for 24 hours: two days covers every redelivery.
UPDATE_TTL = timedelta(days=2)
# A block is remembered a year at most; a login ends it sooner.
UNREACHABLE_TTL = timedelta(days=365)
# A reminder claim (either channel) is useless once its event began; kept a week after the
# start, then TTL removes it.
CLAIM_KEPT_AFTER_START = timedelta(days=7)
CLAIMED = "claimed"


def update_key(update_id: int) -> str:
    return f"{UPDATE_PREFIX}{update_id}"


def reminder_key(event_id: str, start_date: datetime, user_id: str, offset_minutes: int) -> str:
    # The start date is part of the key: a rescheduled event is reminded again, at its new time.
    return f"{REMINDER_PREFIX}{event_id}#{date_key(start_date)}#{user_id}#{offset_minutes}m"


def email_reminder_key(
    event_id: str, start_date: datetime, user_id: str, offset_minutes: int
) -> str:
    return f"{EMAIL_REMINDER_PREFIX}{event_id}#{date_key(start_date)}#{user_id}#{offset_minutes}m"


def told_key(notice_id: str, medium: str, user_id: str) -> str:
    return f"{TOLD_PREFIX}{notice_id.split('#', 1)[-1]}#{medium}#{user_id}"


def unreachable_key(telegram_id: int) -> str:
    return f"{UNREACHABLE_PREFIX}{telegram_id}"


def _claim(record: Notification) -> bool:
    try:
        with backend_errors():
            record.save(condition=Notification.pk.does_not_exist())
    except PutError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True


def claim_update(update_id: int, now: datetime) -> bool:
    """True the first time an update id is seen, False for a redelivery."""
    return _claim(Notification(update_key(update_id), created_at=now, expires_at=now + UPDATE_TTL))


def claim_reminder(key: str, telegram_id: int, now: datetime, expires_at: datetime) -> bool:
    """True when this sweep may send the reminder: nobody claimed it before."""
    return _claim(
        Notification(
            key, created_at=now, status=CLAIMED, telegram_id=telegram_id, expires_at=expires_at
        )
    )


def claim_email_reminder(key: str, now: datetime, expires_at: datetime) -> bool:
    """True when this sweep may send the email reminder: nobody claimed it before."""
    return _claim(Notification(key, created_at=now, status=CLAIMED, expires_at=expires_at))


def claim_notice(key: str, now: datetime, expires_at: datetime) -> bool:
    """True when this run may send what `key` names (a TOLD# claim of its own): nobody claimed
    it before."""
    return _claim(Notification(key, created_at=now, status=CLAIMED, expires_at=expires_at))


def existing_keys(keys: list[str]) -> set[str]:
    """Which of these records exist: one BatchGetItem per 100 keys."""
    return set(existing(keys))


def release(key: str) -> None:
    """Give a claim back when the reminder was certainly not delivered, so a later sweep may
    try again."""
    with backend_errors():
        Notification(key).delete()


def set_status(key: str, status: str) -> None:
    with backend_errors():
        Notification(key).update(actions=[Notification.status.set(status)])


def mark_unreachable(telegram_id: int, now: datetime) -> None:
    with backend_errors():
        Notification(
            unreachable_key(telegram_id),
            created_at=now,
            telegram_id=telegram_id,
            expires_at=now + UNREACHABLE_TTL,
        ).save()


def existing(keys: list[str]) -> dict[str, datetime]:
    """When each of the records with these keys that exist was written: one BatchGetItem per
    100 keys."""
    if not keys:
        return {}
    with backend_errors():
        return {record.pk: record.created_at for record in Notification.batch_get(set(keys))}
