"""Logs carry the request's correlation id and never a secret."""

import io
import json
from urllib.parse import parse_qsl

import pytest
from support.environment import BOT_TOKEN, JWT_SECRET
from support.flows import body_of, callback

from devkit.functions.fixtures import load_event
from devkit.functions.handlers import invoke
from devkit.local.initdata import signed_init_data

pytestmark = pytest.mark.usefixtures("dynamodb")


def test_a_whole_login_logs_no_secret_and_tags_the_request(log_output: io.StringIO) -> None:
    init_data = signed_init_data(BOT_TOKEN, 42, "Alice")
    event = load_event("generate_code", INIT_DATA=init_data)
    event["requestContext"]["requestId"] = "req-generate-1"
    code = body_of(invoke("GenerateCodeFunction", event))["code"]
    callback(code + "x" if len(code) < 64 else code[:-1], 42)  # a refused attempt
    session = body_of(callback(code, 42))

    logged = log_output.getvalue()
    init_hash = dict(parse_qsl(init_data))["hash"]
    for secret in (BOT_TOKEN, JWT_SECRET, code, session["token"], init_hash, init_data):
        assert secret not in logged
    access_lines = [json.loads(line) for line in logged.splitlines() if '"request"' in line]
    assert {"req-generate-1", "fixture-auth_callback"} <= {
        line.get("correlation_id") for line in access_lines
    }
