"""`make seed-events`, `make make-admin`, `make start` and `make stop` find the running
`make run` through the run file it writes (devkit.local.runstate), without PORT given again."""

import json
import os
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from support.environment import ROOT
from support.local_api import local_api, login_over_http, request
from support.processes import free_port

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.runstate import alive

SERVER_TABLES = {
    "USERS_TABLE": "run-state-users",
    "EVENTS_TABLE": "run-state-events",
    "AUTH_CODES_TABLE": "run-state-codes",
    "ATTENDANCES_TABLE": "run-state-attendances",
    "NOTIFICATIONS_TABLE": "run-state-notifications",
}


def make(
    run_dir: Path, *arguments: str, unset: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """`make ARGUMENTS` as a user types it in another shell: no PORT, no DynamoDB endpoint,
    and the test environment's own (different) table names still set."""
    env = {name: value for name, value in os.environ.items() if name not in ("PORT", *unset)}
    env.pop("DYNAMODB_ENDPOINT_URL", None)
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env["DEVKIT_RUN_DIR"] = str(run_dir)
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_seed_and_make_admin_find_the_running_server_and_its_tables(tmp_path: Path) -> None:
    # Given `make run` with its own table names, and a seed file
    run_dir = tmp_path / "run"
    environment = {"DEVKIT_RUN_DIR": str(run_dir), "DYNAMODB_ENDPOINT_URL": None}
    unset = dict.fromkeys(["TELEGRAM_BOT_TOKEN", "JWT_SECRET"])
    start = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    seed_file = tmp_path / "events.json"
    seed_file.write_text(
        json.dumps(
            [
                {
                    "title": "Found without PORT",
                    "start_date": start.isoformat(),
                    "end_date": (start + timedelta(hours=1)).isoformat(),
                    "description": "",
                    "location": "Online",
                    "price": 0,
                    "capacity": None,
                    "image_url": None,
                    "is_active": True,
                }
            ]
        )
    )
    with local_api(tmp_path, **environment, **unset, **SERVER_TABLES) as base:
        # Then it announced itself: port, endpoint, its DynamoDB, its tables, its pid
        port = urlsplit(base).port
        announced = json.loads((run_dir / f"run-{port}.json").read_text())
        assert announced["port"] == port
        assert announced["endpoint"] == base
        assert announced["dynamodb_endpoint"].startswith("http://127.0.0.1:")
        assert announced["tables"] == SERVER_TABLES
        assert isinstance(announced["pid"], int)

        # When events are seeded and a member made admin with no PORT given
        seeded = make(run_dir, "seed-events", f"FILE={seed_file}")
        token = login_over_http(base, LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"])["token"]
        granted = make(run_dir, "make-admin", "TELEGRAM_ID=42")

        # Then both reached that server's tables (not the shell's USERS_TABLE...)
        assert seeded.returncode == 0, seeded.stderr
        assert "run-state-events" in seeded.stdout
        status, _, body = request("GET", f"{base}/api/v1/events/upcoming?limit=50")
        assert status == 200, body
        assert "Found without PORT" in [event["title"] for event in json.loads(body)["events"]]
        assert granted.returncode == 0, granted.stderr
        event = {"title": "Admin now", "start_date": "2030-01-10T18:00:00Z"}
        event["end_date"] = "2030-01-10T20:00:00Z"
        auth = {"Authorization": f"Bearer {token}"}
        assert request("POST", f"{base}/api/v1/events", event, auth)[0] == 201

    # And once the server has stopped, its run file is gone and the commands say so
    assert not (run_dir / f"run-{port}.json").exists()
    refused = make(run_dir, "seed-events", f"FILE={seed_file}")
    assert refused.returncode == 2
    assert "no `make run` server is running in this checkout" in refused.stderr
    assert "Traceback" not in refused.stderr
    # (without USERS_TABLE, which would mean a deployed stack's table in AWS)
    refused = make(run_dir, "make-admin", "TELEGRAM_ID=42", unset=("USERS_TABLE",))
    assert refused.returncode == 2
    assert "no `make run` server is running" in refused.stderr


def test_make_start_on_a_busy_port_fails_with_the_servers_one_line(tmp_path: Path) -> None:
    # Given a port something else listens on
    with socket.socket() as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        port = occupant.getsockname()[1]

        # When `make start` is asked to use it
        result = make(tmp_path, "start", f"PORT={port}")

    # Then it fails, showing the server's one line from its log
    assert result.returncode != 0
    assert f"port {port} is in use; set PORT=" in result.stderr
    assert "Traceback" not in result.stderr + (tmp_path / "run.log").read_text()


def test_make_stop_with_nothing_running_says_so_and_succeeds(tmp_path: Path) -> None:
    result = make(tmp_path, "stop")

    assert result.returncode == 0, result.stderr
    assert "nothing to stop: no `make run` server is running" in result.stdout


def test_make_start_twice_is_one_server_and_make_stop_ends_it(tmp_path: Path) -> None:
    # Given a free port
    port = free_port()

    # When `make start` runs twice, then `make stop` with no PORT
    first = make(tmp_path, "start", f"PORT={port}")
    second = make(tmp_path, "start", f"PORT={port}")
    pid = json.loads((tmp_path / f"run-{port}.json").read_text())["pid"]
    stopped = make(tmp_path, "stop")

    # Then the second found the first running, and stop ended it and its run file
    assert first.returncode == 0, first.stderr
    assert f"API on http://127.0.0.1:{port}" in first.stdout
    assert second.returncode == 0, second.stderr
    assert f"already running: http://127.0.0.1:{port}, pid {pid}" in second.stdout
    assert stopped.returncode == 0, stopped.stderr
    assert f"stopped the API on port {port} (pid {pid})" in stopped.stdout
    assert not alive(pid)
    assert not (tmp_path / f"run-{port}.json").exists()
