"""Every function in template.yaml has an events_fixtures file, answers it with the status the
fixture documents, and never answers garbage with a 500 or a stack trace."""

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import BOT_TOKEN
from flows import add_events, body_of, generate_code, login, signed_init_data

from devkit.fixtures import expected, fixture_path, load_event
from devkit.handlers import invoke
from devkit.placeholders import event_record
from devkit.template import resources

pytestmark = pytest.mark.usefixtures("dynamodb")

FUNCTIONS = sorted(resources("AWS::Serverless::Function"))


def fixture_name(function: str) -> str:
    return Path(resources("AWS::Serverless::Function")[function]["Properties"]["CodeUri"]).name


def fixture_values(name: str) -> dict[str, Any]:
    """Fresh values for a fixture's placeholders, made through the API itself."""
    if name == "generate_code":
        return {"INIT_DATA": signed_init_data(BOT_TOKEN, 42, "Alice")}
    if name == "auth_callback":
        return {"LOGIN_CODE": body_of(generate_code(42, "Alice"))["code"], "TELEGRAM_ID": 42}
    if name in ("users_me", "users_me_refresh"):
        return {"TOKEN": login(42, "Alice")["token"]}
    if name in ("public_profile", "profile_page"):
        return {"REFERRAL_CODE": login(42, "Alice")["user"]["referral_code"]}
    if name == "events_upcoming":
        add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
        return {}
    if name == "event_detail":
        (event_id,) = add_events([event_record(datetime.now(UTC) + timedelta(days=1))])
        return {"EVENT_ID": event_id}
    raise AssertionError(f"no setup for fixture {name}")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_answers_its_fixture_with_the_documented_status(function: str) -> None:
    name = fixture_name(function)
    assert fixture_path(name).exists(), f"events_fixtures/{name}.json is missing"

    response = invoke(function, load_event(name, **fixture_values(name)))

    assert response["statusCode"] == expected(name)["statusCode"], response
    assert response["headers"]["content-type"] == expected(name)["contentType"]


HOSTILE_CHANGES = {
    "empty-body-object": lambda e: {**e, "body": "{}"},
    "array-body": lambda e: {**e, "body": "[1,2,3]"},
    "invalid-json": lambda e: {**e, "body": "{not json"},
    "invalid-base64": lambda e: {**e, "body": "%%%", "isBase64Encoded": True},
    "non-utf8": lambda e: {
        **e,
        "body": base64.b64encode(b"\xff\xfe\x00").decode(),
        "isBase64Encoded": True,
    },
    "huge-body": lambda e: {**e, "body": json.dumps({"init_data": "a" * 1_000_000})},
    "odd-header-case": lambda e: {
        **e,
        "headers": {"AUTHORIZATION": "TMA x", "Content-Type": "application/json"},
    },
    "no-headers": lambda e: {**e, "headers": {}},
}


@pytest.mark.parametrize("change", sorted(HOSTILE_CHANGES))
@pytest.mark.parametrize("function", FUNCTIONS)
def test_hostile_events_never_crash_a_function(function: str, change: str) -> None:
    # Given a fixture whose credentials are valid, mangled as in the change
    name = fixture_name(function)
    event = HOSTILE_CHANGES[change](load_event(name, **fixture_values(name)))

    response = invoke(function, event)

    # Then the answer is a JSON success or a JSON 4xx; where the mangled part carried
    # the credentials it must be a 4xx
    assert response["statusCode"] < 500, response
    assert response["headers"]["content-type"] in (
        "application/json",
        expected(name)["contentType"],
    )
    assert "Traceback" not in response["body"]
    if change == "no-headers" and name == "generate_code":
        assert response["statusCode"] == 401
