"""The login flow through the real handlers and their fixtures, on moto in-process and on
moto's server over HTTP (the `dynamodb` fixture runs each test on both)."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from support.environment import BOT_TOKEN, JWT_SECRET
from support.flows import body_of, callback, generate_code, login

from community import applinks
from community.data.models import AuthCode, ReferralGuard, User
from community.services import auth as auth_service
from community.services import users as users_service
from community.values import REFERRAL_CODE_RE
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.local.initdata import signed_init_data

pytestmark = pytest.mark.usefixtures("dynamodb")

PRIVATE_FIELDS = {
    "id",
    "telegram_id",
    "name",
    "username",
    "photo_url",
    "role",
    "coins",
    "email",
    "referral_code",
    "referred_by",
    "created_at",
    "reminders",
    "email_verified",
    "referral_count",
}


def test_valid_init_data_gets_a_code_that_logs_in_once() -> None:
    # Given signed initData from Telegram
    issued = generate_code(42, "Alice")

    # Then a one-time code comes back
    assert issued["statusCode"] == 200
    code_body = body_of(issued)
    assert set(code_body) == {"code", "expires_in"}
    assert code_body["expires_in"] == 600
    assert len(code_body["code"]) >= 22  # at least 128 random bits, base64url

    # When it is redeemed
    response = callback(code_body["code"], 42)

    # Then a token and the private user come back
    assert response["statusCode"] == 200
    session = body_of(response)
    assert session["token_type"] == "bearer"
    assert session["expires_in"] == 86_400
    user = session["user"]
    assert set(user) == PRIVATE_FIELDS
    assert user["telegram_id"] == 42
    assert user["name"] == "Alice"
    assert user["role"] == "member"
    assert user["coins"] == 0
    assert user["email"] is None
    assert user["email_verified"] is False
    assert user["referred_by"] is None
    assert REFERRAL_CODE_RE.fullmatch(user["referral_code"])
    claims = jwt.decode(session["token"], JWT_SECRET, algorithms=["HS256"], issuer="community-api")
    assert claims["sub"] == user["id"]
    assert claims["ver"] == 0
    assert claims["exp"] - claims["iat"] == 86_400

    # And the code cannot be used again
    assert callback(code_body["code"], 42)["statusCode"] == 401


def test_the_code_is_stored_hashed_with_telegram_data_and_a_ttl(dynamodb: Any) -> None:
    code = body_of(generate_code(42, "Alice", start_param="UP-ABC123"))["code"]

    items = dynamodb.scan(TableName="test-auth-codes")["Items"]
    assert len(items) == 1
    (item,) = items
    assert code not in json.dumps(item)
    assert item["telegram_id"] == {"N": "42"}
    assert item["start_param"] == {"S": "UP-ABC123"}
    expires_at = int(item["expires_at"]["N"])
    assert 590 <= expires_at - time.time() <= 600
    ttl = dynamodb.describe_time_to_live(TableName="test-auth-codes")
    assert ttl["TimeToLiveDescription"]["AttributeName"] == "expires_at"


def test_init_data_in_the_json_body_is_accepted_too() -> None:
    event = load_event("generate_code", INIT_DATA="unused")
    del event["headers"]["authorization"]
    event["body"] = json.dumps({"init_data": signed_init_data(BOT_TOKEN, 7, "Bob")})
    assert invoke("GenerateCodeFunction", event)["statusCode"] == 200


def test_the_code_in_a_json_body_is_accepted_too() -> None:
    code = body_of(generate_code(7, "Bob"))["code"]
    event = load_event("auth_callback", LOGIN_CODE="x", TELEGRAM_ID=1)
    event["rawQueryString"], event["queryStringParameters"] = "", {}
    event["body"] = json.dumps({"code": code, "telegram_id": 7})
    assert invoke("AuthCallbackFunction", event)["statusCode"] == 200


@pytest.mark.parametrize(
    "init_data",
    [
        "",
        "garbage",
        signed_init_data("1:another-bot", 42, "Alice"),
        signed_init_data(BOT_TOKEN, 42, "Alice") + "&extra=1",
        signed_init_data(BOT_TOKEN, 42, "Alice").replace("Alice", "Mallory"),
        signed_init_data(BOT_TOKEN, 42, "Alice", auth_date=int(time.time()) - 86_401),
        signed_init_data(BOT_TOKEN, 42, "Alice", auth_date=int(time.time()) + 3600),
    ],
    ids=["empty", "garbage", "other-bot", "field-added", "field-changed", "stale", "future"],
)
def test_bad_init_data_is_a_401_json_and_stores_nothing(init_data: str, dynamodb: Any) -> None:
    response = invoke("GenerateCodeFunction", load_event("generate_code", INIT_DATA=init_data))

    assert response["statusCode"] == 401
    assert response["headers"]["content-type"] == "application/json"
    assert body_of(response)["success"] is False
    assert dynamodb.scan(TableName="test-auth-codes")["Count"] == 0


def test_a_code_redeemed_with_another_telegram_id_is_refused_and_not_consumed() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]

    assert callback(code, 43)["statusCode"] == 401
    assert callback(code, 42)["statusCode"] == 200


def test_an_expired_code_still_present_in_the_table_is_refused() -> None:
    # Given a code whose expiry passed but which TTL has not deleted yet
    code = body_of(generate_code(42, "Alice"))["code"]
    record = AuthCode.get(auth_service._code_hash(code))
    record.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    record.save()

    # Then it does not log anyone in
    assert callback(code, 42)["statusCode"] == 401


@pytest.mark.parametrize(
    "query",
    ["", "code=abc&telegram_id=42", "code=" + "a" * 43 + "&telegram_id=x", "telegram_id=42"],
)
def test_malformed_callback_requests_are_4xx_json(query: str) -> None:
    event = load_event("auth_callback", LOGIN_CODE="x", TELEGRAM_ID=1)
    event["rawQueryString"] = query
    event["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&") if p)
    response = invoke("AuthCallbackFunction", event)
    assert 400 <= response["statusCode"] < 500
    assert body_of(response)["success"] is False


def test_fifty_concurrent_redemptions_of_one_code_yield_exactly_one_token() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]
    start = threading.Barrier(50)

    def redeem(_: int) -> int:
        start.wait()
        return int(callback(code, 42)["statusCode"])

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(redeem, range(50)))

    assert statuses.count(200) == 1
    assert statuses.count(401) == 49


def test_twenty_concurrent_first_logins_of_one_person_make_one_user(dynamodb: Any) -> None:
    codes = [body_of(generate_code(77, "Carol"))["code"] for _ in range(20)]
    start = threading.Barrier(20)

    def redeem(code: str) -> dict[str, Any]:
        start.wait()
        response = callback(code, 77)
        assert response["statusCode"] == 200, response
        return body_of(response)["user"]

    with ThreadPoolExecutor(max_workers=20) as pool:
        users = list(pool.map(redeem, codes))

    assert len({user["id"] for user in users}) == 1
    assert len({user["referral_code"] for user in users}) == 1
    assert [user.telegram_id for user in User.scan(User.pk.startswith("USER#"))] == [77]
    guards = list(ReferralGuard.scan(ReferralGuard.pk.startswith("REFERRAL#")))
    assert [guard.pk for guard in guards] == [f"REFERRAL#{users[0]['referral_code']}"]


def test_each_login_refreshes_the_telegram_fields() -> None:
    first = login(42, "Alice")["user"]
    again = login(42, "Alice Cooper")["user"]

    assert again["id"] == first["id"]
    assert again["referral_code"] == first["referral_code"]
    assert again["name"] == "Alice Cooper"


def test_a_referral_start_param_is_recorded_for_new_users_in_any_case() -> None:
    referrer = login(1, "Referrer")["user"]

    newcomer = login(2, "Newcomer", start_param=referrer["referral_code"].lower())["user"]

    assert newcomer["referred_by"] == referrer["referral_code"]


def test_an_event_links_referral_is_recorded_as_a_bare_code_is() -> None:
    # Given a member's shared event card: its link's start parameter names the event and them
    referrer = login(1, "Referrer")["user"]
    shared = applinks.start_param(
        applinks.Target(
            event_id="01HZX3K9Q7M2N4P6R8S0T1V3W5", referral_code=referrer["referral_code"]
        )
    )

    # When a newcomer logs in from it
    newcomer = login(2, "Newcomer", start_param=shared)["user"]

    # Then they are referred by the sharer, as through a shared profile link
    assert shared == f"e_01HZX3K9Q7M2N4P6R8S0T1V3W5_r_{referrer['referral_code']}"
    assert newcomer["referred_by"] == referrer["referral_code"]


@pytest.mark.parametrize(
    "template",
    [
        "e_nope_r_{code}",  # not an event id: the whole parameter is refused
        "r_{code}",  # a referral rides only beside an event
        "e_01HZX3K9Q7M2N4P6R8S0T1V3W5_r_{code}_r_{code}",  # a key twice
        "e_01HZX3K9Q7M2N4P6R8S0T1V3W5_r_{code}_x",  # an odd number of parts
    ],
)
def test_a_malformed_event_link_records_no_referral(template: str) -> None:
    referrer = login(1, "Referrer")["user"]

    newcomer = login(2, "Newcomer", start_param=template.format(code=referrer["referral_code"]))

    assert newcomer["user"]["referred_by"] is None


def test_an_unknown_referral_code_is_ignored() -> None:
    assert login(2, "Newcomer", start_param="UP-ZZZZZZ")["user"]["referred_by"] is None


def test_a_users_own_code_as_start_param_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given an existing member who opens their own shared link
    member = login(5, "Self")["user"]
    again = login(5, "Self", start_param=member["referral_code"])["user"]
    assert again["referred_by"] is None

    # And a newcomer whose freshly drawn code happens to equal the start_param
    monkeypatch.setattr(users_service, "new_referral_code", lambda: "UP-SELF01")
    newcomer = login(6, "Newcomer", start_param="UP-SELF01")["user"]
    assert newcomer["referral_code"] == "UP-SELF01"
    assert newcomer["referred_by"] is None


def test_user_and_guard_items_are_written_together(dynamodb: Any) -> None:
    user = login(42, "Alice")["user"]

    guard = ReferralGuard.get(f"REFERRAL#{user['referral_code']}", consistent_read=True)
    assert guard.user_pk == "USER#42"
    assert User.get("USER#42").referral_code == user["referral_code"]
