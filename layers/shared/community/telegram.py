"""Validation of Telegram Mini App initData, exactly as Telegram specifies:
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app

The data-check-string is built from the raw, URL-decoded fields as received; nothing is
re-serialised before the signature is checked."""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from community.errors import InvalidInitData
from community.values import single_line, storable

MAX_INIT_DATA_LENGTH = 8192
# Telegram user ids "have at most 52 significant bits", so they fit a double exactly. Larger
# ones cannot be Telegram's, and the callback (whose `telegram_id` the front end may carry as a
# JavaScript number) could never redeem a code issued for one: both ends use this bound.
TELEGRAM_ID_LIMIT = 2**53


@dataclass(frozen=True, slots=True)
class TelegramUser:
    """A member as Telegram vouched for them at login: what a login code keeps until it is
    redeemed, and what the login makes or refreshes the member from."""

    telegram_id: int
    name: str
    username: str | None
    photo_url: str | None
    # Whether the member let the bot message them first (initData's user.allows_write_to_pm).
    allows_write_to_pm: bool = False
    # What the Mini App was opened with (`startapp`): a referral code, an event, or both
    # (community/applinks.py reads it).
    start_param: str | None = None


@dataclass(frozen=True)
class VerifiedInitData:
    user: TelegramUser
    auth_date: int


def _secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()


def _data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields))


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram would attach to these fields (used by dev tooling and tests)."""
    return hmac.new(
        _secret_key(bot_token), _data_check_string(fields).encode(), hashlib.sha256
    ).hexdigest()


def _parse_fields(init_data: str) -> dict[str, str]:
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True, errors="strict")
    except (ValueError, UnicodeDecodeError) as error:
        raise InvalidInitData("malformed init data") from error
    fields = dict(pairs)
    if len(fields) != len(pairs):
        # A repeated key would let the signed and the used value differ.
        raise InvalidInitData("malformed init data")
    return fields


def is_telegram_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < TELEGRAM_ID_LIMIT


def _text_or_none(value: object) -> str | None:
    return storable(value) if isinstance(value, str) else None


def _parse_user(raw_user: str | None, start_param: str | None) -> TelegramUser:
    try:
        user = json.loads(raw_user or "")
        telegram_id = user["id"]
    except (ValueError, TypeError, KeyError) as error:
        raise InvalidInitData("init data carries no valid user") from error
    if not is_telegram_id(telegram_id):
        raise InvalidInitData("init data carries no valid user")
    # Telegram's JSON may carry lone surrogates (cut emoji); stored as U+FFFD, not refused.
    # A name is whatever its member typed into Telegram: kept, but as one line, without the
    # controls and bidi overrides that would garble the pages and messages it is shown in.
    name = single_line(
        " ".join(
            storable(part)
            for part in (user.get("first_name"), user.get("last_name"))
            if isinstance(part, str)
        )
    )
    username = _text_or_none(user.get("username"))
    photo_url = _text_or_none(user.get("photo_url"))
    return TelegramUser(
        telegram_id=telegram_id,
        name=name[:128] or username or "Member",
        username=username[:64] if username else None,
        photo_url=photo_url[:1024] if photo_url and photo_url.startswith("https://") else None,
        allows_write_to_pm=user.get("allows_write_to_pm") is True,
        start_param=start_param,
    )


def verify_init_data(
    init_data: str, bot_token: str, max_age_seconds: int, now: float | None = None
) -> VerifiedInitData:
    if not init_data or len(init_data) > MAX_INIT_DATA_LENGTH:
        raise InvalidInitData("missing or oversized init data")
    fields = _parse_fields(init_data)
    received_hash = fields.pop("hash", "")
    expected_hash = sign(fields, bot_token)
    if not hmac.compare_digest(expected_hash.encode(), received_hash.encode()):
        raise InvalidInitData("init data signature mismatch")

    try:
        auth_date = int(fields["auth_date"])
    except (KeyError, ValueError) as error:
        raise InvalidInitData("init data has no valid auth_date") from error
    current = time.time() if now is None else now
    # A small allowance for clock skew between Telegram and us, never a day-sized one.
    if auth_date > current + 30:
        raise InvalidInitData("init data auth_date is in the future")
    if current - auth_date > max_age_seconds:
        raise InvalidInitData("init data has expired")

    return VerifiedInitData(
        user=_parse_user(fields.get("user"), fields.get("start_param") or None),
        auth_date=auth_date,
    )
