"""Hostile input, round two, through the real handlers: what responses may be stored, bodies
too large for the route, dates beyond what UTC can hold, strings DynamoDB cannot store, and
Telegram ids beyond what the callback accepts."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from support.environment import BOT_TOKEN
from support.flows import (
    admin_login,
    body_of,
    callback,
    create_event,
    fixture_name,
    fixture_values,
    generate_code,
    update_event,
)

from community.data.models import AuthCode, Event, User
from community.errors import InvalidRequest
from community.services import seeding
from community.telegram import TELEGRAM_ID_LIMIT, sign
from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.functions.placeholders import event_record
from devkit.template.reader import routes

pytestmark = pytest.mark.usefixtures("dynamodb")

# Functions that answer HTTP requests (the reminder sweep runs on a schedule).
FUNCTIONS = sorted({route.function for route in routes()})
# Routes whose answer is the same for everyone and meant to be cached by CloudFront.
PUBLIC = {
    "EventCalendarFunction",
    "EventDetailFunction",
    "EventsUpcomingFunction",
    "ProfilePageFunction",
    "PublicProfileFunction",
}


def signed(user_json: str) -> str:
    """initData as Telegram signs it, with the user field exactly as given."""
    fields = {"user": user_json, "auth_date": str(int(time.time()))}
    return urlencode({**fields, "hash": sign(fields, BOT_TOKEN)})


def issue(init_data: str) -> dict[str, Any]:
    return invoke("GenerateCodeFunction", load_event("generate_code", INIT_DATA=init_data))


def event_dates() -> dict[str, str]:
    return {"start_date": "2031-01-01T10:00:00Z", "end_date": "2031-01-01T12:00:00Z"}


def with_body(function: str, body: bytes) -> dict[str, Any]:
    name = fixture_name(function)
    event = load_event(name, **fixture_values(name))
    event["body"] = body.decode()
    event["isBase64Encoded"] = False
    return event


# 1. Cache-Control on every route


@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
@pytest.mark.parametrize("function", FUNCTIONS)
def test_every_route_says_whether_its_answer_may_be_stored(function: str) -> None:
    # Given each function's documented request
    name = fixture_name(function)

    # When it answers
    response = invoke(function, load_event(name, **fixture_values(name)))

    # Then the answer names a cache policy; only the public routes allow shared caches, and
    # everything else is private to the member or not stored at all
    cache_control = response["headers"].get("cache-control")
    assert cache_control, response["headers"]
    if function in PUBLIC:
        assert cache_control.startswith("public"), cache_control
    else:
        assert "private" in cache_control or "no-store" in cache_control, cache_control
    if "no-store" in cache_control:
        assert response["headers"].get("pragma") == "no-cache"


def test_a_login_code_and_a_token_are_never_stored_by_a_browser_or_cdn() -> None:
    # When a member gets a login code and redeems it for a token
    issued = generate_code(telegram_id=501)
    session = callback(body_of(issued)["code"], 501)

    # Then neither answer may be stored (RFC 6749 section 5.1)
    for response in (issued, session):
        assert response["statusCode"] == 200, response
        assert response["headers"]["cache-control"] == "no-store"
        assert response["headers"]["pragma"] == "no-cache"


# 2. Bounded request and error bodies

UNKNOWN_KEYS_BODY = json.dumps({f"k{i}": i for i in range(70_000)}).encode()  # ~0.9 MB


# The webhook answers Telegram 200 even for a body it will not read (a non-2xx is delivered
# again and again): tests/integration/test_telegram_webhook.py.
@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
@pytest.mark.parametrize("function", [f for f in FUNCTIONS if f != "TelegramWebhookFunction"])
def test_a_body_larger_than_the_route_needs_is_a_413_before_any_parsing(function: str) -> None:
    # Given 0.9 MB of JSON with 70,000 unknown keys (once a 6.3 MB answer of 422 errors)
    event = with_body(function, UNKNOWN_KEYS_BODY)

    # When any function receives it
    response = invoke(function, event)

    # Then it is refused as too large, in a small JSON answer
    assert response["statusCode"] == 413, response
    assert response["headers"]["content-type"] == "application/json"
    assert body_of(response)["detail"].startswith("request body larger than")
    assert len(response["body"]) < 200


@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
@pytest.mark.parametrize(
    "function", ["GenerateCodeFunction", "EventCreateFunction", "EventUpdateFunction"]
)
def test_a_422_carries_a_few_errors_in_at_most_16_kb(function: str) -> None:
    # Given a body just under the route's limit, made of unknown keys with long names
    # (long as the largest the route accepts), each one an error of its own
    limit = 16 * 1024 if function == "GenerateCodeFunction" else 128 * 1024
    long_key = "k" * 5_000
    keys: dict[str, int] = {}
    while len(json.dumps(keys)) < limit - 6_000:
        keys[f"{len(keys)}{long_key}"] = 1
    event = with_body(function, json.dumps(keys).encode())

    # When the function validates it
    response = invoke(function, event)

    # Then the answer names a few problems, each cut short, and says how many it left out
    assert response["statusCode"] == 422, response
    assert len(response["body"]) <= 16 * 1024
    detail = body_of(response)["detail"]
    assert len(detail) <= 11
    if len(keys) > 10:
        assert detail[-1]["type"] == "too_many_errors"
    assert all(len(str(part)) <= 123 for item in detail for part in item["loc"])


def test_a_body_within_the_limit_is_still_answered_normally() -> None:
    # Given an admin and an event description at its longest, every character escaped as a
    # surrogate pair in JSON (the largest body a client can legitimately send)
    token = admin_login()["token"]
    body = json.dumps(
        {
            "title": "\U0001f389" * 200,
            "description": "\U0001f389" * 5000,
            "location": "\U0001f389" * 300,
            "start_date": "2031-01-01T10:00:00Z",
            "end_date": "2031-01-01T12:00:00Z",
        }
    )
    assert len(body) > 16 * 1024

    # When it is created
    response = create_event(token, json.loads(body))

    # Then it is
    assert response["statusCode"] == 201, response["body"][:500]


# 3. Dates beyond what UTC can hold


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:59:00-05:00"),
        ("0001-01-01T00:30:00+01:00", "2030-01-01T00:00:00Z"),
    ],
)
def test_an_admin_event_date_beyond_utc_is_a_422_naming_the_field(start: str, end: str) -> None:
    # Given an admin
    token = admin_login()["token"]

    # When an event is created with a date that has no UTC form in years 1-9999
    response = create_event(token, {"title": "Far", "start_date": start, "end_date": end})

    # Then it is a 422 naming that field, and nothing is written
    assert response["statusCode"] == 422, response
    (problem,) = body_of(response)["detail"]
    assert problem["loc"][-1] == ("end_date" if start.startswith("9999") else "start_date")
    assert "year must be between 1970 and 9999" in problem["msg"]
    assert list(Event.scan()) == []


def test_a_patch_with_an_end_date_beyond_utc_is_a_422_and_changes_nothing() -> None:
    token = admin_login()["token"]
    created = body_of(create_event(token, {"title": "Near", **event_dates()}))["event"]

    response = update_event(token, created["id"], {"end_date": "9999-12-31T23:59:00-05:00"})

    assert response["statusCode"] == 422, response
    assert body_of(response)["detail"][0]["loc"][-1] == "end_date"
    assert Event.get(created["id"]).end_date == created["end_date"].replace("+00:00", "Z")


def test_seeding_a_date_beyond_utc_names_the_record_and_field() -> None:
    in_three_days = datetime.now(UTC) + timedelta(days=3)
    records = [
        event_record(in_three_days),
        event_record(in_three_days, end_date="9999-12-31T23:59:00-05:00"),
    ]

    with pytest.raises(InvalidRequest) as refused:
        seeding.validate_records(records)

    assert "record 1: end_date: " in refused.value.detail
    assert "year must be between 1970 and 9999" in refused.value.detail


# 4. Strings DynamoDB cannot store


def test_a_signed_name_with_a_lone_surrogate_logs_in_with_it_replaced() -> None:
    # Given Telegram-signed initData whose first name is a cut emoji (a lone surrogate)
    init_data = signed('{"id":77,"first_name":"Al\\ud83c","username":"al\\udfff"}')

    # When the member logs in
    issued = issue(init_data)
    session = callback(body_of(issued)["code"], 77) if issued["statusCode"] == 200 else issued

    # Then the login works at once (no 503, no retry) with U+FFFD where the surrogate was
    assert issued["statusCode"] == 200, issued
    assert session["statusCode"] == 200, session
    assert body_of(session)["user"]["name"] == "Al\ufffd"
    assert body_of(session)["user"]["username"] == "al\ufffd"
    assert User.get("USER#77").name == "Al\ufffd"


def test_an_event_title_with_a_lone_surrogate_is_a_422() -> None:
    token = admin_login()["token"]

    response = create_event(token, {"title": "Party \ud83c", **event_dates()})

    assert response["statusCode"] == 422, response
    assert body_of(response)["detail"][0]["loc"][-1] == "title"
    assert list(Event.scan()) == []


# 5. Telegram ids beyond 2^53


@pytest.mark.parametrize("telegram_id", [TELEGRAM_ID_LIMIT, TELEGRAM_ID_LIMIT + 1, 2**63])
def test_an_id_the_callback_cannot_take_gets_no_login_code(telegram_id: int) -> None:
    # Given Telegram-signed initData for an id of 2^53 or more
    init_data = signed(json.dumps({"id": telegram_id, "first_name": "Big"}))

    # When it asks for a login code
    response = issue(init_data)

    # Then it is refused like any invalid user, and no code is stored
    assert response["statusCode"] == 401, response
    assert body_of(response)["detail"] == "init data carries no valid user"
    assert list(AuthCode.scan()) == []


def test_the_largest_id_generate_code_accepts_is_one_the_callback_redeems() -> None:
    largest = TELEGRAM_ID_LIMIT - 1

    issued = issue(signed(json.dumps({"id": largest, "first_name": "Edge"})))
    session = callback(body_of(issued)["code"], largest)

    assert session["statusCode"] == 200, session
    assert body_of(session)["user"]["telegram_id"] == largest


# 6. Text that garbles screens and headers (issue 25, item 5)

HOSTILE_TEXT = {
    "crlf-header": "Party\r\nBcc: evil@example.com",
    "nul": "Party\x00",
    "bel": "Party\x07",
    "c1": "Party\x9b",
    "rlo": "Invoice gnp.\u202eexe",
    "rli": "\u2067Party",
    "line-separator": "Party\u2028night",
}


@pytest.mark.parametrize("field", ["title", "location"])
@pytest.mark.parametrize("text", HOSTILE_TEXT.values(), ids=HOSTILE_TEXT.keys())
def test_a_title_or_location_with_a_control_or_bidi_override_is_a_422_naming_it(
    field: str, text: str
) -> None:
    # Given an admin and an event
    token = admin_login()["token"]
    created = body_of(create_event(token, {"title": "Party", **event_dates()}))["event"]

    # When a new event, or a change to that one, carries the character in one field
    new = create_event(token, {"title": "Party", **event_dates(), field: text})
    changed = update_event(token, created["id"], {field: text})

    # Then both are refused naming the field and the character, and nothing is written
    for response in (new, changed):
        assert response["statusCode"] == 422, response
        (problem,) = body_of(response)["detail"]
        assert problem["loc"] == ["body", field]
        assert "(found U+" in problem["msg"]
    (stored,) = Event.scan()
    assert (stored.title, stored.location) == ("Party", "")


def test_a_description_keeps_its_line_feeds_and_tabs_and_refuses_other_controls() -> None:
    token = admin_login()["token"]

    kept = create_event(
        token, {"title": "Party", **event_dates(), "description": "Bring:\r\n\t- a game\n\t- food"}
    )
    refused = [
        create_event(token, {"title": "Party", **event_dates(), "description": text})
        for text in ("Door code\x1b[2J", "Left\u202eright")
    ]

    assert kept["statusCode"] == 201, kept
    assert body_of(kept)["event"]["description"] == "Bring:\n\t- a game\n\t- food"
    assert [response["statusCode"] for response in refused] == [422, 422]
    assert [body_of(r)["detail"][0]["loc"] for r in refused] == [["body", "description"]] * 2
    assert len(list(Event.scan())) == 1


def test_a_name_telegram_gives_with_controls_and_overrides_is_kept_as_one_line() -> None:
    # Given initData Telegram signed for a member who typed a line break and U+202E in their name
    init_data = signed(
        json.dumps({"id": 78, "first_name": "Eve\r\n\u202egnp.exe", "last_name": "X"})
    )

    # When they log in
    issued = issue(init_data)
    session = callback(body_of(issued)["code"], 78)

    # Then the login works and the name is stored and shown as one line without the override
    assert session["statusCode"] == 200, session
    assert body_of(session)["user"]["name"] == "Eve gnp.exe X"
    assert User.get("USER#78").name == "Eve gnp.exe X"


def test_a_name_stored_before_is_shown_as_one_line_on_the_profile_and_its_page() -> None:
    # Given a member whose stored name predates the rule
    session = callback(body_of(generate_code(telegram_id=79))["code"], 79)
    code = body_of(session)["user"]["referral_code"]
    User("USER#79").update([User.name.set("Old\r\nName\u202e\x00")])

    # When their public profile and its page are read
    profile = invoke("PublicProfileFunction", load_event("public_profile", REFERRAL_CODE=code))
    page = invoke("ProfilePageFunction", load_event("profile_page", REFERRAL_CODE=code))

    # Then both show the name as one line, without the override or the NUL
    assert body_of(profile)["user"]["name"] == "Old Name"
    assert '<h1 dir="auto">Old Name</h1>' in page["body"]
    assert "\u202e" not in page["body"]
    assert "\x00" not in page["body"]


# 7. Admin input members trip over (issue 25, item 9)


@pytest.mark.parametrize(
    "title", ["\u200b\u200b\u200b", "\u200c\u200d", "\u2060\ufeff", " \u200b \u3000 "]
)
def test_a_title_of_only_invisible_characters_is_a_422(title: str) -> None:
    token = admin_login()["token"]

    response = create_event(token, {"title": title, **event_dates()})

    assert response["statusCode"] == 422, response
    assert body_of(response)["detail"][0]["loc"] == ["body", "title"]
    assert list(Event.scan()) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://169.254.169.254/latest/meta-data/",
        "https://user:pass@example.com/poster.png",
        "https://[fd00::1]/poster.png",
        "https://2852039166/poster.png",
        "https://localhost/poster.png",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://nas/poster.png",
        "http://example.com/poster.png",
    ],
)
def test_an_image_url_members_browsers_should_not_fetch_is_a_422(url: str) -> None:
    # Given an admin and an event with a poster
    token = admin_login()["token"]
    poster = "https://cdn.example.com/poster.png"
    created = body_of(create_event(token, {"title": "P", **event_dates(), "image_url": poster}))

    # When a new event, or a change to that one, points its image at the address
    new = create_event(token, {"title": "P", **event_dates(), "image_url": url})
    changed = update_event(token, created["event"]["id"], {"image_url": url})

    # Then both are refused naming image_url, and the stored poster is the one it was
    for response in (new, changed):
        assert response["statusCode"] == 422, response
        assert body_of(response)["detail"][0]["loc"] == ["body", "image_url"]
    (stored,) = Event.scan()
    assert stored.image_url == poster


# 8. Booleans are true or false (issue 25, item 12)


def request_booleans() -> list[tuple[str, str, str]]:
    """(method, path, field) of every boolean property of every request body openapi.json
    documents (a property that is a boolean, or a boolean or null)."""
    document = json.loads((Path(__file__).parents[2] / "openapi.json").read_text())
    schemas = document["components"]["schemas"]

    def resolved(schema: dict[str, Any]) -> list[dict[str, Any]]:
        if "$ref" in schema:
            return resolved(schemas[schema["$ref"].rsplit("/", 1)[1]])
        if "anyOf" in schema:
            return [found for option in schema["anyOf"] for found in resolved(option)]
        return [schema]

    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for schema in resolved(body["schema"]) if body else []:
                for field, prop in schema.get("properties", {}).items():
                    if any(option.get("type") == "boolean" for option in resolved(prop)):
                        found.append((method.upper(), path, field))
    return sorted(found)


BOOLEANS = request_booleans()


@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
def test_the_request_booleans_found_include_every_one_known() -> None:
    # A guard for the test below: an openapi.json it could not read would make it vacuous.
    assert {
        ("PATCH", "/api/users/me", "reminders"),
        ("POST", "/api/v1/events", "is_active"),
        ("PATCH", "/api/v1/events/{event_id}", "is_active"),
    } <= set(BOOLEANS)


@pytest.mark.parametrize(("method", "path", "field"), BOOLEANS)
def test_every_boolean_of_every_request_body_takes_only_true_or_false(
    method: str, path: str, field: str
) -> None:
    # Given the route's documented request, its body replaced by the one field
    (function,) = {
        route.function for route in routes() if (route.method, route.path) == (method, path)
    }
    name = fixture_name(function)

    def send(value: object) -> dict[str, Any]:
        event = load_event(name, **fixture_values(name))
        event["body"] = json.dumps({field: value})
        return invoke(function, event)

    # When it is "yes", 1 or "true", then true
    lax = {value: send(value) for value in ("yes", 1, "true")}
    strict = send(True)

    # Then each lax value is a 422 naming the field; true is not a problem of that field
    for value, response in lax.items():
        assert response["statusCode"] == 422, (value, response)
        locs = [problem["loc"] for problem in body_of(response)["detail"]]
        assert ["body", field] in locs, (value, locs)
    problems = body_of(strict).get("detail") if strict["statusCode"] == 422 else []
    assert ["body", field] not in [problem["loc"] for problem in problems or []], strict
