"""Every function in template.yaml has an events_fixtures file, answers it with the status the
fixture documents, and never answers garbage with a 500 or a stack trace."""

import base64
import json

import pytest
from support.figures import record_figure
from support.flows import fixture_name, fixture_values

from devkit.functions.fixtures import expected, fixture_path, load_event
from devkit.functions.handlers import invoke
from devkit.template.reader import resources, routes

pytestmark = pytest.mark.usefixtures("dynamodb")

FUNCTIONS = sorted(resources("AWS::Serverless::Function"))
# API Gateway events only reach functions with a route (the reminder sweep has a schedule).
HTTP_FUNCTIONS = sorted({route.function for route in routes()})


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_answers_its_fixture_with_the_documented_status(function: str) -> None:
    name = fixture_name(function)
    assert fixture_path(name).exists(), f"events_fixtures/{name}.json is missing"

    response = invoke(function, load_event(name, **fixture_values(name)))

    if "batchItemFailures" in expected(name):
        # A stream-fed function answers Lambda's partial batch response, nothing else.
        assert response == {"batchItemFailures": expected(name)["batchItemFailures"]}
        return
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
    "no-headers-key": lambda e: {k: v for k, v in e.items() if k != "headers"},
    "no-request-context": lambda e: {k: v for k, v in e.items() if k != "requestContext"},
    "request-context-without-http": lambda e: {**e, "requestContext": {"requestId": "r-1"}},
    "empty-event": lambda e: {},
    "rest-api-v1-event": lambda e: {
        "httpMethod": "GET",
        "path": e["rawPath"],
        "headers": {},
        "requestContext": {"requestId": "r-1"},
    },
    "one-mb-binary-body": lambda e: {
        **e,
        "body": base64.b64encode(bytes(range(256)) * 4096).decode(),
        "isBase64Encoded": True,
    },
    "non-utf8-text-body": lambda e: {**e, "body": "\udcff\udcfe{", "isBase64Encoded": False},
    "duplicate-headers-comma-joined": lambda e: {
        **e,
        "headers": {
            **{k: f"{v},{v}" for k, v in e.get("headers", {}).items()},
            "content-type": "application/json,text/plain",
        },
    },
    "odd-header-case-everywhere": lambda e: {
        **e,
        "headers": {k.upper(): v for k, v in e.get("headers", {}).items()},
    },
    "body-null-base64": lambda e: {**e, "body": None, "isBase64Encoded": True},
}


# Event parsing does not depend on the backend: in-process moto only, to keep the suite short.
@pytest.mark.parametrize("dynamodb", ["in-process"], indirect=True)
@pytest.mark.parametrize("change", sorted(HOSTILE_CHANGES))
@pytest.mark.parametrize("function", HTTP_FUNCTIONS)
def test_hostile_events_never_crash_a_function(function: str, change: str) -> None:
    # Given a fixture whose credentials are valid, mangled as in the change
    name = fixture_name(function)
    event = HOSTILE_CHANGES[change](load_event(name, **fixture_values(name)))

    crashed = 1
    try:
        response = invoke(function, event)
        crashed = int(response["statusCode"] >= 500)
    finally:
        record_figure("malformed API Gateway events into every handler, 5xx or crash", 1, crashed)

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
