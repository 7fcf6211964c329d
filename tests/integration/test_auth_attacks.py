"""Attacks on the login and on access tokens, through the real functions: each is refused."""

import base64
import json
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jwt
import pytest
from support.environment import BOT_TOKEN, JWT_SECRET
from support.figures import record_figure
from support.flows import body_of, callback, generate_code, login

from community.data.models import User
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.local.initdata import signed_init_data

# The checks happen before or beside the one read; the backend does not matter here.
pytestmark = [
    pytest.mark.usefixtures("dynamodb"),
    pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True),
]

AUTHENTICATED = ["UsersMeFunction", "UsersMeRefreshFunction"]
FIXTURES = {"UsersMeFunction": "users_me", "UsersMeRefreshFunction": "users_me_refresh"}


def b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims_of(session: dict[str, Any], **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "sub": session["user"]["id"],
        "tid": session["user"]["telegram_id"],
        "ver": 0,
        "iat": now,
        "exp": now + 3600,
        "iss": "community-api",
        **changes,
    }
    return {name: value for name, value in claims.items() if value is not None}


def forged_tokens(session: dict[str, Any]) -> dict[str, str]:
    now = int(time.time())
    tokens = {
        "alg-none": b64url({"alg": "none", "typ": "JWT"}) + "." + b64url(claims_of(session)) + ".",
        "hs256-wrong-key": jwt.encode(claims_of(session), "another-key-" * 4, algorithm="HS256"),
        "expired": jwt.encode(
            claims_of(session, iat=now - 7200, exp=now - 3600), JWT_SECRET, algorithm="HS256"
        ),
        "not-yet-valid": jwt.encode(
            claims_of(session, nbf=now + 3600), JWT_SECRET, algorithm="HS256"
        ),
        "other-issuer": jwt.encode(
            claims_of(session, iss="someone-else"), JWT_SECRET, algorithm="HS256"
        ),
        "signature-of-another-token": session["token"].rsplit(".", 1)[0]
        + "."
        + jwt.encode(claims_of(session, sub="x"), JWT_SECRET, algorithm="HS256").rsplit(".", 1)[1],
    }
    for claim in ("sub", "tid", "ver", "iat", "exp", "iss"):
        tokens[f"missing-{claim}"] = jwt.encode(
            claims_of(session, **{claim: None}), JWT_SECRET, algorithm="HS256"
        )
    return tokens


ATTACKS = sorted(forged_tokens({"token": "a.b.c", "user": {"id": "u", "telegram_id": 1}}))


@pytest.mark.parametrize("function", AUTHENTICATED)
@pytest.mark.parametrize("attack", ATTACKS)
def test_a_forged_or_stale_token_is_refused(function: str, attack: str) -> None:
    # Given a member, and a token forged or spoiled as in `attack`
    session = login(42, "Alice")
    token = forged_tokens(session)[attack]

    # When it is presented
    response = invoke(function, load_event(FIXTURES[function], TOKEN=token))

    # Then it is a 401 with a Bearer challenge (while the real token works)
    record_figure(
        f"JWT attack `{attack}` on /me and /me/refresh", 1, int(response["statusCode"] != 401)
    )
    assert response["statusCode"] == 401, response
    assert response["headers"]["www-authenticate"] == "Bearer"
    assert (
        invoke(function, load_event(FIXTURES[function], TOKEN=session["token"]))["statusCode"]
        == 200
    )


def test_init_data_older_than_the_max_age_is_refused() -> None:
    # Given initData Telegram signed a day and a second ago (a replay of an old session)
    old = signed_init_data(BOT_TOKEN, 42, "Alice", auth_date=int(time.time()) - 86_401)

    response = invoke("GenerateCodeFunction", load_event("generate_code", INIT_DATA=old))

    record_figure("initData replayed after the max age", 1, int(response["statusCode"] != 401))
    assert response["statusCode"] == 401
    assert response["headers"]["www-authenticate"] == "tma"


def test_init_data_carrying_the_hash_of_another_payload_is_refused() -> None:
    # Given two genuine payloads, and the first one's fields with the second one's hash
    mine = dict(parse_qsl(signed_init_data(BOT_TOKEN, 43, "Mallory")))
    victim = dict(parse_qsl(signed_init_data(BOT_TOKEN, 42, "Alice")))
    forged = urlencode({**victim, "hash": mine["hash"]})

    response = invoke("GenerateCodeFunction", load_event("generate_code", INIT_DATA=forged))

    record_figure("initData with another payload's hash", 1, int(response["statusCode"] != 401))
    assert response["statusCode"] == 401


def test_a_code_redeemed_with_another_telegram_id_is_refused_and_stays_for_its_owner() -> None:
    code = body_of(generate_code(42, "Alice"))["code"]

    stolen = callback(code, 43)
    owner = callback(code, 42)

    record_figure(
        "login code redeemed with another telegram_id", 1, int(stolen["statusCode"] != 401)
    )
    assert stolen["statusCode"] == 401
    assert owner["statusCode"] == 200
    assert body_of(owner)["user"]["telegram_id"] == 42


def test_a_member_cannot_refer_themselves() -> None:
    # Given a member who logs in again through their own referral link
    member = login(5, "Self")["user"]
    again = login(5, "Self", start_param=member["referral_code"])["user"]

    # Then no referral is recorded, in the answer or in the table
    stored = User.get("USER#5", consistent_read=True)
    record_figure(
        "referral self-attribution", 1, int(bool(again["referred_by"] or stored.referred_by))
    )
    assert again["referred_by"] is None
    assert stored.referred_by is None
