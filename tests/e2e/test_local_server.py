"""`make run`'s server, over HTTP, on its embedded DynamoDB or on DYNAMODB_ENDPOINT_URL."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
from support.environment import BOT_TOKEN, ROOT
from support.local_api import LOCAL_TABLES, local_api, login_over_http, make_admin, request

from devkit.local.env import LOCAL_DEFAULTS


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
            "ATTENDANCES_TABLE",
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
        assert json.loads(body) == {"success": False, "detail": "no route for this method and path"}


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


def seed_events(port: int, file: Path) -> subprocess.CompletedProcess[str]:
    """`make seed-events FILE=file PORT=port`, as that target runs it."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}"}
    env.pop("DYNAMODB_ENDPOINT_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "devkit.ops.seed", str(file), "--port", str(port)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def upcoming_titles(base: str) -> list[str]:
    status, headers, body = request("GET", f"{base}/api/v1/events/upcoming?limit=50")
    assert status == 200, body
    assert headers["cache-control"] == "public, max-age=30, s-maxage=60"
    return [event["title"] for event in json.loads(body)["events"]]


def test_make_run_lists_only_upcoming_active_samples_and_takes_seeded_events(
    tmp_path: Path,
) -> None:
    # Given `make run` on its embedded DynamoDB, started with the sample events
    with local_api(tmp_path, DYNAMODB_ENDPOINT_URL=None) as base:
        # Then the listing shows the upcoming active samples in start order, and neither the
        # past, the already started nor the inactive one
        assert upcoming_titles(base) == [
            "Welcome meetup",
            "Python workshop",
            "Community hike",
            "Demo night",
        ]

        # When `make seed-events` loads a file with one bad record
        port = int(base.rsplit(":", 1)[1])
        start = datetime.now(UTC) + timedelta(days=1)
        good = {
            "title": "Seeded talk",
            "description": "",
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(hours=1)).isoformat(),
            "location": "Online",
            "price": "2.50",
            "capacity": 100,
            "image_url": None,
            "is_active": True,
        }
        bad_file = tmp_path / "bad.json"
        bad_file.write_text(json.dumps([good, {**good, "price": -1}]))
        refused = seed_events(port, bad_file)

        # Then it names the record and field and loads nothing
        assert refused.returncode == 1, refused
        assert "record 1: price:" in refused.stderr
        assert "Seeded talk" not in upcoming_titles(base)

        # And a valid file is loaded into the running server's table
        good_file = tmp_path / "good.json"
        good_file.write_text(json.dumps([good]))
        loaded = seed_events(port, good_file)
        assert loaded.returncode == 0, loaded
        assert upcoming_titles(base)[0] == "Seeded talk"


def test_make_make_admin_is_the_way_to_the_admin_routes_and_back(tmp_path: Path) -> None:
    # Given `make run` on its defaults and a member logged in over HTTP
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    with local_api(tmp_path, **unset, **dict.fromkeys(LOCAL_TABLES)) as base:
        port = int(base.rsplit(":", 1)[1])
        token = login_over_http(base, LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"])["token"]
        auth = {"Authorization": f"Bearer {token}"}
        new_event = {
            "title": "Book club",
            "start_date": "2030-01-10T18:00:00Z",
            "end_date": "2030-01-10T20:00:00Z",
        }
        status, _, body = request("POST", f"{base}/api/v1/events", new_event, auth)
        assert status == 403, body

        # When the documented command grants the role (without TELEGRAM_ID it refuses)
        refused = make_admin(port)
        granted = make_admin(port, "TELEGRAM_ID=42")
        unknown = make_admin(port, "TELEGRAM_ID=999")

        # Then the same token can create events at once, and ROLE=member takes that back
        assert refused.returncode != 0
        assert "usage: make make-admin TELEGRAM_ID=" in refused.stderr
        assert granted.returncode == 0, granted.stderr
        assert "is now admin" in granted.stdout
        assert unknown.returncode != 0
        assert "must log in once first" in unknown.stderr
        status, _, body = request("POST", f"{base}/api/v1/events", new_event, auth)
        assert status == 201, body
        assert make_admin(port, "TELEGRAM_ID=42", "ROLE=member").returncode == 0
        status, _, body = request("POST", f"{base}/api/v1/events", new_event, auth)
        assert status == 403, body
