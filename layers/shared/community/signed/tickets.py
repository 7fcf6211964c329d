"""Door tickets: what a going member shows as a QR code and a staff scanner sends back.

A ticket names one RSVP: the event, the member and the attendance's `created_at` (its stamp;
a cancelled and renewed RSVP has a new one, so the old ticket names an RSVP that no longer
exists). It is base32 (RFC 4648, upper case, no padding) of

    header (1 byte) | event id (16) | member id (16) | stamp (7) | tag (12)

52 bytes, 84 characters, all in QR's alphanumeric mode (5.5 bits a character): version 4 at
error correction M (33 x 33 modules), which a phone camera reads at arm's length. The header
holds the format version and how the two ids were packed (event ids are ULIDs or UUIDs,
member ids UUIDs; anything else is carried as UTF-8, longer). The tag is the first 12 bytes of
an HMAC-SHA256 over everything before it, keyed for tickets alone (`ticket_key`): a ticket is
never an access token, an email link or a cursor, nor any of them a ticket. Nothing in it is
private: the member id is the public profile's `id`, never the Telegram id or the name.

Signed, not stored: the ticket proves which RSVP it was issued for; whether that RSVP still
stands (and has not been checked in) is the server's answer at the door."""

import base64
import binascii
import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from community.errors import InvalidRequest
from community.values import ULID_RE, UUID_RE

VERSION = 1
TAG_BYTES = 12
STAMP_BYTES = 7  # microseconds since 1970: 2^56 us is some 2,283 years
ID_BYTES = 16
# Header bits under the version nibble: how each id is packed.
EVENT_ULID = 0x01
EVENT_TEXT = 0x02
MEMBER_TEXT = 0x04
# A ticket of two packed ids is 84 characters; text ids (none today) make it longer. Refusing
# anything longer than this early bounds the work done on hostile input.
MAX_TICKET_CHARS = 400
MAX_TEXT_ID_BYTES = 100
INVALID = "invalid ticket"
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Ticket:
    event_id: str
    user_id: str
    # The attendance's created_at, to the microsecond: which RSVP of this member it names.
    stamp: datetime


def ticket_key(jwt_secret: str) -> bytes:
    """A key for tickets only, derived from the JWT secret: rotating that secret retires every
    ticket issued (members fetch a new one with their next look at the event)."""
    return hmac.new(jwt_secret.encode(), b"door-ticket-v1", hashlib.sha256).digest()


def _tag(body: bytes, key: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()[:TAG_BYTES]


def _ulid_bytes(ulid: str) -> bytes:
    value = 0
    for character in ulid:
        value = value * 32 + CROCKFORD.index(character)
    return value.to_bytes(ID_BYTES, "big")


def _ulid_text(raw: bytes) -> str:
    value = int.from_bytes(raw, "big")
    return "".join(CROCKFORD[(value >> (5 * shift)) & 31] for shift in range(25, -1, -1))


def _text_field(text: str) -> bytes:
    raw = text.encode()
    if not 0 < len(raw) <= MAX_TEXT_ID_BYTES:
        raise ValueError(f"an id of {len(raw)} bytes cannot go in a ticket")
    return bytes([len(raw)]) + raw


def _pack_event(event_id: str) -> tuple[int, bytes]:
    if UUID_RE.fullmatch(event_id):
        return 0, uuid.UUID(event_id).bytes
    if ULID_RE.fullmatch(event_id):
        return EVENT_ULID, _ulid_bytes(event_id)
    return EVENT_TEXT, _text_field(event_id)


def _pack_member(user_id: str) -> tuple[int, bytes]:
    # uuid.UUID accepts braces and missing hyphens: only the canonical form is packed, so
    # unpacking gives back exactly the stored id.
    if UUID_RE.fullmatch(user_id):
        return 0, uuid.UUID(user_id).bytes
    return MEMBER_TEXT, _text_field(user_id)


def _stamp_bytes(stamp: datetime) -> bytes:
    delta = stamp.astimezone(UTC) - EPOCH
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    return micros.to_bytes(STAMP_BYTES, "big")


def issue(ticket: Ticket, key: bytes) -> str:
    event_bits, event_field = _pack_event(ticket.event_id)
    member_bits, member_field = _pack_member(ticket.user_id)
    header = bytes([VERSION << 4 | event_bits | member_bits])
    body = header + event_field + member_field + _stamp_bytes(ticket.stamp)
    return base64.b32encode(body + _tag(body, key)).decode().rstrip("=")


class _Reader:
    def __init__(self, raw: bytes) -> None:
        self.raw, self.at = raw, 0

    def take(self, count: int) -> bytes:
        if self.at + count > len(self.raw):
            raise InvalidRequest(INVALID)
        part = self.raw[self.at : self.at + count]
        self.at += count
        return part

    def text(self) -> str:
        length = self.take(1)[0]
        if not 0 < length <= MAX_TEXT_ID_BYTES:
            raise InvalidRequest(INVALID)
        try:
            return self.take(length).decode()
        except UnicodeDecodeError:
            raise InvalidRequest(INVALID) from None


def verify(text: str, key: bytes) -> Ticket:
    """The RSVP a ticket we issued names; InvalidRequest (400) for anything else: forged,
    altered, truncated, of another format, or another kind of token altogether."""
    if not text or len(text) > MAX_TICKET_CHARS:
        raise InvalidRequest(INVALID)
    try:
        # A scanner may hand the text back in lower case; the tag decides, not the case.
        raw = base64.b32decode(text.upper() + "=" * (-len(text) % 8))
    except (binascii.Error, ValueError):
        raise InvalidRequest(INVALID) from None
    if len(raw) <= TAG_BYTES:
        raise InvalidRequest(INVALID)
    body, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
    # Checked before anything in the body is read: a forged body is never parsed.
    if not hmac.compare_digest(tag, _tag(body, key)):
        raise InvalidRequest(INVALID)
    reader = _Reader(body)
    header = reader.take(1)[0]
    if header >> 4 != VERSION:
        raise InvalidRequest(INVALID)
    if header & EVENT_TEXT:
        event_id = reader.text()
    elif header & EVENT_ULID:
        event_id = _ulid_text(reader.take(ID_BYTES))
    else:
        event_id = str(uuid.UUID(bytes=reader.take(ID_BYTES)))
    user_id = reader.text() if header & MEMBER_TEXT else str(uuid.UUID(bytes=reader.take(ID_BYTES)))
    micros = int.from_bytes(reader.take(STAMP_BYTES), "big")
    if reader.at != len(body):
        raise InvalidRequest(INVALID)
    return Ticket(event_id=event_id, user_id=user_id, stamp=EPOCH + timedelta(microseconds=micros))
