"""initData validation, as Telegram specifies it."""

import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, urlencode

import pytest

from community.errors import InvalidInitData
from community.telegram import verify_init_data
from devkit.local.initdata import signed_init_data

BOT_TOKEN = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8"
NOW = 1_795_500_000


def independent_hash(fields: dict[str, str], bot_token: str) -> str:
    """Telegram's recipe written out again, independently of the code under test."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def make(fields: dict[str, str]) -> str:
    return urlencode({**fields, "hash": independent_hash(fields, BOT_TOKEN)})


VALID_FIELDS = {
    "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
    "user": '{"id":279058397,"first_name":"Vladislav","last_name":"Kibenko",'
    '"username":"vdkfrost","language_code":"ru","is_premium":true,'
    '"photo_url":"https://t.me/i/userpic/320/x.jpg"}',
    "auth_date": str(NOW - 60),
    "start_param": "UP-ABC123",
}


def test_valid_init_data_is_accepted_with_its_user_and_start_param() -> None:
    verified = verify_init_data(make(VALID_FIELDS), BOT_TOKEN, 86_400, now=NOW)

    assert verified.user.telegram_id == 279058397
    assert verified.user.name == "Vladislav Kibenko"
    assert verified.user.username == "vdkfrost"
    assert verified.user.photo_url == "https://t.me/i/userpic/320/x.jpg"
    assert verified.user.start_param == "UP-ABC123"


def test_dev_tooling_signs_what_the_server_accepts() -> None:
    init_data = signed_init_data(BOT_TOKEN, 42, "Alice", auth_date=NOW)
    assert verify_init_data(init_data, BOT_TOKEN, 60, now=NOW).user.telegram_id == 42


def test_the_raw_string_is_checked_not_a_reserialisation() -> None:
    # Given a user JSON with spacing and key order a re-serialiser would change
    fields = {**VALID_FIELDS, "user": '{ "first_name" : "Ann",  "id" : 7 }'}
    assert verify_init_data(make(fields), BOT_TOKEN, 86_400, now=NOW).user.telegram_id == 7


@pytest.mark.parametrize("field", sorted(VALID_FIELDS))
def test_changing_any_signed_field_is_rejected(field: str) -> None:
    pairs = dict(parse_qsl(make(VALID_FIELDS)))
    pairs[field] = pairs[field] + "x"
    with pytest.raises(InvalidInitData):
        verify_init_data(urlencode(pairs), BOT_TOKEN, 86_400, now=NOW)


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(lambda p: {**p, "hash": "0" * 64}, id="hash-replaced"),
        pytest.param(lambda p: {**p, "hash": p["hash"][:-1]}, id="hash-truncated"),
        pytest.param(lambda p: {**p, "is_admin": "true"}, id="field-added"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "start_param"}, id="removed"),
        pytest.param(lambda p: {k: v for k, v in p.items() if k != "hash"}, id="hash-missing"),
        pytest.param(lambda p: {**p, "hash": "é" * 64}, id="hash-non-ascii"),
    ],
)
def test_tampered_init_data_is_rejected(tamper) -> None:  # type: ignore[no-untyped-def]
    pairs = dict(parse_qsl(make(VALID_FIELDS)))
    with pytest.raises(InvalidInitData):
        verify_init_data(urlencode(tamper(pairs)), BOT_TOKEN, 86_400, now=NOW)


def test_the_hash_of_another_payload_is_rejected() -> None:
    other = dict(parse_qsl(make({**VALID_FIELDS, "user": '{"id":1,"first_name":"Eve"}'})))
    mine = dict(parse_qsl(make(VALID_FIELDS)))
    with pytest.raises(InvalidInitData):
        verify_init_data(urlencode({**mine, "hash": other["hash"]}), BOT_TOKEN, 86_400, now=NOW)


def test_another_bots_signature_is_rejected() -> None:
    with pytest.raises(InvalidInitData):
        verify_init_data(make(VALID_FIELDS), "1:other-bot", 86_400, now=NOW)


def test_a_repeated_field_is_rejected() -> None:
    with pytest.raises(InvalidInitData):
        verify_init_data(make(VALID_FIELDS) + "&start_param=UP-ZZZZZZ", BOT_TOKEN, 86_400, now=NOW)


@pytest.mark.parametrize(
    ("auth_date", "accepted"),
    [
        (NOW - 86_400, True),
        (NOW - 86_401, False),
        (NOW + 3600, False),
        ("abc", False),
    ],
)
def test_auth_date_must_be_recent_and_not_in_the_future(auth_date: object, accepted: bool) -> None:
    init_data = make({**VALID_FIELDS, "auth_date": str(auth_date)})
    if accepted:
        verify_init_data(init_data, BOT_TOKEN, 86_400, now=NOW)
    else:
        with pytest.raises(InvalidInitData):
            verify_init_data(init_data, BOT_TOKEN, 86_400, now=NOW)


@pytest.mark.parametrize(
    "init_data",
    ["", "no-equals-sign", "a=%ff%fe", "user=%7B&hash=", "x" * 9000, quote("\x00") + "=1"],
)
def test_malformed_init_data_is_rejected(init_data: str) -> None:
    with pytest.raises(InvalidInitData):
        verify_init_data(init_data, BOT_TOKEN, 86_400, now=time.time())


@pytest.mark.parametrize(
    "user", ['{"first_name":"NoId"}', '{"id":"42"}', '{"id":-1}', '{"id":true}', "[]", "null"]
)
def test_a_signed_payload_without_a_valid_user_is_rejected(user: str) -> None:
    with pytest.raises(InvalidInitData):
        verify_init_data(make({**VALID_FIELDS, "user": user}), BOT_TOKEN, 86_400, now=NOW)
