"""The channel card's records (services/announcements.py says what they are for): on the event,
the first post's claim, the message once posted and the hash of what it shows; in the
notifications table, a card's slot for a minute written by the reminder sweep, and the
five-minute recheck lists. Every step that must happen once is a condition."""

from datetime import datetime, timedelta

from pynamodb.exceptions import PutError, UpdateError

from community.data import outbox
from community.data.backend import CONDITION_FAILED, backend_errors, response_code
from community.data.models import Event, Notification

RECHECK_PREFIX = "ANNOUNCE#RECHECK#"
# A recheck list is read for three windows after its own (the sweep's), then useless.
RECHECK_WINDOW = timedelta(minutes=5)
RECHECK_TTL = timedelta(days=1)


def claim_post(event_id: str, now: datetime) -> bool:
    """True for the one sender that may post the event's card: none posted it and none
    claimed it. Claimed BEFORE the post, so two senders racing the first post cannot both."""
    try:
        with backend_errors():
            Event(event_id).update(
                actions=[Event.announce_claimed_at.set(now)],
                condition=Event.id.exists()
                & Event.announce_message_id.does_not_exist()
                & Event.announce_claimed_at.does_not_exist(),
            )
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True


def release_post(event_id: str) -> None:
    """Give the claim back: the post certainly did not go, so a retry may post."""
    with backend_errors():
        Event(event_id).update(
            actions=[Event.announce_claimed_at.remove()],
            condition=Event.announce_message_id.does_not_exist(),
        )


def record_post(event_id: str, message_id: int, photo: bool, shown: str) -> None:
    """The card is posted: its message, its kind, what it shows."""
    with backend_errors():
        Event(event_id).update(
            actions=[
                Event.announce_message_id.set(message_id),
                Event.announce_photo.set(photo),
                Event.announced_hash.set(shown),
            ]
        )


def record_shown(event_id: str, shown: str, before: str | None) -> bool:
    """The card now shows `shown`, provided it still showed `before` as read (False: another
    sender edited it meanwhile, whose edit may have landed after this one)."""
    same = (
        Event.announced_hash.does_not_exist()
        if before is None
        else (Event.announced_hash == before)
    )
    try:
        with backend_errors():
            Event(event_id).update(actions=[Event.announced_hash.set(shown)], condition=same)
    except UpdateError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True


def recheck_key(moment: datetime) -> str:
    window = int(moment.timestamp() // RECHECK_WINDOW.total_seconds())
    return f"{RECHECK_PREFIX}{window}"


def mark_for_recheck(event_id: str, now: datetime) -> None:
    """Put the event on this window's recheck list (an ADD to a set: many senders at once
    lose none), which the reminder sweep reads to catch the RSVPs of a minute that came after
    its edit read the count."""
    with backend_errors():
        Notification(recheck_key(now)).update(
            actions=[
                Notification.event_ids.add({event_id}),
                Notification.created_at.set(Notification.created_at | now),
                Notification.expires_at.set(now + RECHECK_TTL),
            ]
        )


def to_recheck(now: datetime) -> set[str]:
    """The events whose card was edited in this window or the two before (a sweep every five
    minutes reads each window at least once after it ended): one BatchGetItem."""
    keys = {recheck_key(now - RECHECK_WINDOW * back) for back in range(3)}
    with backend_errors():
        found: set[str] = set()
        for record in Notification.batch_get(keys):
            found |= set(record.event_ids or ())
        return found


def claim_slot(event_id: str, now: datetime, reason: str) -> bool:
    """Write the card's slot for this minute unless one exists (an RSVP's this minute, whose
    edit reads the count as it is then): True when this wrote it."""
    record = Notification(
        outbox.slot_key(event_id, now),
        created_at=now,
        expires_at=now + outbox.NOTICE_TTL,
        kind=outbox.ANNOUNCE,
        event_id=event_id,
        payload=f'{{"reason":"{reason}"}}',
    )
    try:
        with backend_errors():
            record.save(condition=Notification.pk.does_not_exist())
    except PutError as error:
        if response_code(error) == CONDITION_FAILED:
            return False
        raise
    return True
