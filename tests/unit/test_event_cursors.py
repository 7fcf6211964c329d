"""Page cursors: only what we signed comes back as a position; everything else is a 400."""

import base64
import hashlib
import hmac

import pytest

from community.errors import InvalidRequest
from community.signed.cursors import MAX_CURSOR_CHARS, Position, cursor_key, decode, encode

KEY = cursor_key("s" * 64)
POSITION = Position("2026-12-01T10:00:00Z", "01JDQ7Z8W3K5M9P2R4T6V8X0YA")


def signed(payload: bytes, key: bytes = KEY) -> str:
    """A cursor over an arbitrary payload, signed with `key` the way encode() signs."""
    tag = hmac.new(key, payload, hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(tag + payload).rstrip(b"=").decode()


def test_a_cursor_we_issued_decodes_to_its_position_and_is_url_safe() -> None:
    cursor = encode(POSITION, KEY)

    assert decode(cursor, KEY) == POSITION
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(cursor) <= MAX_CURSOR_CHARS


def test_the_cursor_key_depends_on_the_secret_and_is_not_the_secret() -> None:
    assert cursor_key("a" * 64) != cursor_key("b" * 64)
    assert cursor_key("a" * 64) != b"a" * 64


def test_a_cursor_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(InvalidRequest):
        decode(encode(POSITION, cursor_key("other")), KEY)


@pytest.mark.parametrize("index", range(0, 40, 3))
def test_changing_any_byte_of_a_cursor_is_detected(index: int) -> None:
    raw = bytearray(base64.urlsafe_b64decode(encode(POSITION, KEY) + "=="))
    raw[index] ^= 0x01

    with pytest.raises(InvalidRequest):
        decode(base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode(), KEY)


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"[1, 2]",
        b'{"s": "2026-12-01T10:00:00Z"}',
        b'{"s": "2026-12-01", "i": "01JDQ7Z8W3K5M9P2R4T6V8X0YA"}',
        b'{"s": "2026-12-01T10:00:00Z", "i": "USER#42"}',
        b'{"s": 5, "i": "01JDQ7Z8W3K5M9P2R4T6V8X0YA"}',
        b"\xff\xfe",
    ],
)
def test_a_signed_payload_that_is_not_a_position_is_refused(payload: bytes) -> None:
    with pytest.raises(InvalidRequest):
        decode(signed(payload), KEY)


@pytest.mark.parametrize(
    "cursor", ["", "abc", "!!!!", "é" * 30, "A" * (MAX_CURSOR_CHARS + 1), "===="]
)
def test_garbage_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidRequest):
        decode(cursor, KEY)
