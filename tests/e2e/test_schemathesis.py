"""schemathesis against `make run`'s server and the combined OpenAPI document it serves:
every generated request answered without a server error and as the document declares."""

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from support.figures import record_figure
from support.local_api import local_api

from devkit.local.env import LOCAL_DEFAULTS
from devkit.local.initdata import signed_init_data
from devkit.template.reader import routes

MIN_REQUESTS = 1_000
# schemathesis's own timeout: generation is bounded by examples, this bounds a stuck run.
MAX_SECONDS = 480

# Above MAX_SECONDS, plus the local API's start: the run's own bound fails first.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(MAX_SECONDS + 120)]


def bearer_token(base_url: str) -> str:
    """A real member's token, through the login the API offers."""
    init_data = signed_init_data(LOCAL_DEFAULTS["TELEGRAM_BOT_TOKEN"], 42, "Alice")
    issued = urllib.request.urlopen(
        urllib.request.Request(
            f"{base_url}/api/auth/generate-code",
            method="POST",
            headers={"Authorization": f"tma {init_data}"},
        ),
        timeout=30,
    )
    code = json.load(issued)["code"]
    session = urllib.request.urlopen(
        urllib.request.Request(
            f"{base_url}/api/auth/callback?code={code}&telegram_id=42", method="POST"
        ),
        timeout=30,
    )
    return str(json.load(session)["token"])


def test_generated_requests_find_no_server_error_and_no_schema_violation(
    tmp_path: Path,
) -> None:
    # Given the local API, with a logged-in member's token for the authenticated routes
    environment = {"TELEGRAM_BOT_TOKEN": None, "JWT_SECRET": None, "DYNAMODB_ENDPOINT_URL": None}
    with local_api(tmp_path, **environment) as base_url:
        token = bearer_token(base_url)
        report = tmp_path / "schemathesis.json"

        # When schemathesis generates requests from the served document
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("schemathesis")),
                "run",
                f"{base_url}/openapi.json",
                "--url",
                base_url,
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                "100",
                "--generation-deterministic",
                "--header",
                f"Authorization: Bearer {token}",
                "--request-timeout",
                "20",
                "--report",
                "json",
                "--report-json-path",
                str(report),
                "--no-color",
            ],
            cwd=tmp_path,  # its cache directory (.schemathesis/) lands there, not in the repo
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS,
            check=False,
        )

    # Then at least 1,000 requests were generated, and none failed either check
    (tmp_path / "schemathesis.log").write_text(run.stdout + run.stderr)
    summary = json.loads(report.read_text())
    generated = summary["test_cases"]["generated"]
    failed = summary["test_cases"]["with_failures"] + summary["test_cases"]["errored"]
    record_figure("schemathesis requests: server errors or schema violations", generated, failed)
    every_route = len(routes())  # one operation per route (the reminder sweep has none)
    assert summary["operations"]["tested"] == summary["operations"]["total"] == every_route
    assert generated >= MIN_REQUESTS, summary["test_cases"]
    assert summary["failures"] == [], run.stdout[-5000:]
    assert summary["errors"] == [], run.stdout[-5000:]
    assert failed == 0
    assert run.returncode == 0, run.stdout[-5000:]
