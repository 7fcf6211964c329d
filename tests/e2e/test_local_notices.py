"""`make run` delivers notices as they are written: its poller follows the notifications
table's stream (moto's) and hands new NOTICE# records to NoticeSenderFunction's handler, as
Lambda's event source mapping does in AWS; the fake Bot API then shows the message."""

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from support.local_api import LOCAL_TABLES, local_api, login_over_http, make_admin, request

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.fakebot import FakeBotApi

# Bounded: the poller reads the stream every 0.25 s; a send takes milliseconds.
WITHIN_SECONDS = 30


def wait_for(condition: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    return condition()


def test_make_run_sends_the_notice_of_a_moved_event_as_it_is_written(tmp_path: Path) -> None:
    # Given `make run` on its defaults with the fake Bot API, and Alice an admin who RSVPed
    fake = FakeBotApi().start()
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET", "DYNAMODB_ENDPOINT_URL"])
    try:
        with local_api(
            tmp_path,
            **unset,
            **dict.fromkeys(LOCAL_TABLES),
            NOTIFICATIONS_TABLE=None,
            TELEGRAM_API_BASE_URL=fake.url,
        ) as base:
            port = int(base.rsplit(":", 1)[1])
            token = login_over_http(
                base, LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"], allows_write_to_pm=True
            )["token"]
            granted = make_admin(port, "TELEGRAM_ID=42")
            assert granted.returncode == 0, granted.stderr
            auth = {"Authorization": f"Bearer {token}"}
            start = (datetime.now(UTC) + timedelta(days=5)).replace(microsecond=0)
            new_event = {
                "title": "Book club",
                "start_date": start.isoformat(),
                "end_date": (start + timedelta(hours=2)).isoformat(),
                "location": "Library",
            }
            status, _, body = request("POST", f"{base}/api/v1/events", new_event, auth)
            assert status == 201, body
            event_id = json.loads(body)["event"]["id"]
            status, _, body = request("POST", f"{base}/api/v1/events/{event_id}/rsvp", None, auth)
            assert status == 201, body

            # When the admin moves it to another place
            patch = {"location": "Town hall"}
            status, _, body = request("PATCH", f"{base}/api/v1/events/{event_id}", patch, auth)
            assert status == 200, body

            # Then the fake Bot API shows the notice to Alice within the bound, once
            def told() -> list[dict[str, Any]]:
                return [m for m in fake.messages() if "Where: Library" in m["text"]]

            (message,) = wait_for(told, WITHIN_SECONDS)
            assert message["chat_id"] == 42
            assert "Book club has changed:" in message["text"]
            assert "Where: Library \u2192 Town hall" in message["text"]
    finally:
        fake.stop()
