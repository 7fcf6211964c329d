"""Opaque, tamper-evident page cursors for the events listing.

A cursor is base64url(tag || payload): the payload is the compact JSON of the last event a
page returned (its `start_date` and `id`), the tag the first 16 bytes of its HMAC-SHA256. The
client can neither forge a position nor read the payload back as anything but a position: the
server rebuilds the DynamoDB start key from these two values alone."""

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from community.errors import InvalidRequest
from community.values import EVENT_DATE_RE, normalise_event_id

TAG_BYTES = 16
# A real cursor is about 110 characters; refusing long input early bounds the work done on it.
MAX_CURSOR_CHARS = 256
INVALID = "invalid cursor"


@dataclass(frozen=True)
class Position:
    start_date: str
    event_id: str


def cursor_key(secret: str, scope: str = "") -> bytes:
    """A key for cursors only, derived from the JWT secret, so a cursor tag is never a token
    signature and rotating the JWT secret also retires old cursors. Each listing (`scope`: a
    category, a member's own events) has a key of its own, so a cursor only works where it
    was issued."""
    label = b"events-cursor-v1" + (b":" + scope.encode() if scope else b"")
    return hmac.new(secret.encode(), label, hashlib.sha256).digest()


def _tag(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()[:TAG_BYTES]


def _verified(cursor: str, key: bytes) -> bytes:
    """The payload of a cursor signed with `key`; InvalidRequest for anything else."""
    if not cursor or len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidRequest(INVALID)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidRequest(INVALID) from None
    tag, payload = raw[:TAG_BYTES], raw[TAG_BYTES:]
    if len(tag) < TAG_BYTES or not hmac.compare_digest(tag, _tag(payload, key)):
        raise InvalidRequest(INVALID)
    return payload


def encode(position: Position, key: bytes) -> str:
    payload = json.dumps(
        {"s": position.start_date, "i": position.event_id}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(_tag(payload, key) + payload).rstrip(b"=").decode()


def decode(cursor: str, key: bytes) -> Position:
    """The position a cursor we issued stands for; InvalidRequest for anything else."""
    payload = _verified(cursor, key)
    # Signed by us, so well formed unless the format changed; checked anyway, as the start
    # key built from it goes straight to DynamoDB.
    try:
        fields = json.loads(payload)
        start_date, event_id = fields["s"], fields["i"]
    except (ValueError, TypeError, KeyError):
        raise InvalidRequest(INVALID) from None
    if (
        not isinstance(start_date, str)
        or not isinstance(event_id, str)
        or not EVENT_DATE_RE.fullmatch(start_date)
        or normalise_event_id(event_id) != event_id
    ):
        raise InvalidRequest(INVALID)
    return Position(start_date=start_date, event_id=event_id)


def resume_after(cursor: str | None, key: bytes, not_before: str) -> tuple[str, str] | None:
    """The (start_date, id) a page continues after, or None to start at `not_before`. A cursor
    older than `not_before` points before the listing's start; DynamoDB refuses a start key
    outside the key condition, and every event at or after `not_before` follows it anyway."""
    if cursor is None:
        return None
    position = decode(cursor, key)
    if position.start_date < not_before:
        return None
    return position.start_date, position.event_id


# Member ids as stored (services/users.py makes UUIDs); anything printable and short is taken
# back, as the start key rebuilt from it stays in the event's own partition anyway.
MEMBER_ID_RE = re.compile(r"^[0-9A-Za-z-]{1,64}$")


def encode_member(user_id: str, key: bytes) -> str:
    """A cursor for a listing keyed by member (an event's attendees): the last one shown."""
    payload = json.dumps({"u": user_id}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(_tag(payload, key) + payload).rstrip(b"=").decode()


def decode_member(cursor: str, key: bytes) -> str:
    """The member a cursor from `encode_member` resumes after; InvalidRequest otherwise."""
    payload = _verified(cursor, key)
    try:
        user_id = json.loads(payload)["u"]
    except (ValueError, TypeError, KeyError):
        raise InvalidRequest(INVALID) from None
    if not isinstance(user_id, str) or not MEMBER_ID_RE.fullmatch(user_id):
        raise InvalidRequest(INVALID)
    return user_id
