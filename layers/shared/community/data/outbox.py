"""The outbox: a notice to members (a waitlist promotion, an event changed or cancelled) is a
`NOTICE#<event>#<id>` record in the notifications table, written in the SAME transaction as the
change it tells, so there is never a change without its notice nor a notice without its change.
The table's stream (NEW_IMAGE) hands each new record to the notice sender
(functions/notice_sender), which sends it through the notification pipeline.

The id is time-ordered (the write's moment to the microsecond, then random bits): notices of one
event sort in the order they were written.

An `announce` notice brings the event's channel card up to date (services/announcements.py):
posted with the new event, and with each change of what the card shows. An RSVP's is a minute's
slot instead (`add_slot`): `NOTICE#<event>#A<minute>`, written by an upsert in the RSVP's
transaction, so the minute's first RSVP creates it (the stream's INSERT: one card edit) and the
minute's later ones only update it (MODIFY, which the sender's filter drops): at most one count
edit per event and minute, whatever the rate of RSVPs, and no RSVP ever refused for it."""

import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from pynamodb.transactions import TransactWrite

from community.data.models import Notification

NOTICE_PREFIX = "NOTICE#"
PROMOTED = "promoted"
CHANGED = "changed"
CANCELLED = "cancelled"
ANNOUNCE = "announce"
KINDS = frozenset({PROMOTED, CHANGED, CANCELLED, ANNOUNCE})
# Long enough for the stream's retries (24 h at most) and a look afterwards; TTL removes it.
NOTICE_TTL = timedelta(days=30)


def notice_key(event_id: str, now: datetime) -> str:
    return f"{NOTICE_PREFIX}{event_id}#{now:%Y%m%dT%H%M%S%f}Z{secrets.token_hex(5)}"


def slot_key(event_id: str, now: datetime) -> str:
    """The announce notice of `event_id`'s card for the minute of `now` (UTC)."""
    return f"{NOTICE_PREFIX}{event_id}#A{now:%Y%m%dT%H%M}"


def slot_actions(event_id: str, now: datetime, reason: str) -> list[Any]:
    """An upsert of the minute's slot: created by the first writer (its INSERT sends one card
    edit), only touched by the next ones (`created_at` kept)."""
    return [
        Notification.created_at.set(Notification.created_at | now),
        Notification.expires_at.set(now + NOTICE_TTL),
        Notification.kind.set(ANNOUNCE),
        Notification.event_id.set(event_id),
        Notification.payload.set(json.dumps({"reason": reason}, separators=(",", ":"))),
    ]


def add_slot(transaction: TransactWrite, event_id: str, now: datetime, reason: str) -> None:
    """Add to `transaction` the upsert of the card's slot for this minute (an RSVP's)."""
    transaction.update(
        Notification(slot_key(event_id, now)), actions=slot_actions(event_id, now, reason)
    )


def add(
    transaction: TransactWrite,
    *,
    kind: str,
    event_id: str,
    member_id: str | None = None,
    payload: dict[str, Any] | None = None,
    now: datetime,
) -> str:
    """Add to `transaction` the Put of one notice record; its key (the notice's id). The Put is
    conditional on the key being new: a notice is never overwritten."""
    if kind not in KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    key = notice_key(event_id, now)
    record = Notification(
        key,
        created_at=now,
        expires_at=now + NOTICE_TTL,
        kind=kind,
        event_id=event_id,
        member_id=member_id,
        payload=json.dumps(payload or {}, default=str, separators=(",", ":")),
    )
    transaction.save(record, condition=Notification.pk.does_not_exist())
    return key


@dataclass(frozen=True)
class Draft:
    """A notice to write with a change (the data layer's writers take one)."""

    kind: str
    payload: dict[str, Any]
    now: datetime
    member_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """A notice record as the stream delivers it."""

    id: str
    kind: str
    event_id: str
    member_id: str | None
    payload: dict[str, Any]
    created_at: datetime


def is_notice_key(key: str) -> bool:
    return key.startswith(NOTICE_PREFIX)


def from_image(image: dict[str, Any]) -> Notice:
    """A notice from a stream record's NewImage (DynamoDB's typed JSON). The payload may be a
    JSON string (as `add` writes it) or a map. Raises ValueError when the image is no notice."""
    raw_payload = image.get("payload") or {}
    try:
        record = Notification.from_raw_data({k: v for k, v in image.items() if k != "payload"})
    except (KeyError, TypeError, AttributeError) as error:
        raise ValueError(f"not a notice record: {error}") from error
    if not is_notice_key(record.pk) or record.kind not in KINDS or not record.event_id:
        raise ValueError(f"not a notice record: {record.pk!r}")
    if "M" in raw_payload:
        # Only a record written as a map pays for importing boto3 (the writers' cold starts don't).
        from boto3.dynamodb.types import TypeDeserializer

        payload = TypeDeserializer().deserialize(cast(Any, raw_payload))
    else:
        payload = json.loads(raw_payload.get("S") or "{}")
    if not isinstance(payload, dict):
        raise ValueError(f"the payload of {record.pk!r} is not an object")
    return Notice(
        id=record.pk,
        kind=record.kind,
        event_id=record.event_id,
        member_id=record.member_id,
        payload=payload,
        created_at=record.created_at,
    )
