"""Profiles: /me (ETag, revocation), /me/refresh, the public JSON and the shared HTML page."""

import html
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from support.faults import counting_calls
from support.flows import body_of, login

from community.data.models import User
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke

pytestmark = pytest.mark.usefixtures("dynamodb")

PUBLIC_FIELDS = {"id", "name", "role", "photo_url", "referral_code", "created_at"}
PUBLIC_CACHE = "public, max-age=60, s-maxage=300, stale-while-revalidate=600"
MISS_CACHE = "public, max-age=10, s-maxage=30"


def me(token: str, **headers: str) -> dict[str, Any]:
    event = load_event("users_me", TOKEN=token)
    event["headers"].update(headers)
    return invoke("UsersMeFunction", event)


def refresh(token: str) -> dict[str, Any]:
    return invoke("UsersMeRefreshFunction", load_event("users_me_refresh", TOKEN=token))


def public(code: str, **headers: str) -> dict[str, Any]:
    event = load_event("public_profile", REFERRAL_CODE=code)
    event["headers"].update(headers)
    return invoke("PublicProfileFunction", event)


def page(code: str, **headers: str) -> dict[str, Any]:
    event = load_event("profile_page", REFERRAL_CODE=code)
    event["headers"].update(headers)
    return invoke("ProfilePageFunction", event)


def fill_every_private_field(telegram_id: int) -> None:
    User("USER#" + str(telegram_id)).update(
        actions=[
            User.email.set("alice@example.com"),
            User.email_verified.set(True),
            User.email_nonce.set("nonce-of-a-link"),
            User.coins.set(1234),
            User.username.set("alice_secret"),
            User.referred_by.set("UP-REFER1"),
            User.photo_url.set("https://t.me/i/userpic/320/alice.jpg"),
            User.role.set("admin"),
        ]
    )


# --- /api/users/me ---------------------------------------------------------------------


def test_me_returns_the_private_profile_with_private_caching_and_an_etag() -> None:
    session = login(42, "Alice")

    response = me(session["token"])

    assert response["statusCode"] == 200
    assert body_of(response) == {"success": True, "user": session["user"]}
    assert response["headers"]["cache-control"] == "private, max-age=300"
    assert re.fullmatch(r'"[0-9a-f]{40}"', response["headers"]["etag"])


def test_me_answers_a_matching_if_none_match_with_an_empty_304() -> None:
    session = login(42, "Alice")
    first = me(session["token"])
    etag = first["headers"]["etag"]

    revalidated = me(session["token"], **{"if-none-match": etag})

    assert revalidated["statusCode"] == 304
    assert not revalidated.get("body")
    assert revalidated["headers"]["etag"] == etag
    assert revalidated["headers"]["cache-control"] == "private, max-age=300"
    assert me(session["token"], **{"if-none-match": f'W/{etag}, "other"'})["statusCode"] == 304


def test_me_after_a_change_is_a_fresh_200_with_a_new_etag() -> None:
    session = login(42, "Alice")
    etag = me(session["token"])["headers"]["etag"]
    login(42, "Alice Renamed")

    response = me(session["token"], **{"if-none-match": etag})

    assert response["statusCode"] == 200
    assert response["headers"]["etag"] != etag
    assert body_of(response)["user"]["name"] == "Alice Renamed"


@pytest.mark.parametrize("authorization", [None, "Bearer nonsense", "Basic abc"])
def test_me_without_a_valid_token_is_401_with_a_bearer_challenge(authorization: str | None) -> None:
    event = load_event("users_me", TOKEN="x")
    if authorization is None:
        del event["headers"]["authorization"]
    else:
        event["headers"]["authorization"] = authorization

    response = invoke("UsersMeFunction", event)

    assert response["statusCode"] == 401
    assert response["headers"]["www-authenticate"] == "Bearer"
    assert body_of(response)["success"] is False


def test_bumping_token_version_makes_an_older_token_401() -> None:
    session = login(42, "Alice")
    User("USER#42").update(actions=[User.token_version.add(1)])

    assert me(session["token"])["statusCode"] == 401
    assert refresh(session["token"])["statusCode"] == 401
    assert me(login(42, "Alice")["token"])["statusCode"] == 200


# --- /api/users/me/refresh -------------------------------------------------------------


def test_refresh_returns_the_same_body_uncached_from_a_consistent_read() -> None:
    session = login(42, "Alice")
    consistent_reads: list[bool] = []

    with counting_calls(on_params=lambda p: consistent_reads.append(p.get("ConsistentRead"))):
        response = refresh(session["token"])

    assert response["statusCode"] == 200
    assert body_of(response) == body_of(me(session["token"]))
    assert response["headers"]["cache-control"] == "no-store"
    assert response["headers"]["etag"] == me(session["token"])["headers"]["etag"]
    assert consistent_reads == [True]


# --- /api/users/u/{code} ---------------------------------------------------------------


def test_the_public_profile_shows_exactly_the_allow_listed_fields() -> None:
    # Given a member with every private field set
    session = login(42, "Alice")
    fill_every_private_field(42)

    response = public(session["user"]["referral_code"])

    assert response["statusCode"] == 200
    body = body_of(response)
    assert body["success"] is True
    assert set(body["user"]) == PUBLIC_FIELDS
    assert body["user"]["role"] == "admin"
    for secret in (
        "alice@example.com",
        "alice_secret",
        "UP-REFER1",
        "1234",
        '"42"',
        "token",
        "verified",
        "nonce",
    ):
        assert secret not in response["body"]
    assert response["headers"]["cache-control"] == PUBLIC_CACHE


def test_the_public_profile_accepts_a_lower_case_code_and_revalidates() -> None:
    code = login(42, "Alice")["user"]["referral_code"]

    response = public(code.lower())
    assert response["statusCode"] == 200
    assert body_of(response)["user"]["referral_code"] == code

    revalidated = public(code, **{"if-none-match": response["headers"]["etag"]})
    assert revalidated["statusCode"] == 304
    assert revalidated["headers"]["cache-control"] == PUBLIC_CACHE
    assert not revalidated.get("body")


@pytest.mark.parametrize("code", ["UP-ZZZZZZ", "up-zzzzzz", "UP-", "not-a-code", "%3Cscript%3E"])
def test_unknown_or_malformed_codes_are_a_briefly_cached_404(code: str) -> None:
    response = public(code)

    assert response["statusCode"] == 404
    assert body_of(response)["success"] is False
    assert body_of(response)["detail"]
    assert response["headers"]["cache-control"] == MISS_CACHE


# --- /u/{code} -------------------------------------------------------------------------


def test_the_page_shows_the_member_with_link_preview_tags_and_a_join_button() -> None:
    session = login(42, "Alice")
    fill_every_private_field(42)
    code = session["user"]["referral_code"]

    response = page(code.lower())

    assert response["statusCode"] == 200
    assert response["headers"]["content-type"] == "text/html; charset=utf-8"
    assert response["headers"]["cache-control"] == PUBLIC_CACHE
    document = response["body"]
    assert '<h1 dir="auto">Alice</h1>' in document
    assert f"Member since {datetime.now(UTC):%B %Y}" in document
    for tag in ("og:title", "og:description", "og:image", "og:url", "twitter:card"):
        assert f'="{tag}"' in document
    assert 'property="og:image" content="https://t.me/i/userpic/320/alice.jpg"' in document
    assert f'property="og:url" content="http://127.0.0.1:3000/u/{code}"' in document
    join = html.escape(f"https://t.me/community_bot/app?startapp={code}")
    assert f'<a class="join" href="{join}">Join on Telegram</a>' in document
    for secret in ("alice@example.com", "alice_secret", "UP-REFER1"):
        assert secret not in document
    assert "<script" not in document
    assert "stylesheet" not in document


def test_every_user_supplied_string_is_escaped_in_the_page() -> None:
    payload = "<script>alert(1)</script>\"'&"
    code = login(666, payload)["user"]["referral_code"]

    document = page(code)["body"]

    assert "<script>" not in document
    assert html.escape(payload) in document
    assert f'content="{html.escape(payload)} on Community"' in document


def test_a_right_to_left_name_sets_its_own_direction_on_the_page() -> None:
    # An Arabic name in a page whose language is English: without dir="auto" it would be laid
    # out left to right, its punctuation on the wrong side.
    code = login(667, "ليلى!")["user"]["referral_code"]

    document = page(code)["body"]

    assert '<h1 dir="auto">ليلى!</h1>' in document
    assert '<div class="avatar initial" aria-hidden="true" dir="auto">ل</div>' in document


def test_the_page_revalidates_with_its_etag() -> None:
    code = login(42, "Alice")["user"]["referral_code"]
    first = page(code)

    revalidated = page(code, **{"if-none-match": first["headers"]["etag"]})

    assert revalidated["statusCode"] == 304
    assert revalidated["headers"]["etag"] == first["headers"]["etag"]
    assert revalidated["headers"]["cache-control"] == PUBLIC_CACHE


@pytest.mark.parametrize("code", ["UP-ZZZZZZ", "garbage"])
def test_an_unknown_code_gets_a_404_html_page(code: str) -> None:
    response = page(code)

    assert response["statusCode"] == 404
    assert response["headers"]["content-type"] == "text/html; charset=utf-8"
    assert response["headers"]["cache-control"] == MISS_CACHE
    assert "Profile not found" in response["body"]


# --- DynamoDB calls per request ----------------------------------------------------------


@pytest.mark.parametrize(
    ("request_profile", "expected_call"),
    [
        (lambda session: me(session["token"]), "GetItem"),
        (lambda session: refresh(session["token"]), "GetItem"),
        (lambda session: public(session["user"]["referral_code"]), "Query"),
        (lambda session: page(session["user"]["referral_code"]), "Query"),
    ],
    ids=["me", "refresh", "public-json", "html-page"],
)
def test_each_profile_request_costs_exactly_one_dynamodb_call(
    request_profile: Callable[[dict[str, Any]], dict[str, Any]], expected_call: str
) -> None:
    session = login(42, "Alice")

    with counting_calls() as calls:
        assert request_profile(session)["statusCode"] == 200

    assert calls == [expected_call]


def test_a_304_costs_the_same_single_read() -> None:
    session = login(42, "Alice")
    etag = me(session["token"])["headers"]["etag"]

    with counting_calls() as calls:
        assert me(session["token"], **{"if-none-match": etag})["statusCode"] == 304

    assert calls == ["GetItem"]
