"""`make run`'s server, over HTTP, on its embedded DynamoDB or on DYNAMODB_ENDPOINT_URL."""

import json
from pathlib import Path

import boto3
from conftest import BOT_TOKEN
from local_api import local_api, request

from devkit.initdata import signed_init_data
from devkit.server import LOCAL_DEFAULTS


def login_over_http(base: str, bot_token: str) -> dict:  # type: ignore[type-arg]
    init_data = signed_init_data(bot_token, 42, "Alice")
    status, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {init_data}"}
    )
    assert status == 200, body
    code = json.loads(body)["code"]
    status, _, body = request("POST", f"{base}/api/auth/callback?code={code}&telegram_id=42")
    assert status == 200, body
    return json.loads(body)  # type: ignore[no-any-return]


def test_the_documented_defaults_give_a_working_login_with_no_aws_account(tmp_path: Path) -> None:
    # Given `make run` with nothing configured
    unset = dict.fromkeys(
        [
            "TELEGRAM_BOT_TOKEN",
            "JWT_SECRET",
            "DYNAMODB_ENDPOINT_URL",
            "USERS_TABLE",
            "EVENTS_TABLE",
            "AUTH_CODES_TABLE",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
        ]
    )
    with local_api(tmp_path, **unset) as base:
        # When a member logs in with initData signed by the documented local bot token
        session = login_over_http(base, LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"])

        # Then they get a token; bad input and unknown routes are JSON errors
        assert session["user"]["name"] == "Alice"
        status, headers, body = request("POST", f"{base}/api/auth/callback", body={"x": 1})
        assert status == 422
        assert headers["content-type"] == "application/json"
        status, _, body = request("GET", f"{base}/no/such/route")
        assert status == 404
        assert json.loads(body) == {"message": "Not Found"}


def test_an_external_dynamodb_endpoint_gets_its_missing_tables(
    tmp_path: Path, moto_server: str
) -> None:
    # Given DYNAMODB_ENDPOINT_URL and custom table names
    names = {
        "USERS_TABLE": "e2e-users",
        "EVENTS_TABLE": "e2e-events",
        "AUTH_CODES_TABLE": "e2e-codes",
    }
    with local_api(tmp_path, DYNAMODB_ENDPOINT_URL=moto_server, **names) as base:
        login_over_http(base, BOT_TOKEN)

    # Then the tables were created there, with the template's TTL, and the user is in them
    client = boto3.client("dynamodb", endpoint_url=moto_server)
    assert set(names.values()) <= set(client.list_tables()["TableNames"])
    ttl = client.describe_time_to_live(TableName="e2e-codes")["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"
    assert client.get_item(TableName="e2e-users", Key={"pk": {"S": "USER#42"}})["Item"]
