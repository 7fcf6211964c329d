"""Starting `make run`'s server (python -m devkit.local.server) for a test."""

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from devkit.local.initdata import signed_init_data
from support.environment import ROOT
from support.processes import daemon, free_port


@contextmanager
def local_api(log_dir: Path, **environment: str | None) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    env["PYTHONPATH"] = f"{ROOT / 'layers/shared'}:{ROOT / 'tools'}"
    for name, value in environment.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    command = [sys.executable, "-m", "devkit.local.server", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with daemon(command, log_dir / f"local-api-{port}.log", f"{url}/", 60, cwd=ROOT, env=env):
        yield url


def request(
    method: str, url: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    data = json.dumps(body).encode() if body is not None else None
    all_headers = {"content-type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=all_headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def login_over_http(
    base: str, bot_token: str, *, allows_write_to_pm: bool | None = None
) -> dict[str, Any]:
    """Alice (telegram id 42) logs in through the API: a code, then the callback's session
    (`allows_write_to_pm`: from a launch that let the bot write to her)."""
    init_data = signed_init_data(bot_token, 42, "Alice", allows_write_to_pm=allows_write_to_pm)
    status, _, body = request(
        "POST", f"{base}/api/auth/generate-code", headers={"Authorization": f"tma {init_data}"}
    )
    assert status == 200, body
    code = json.loads(body)["code"]
    status, _, body = request("POST", f"{base}/api/auth/callback?code={code}&telegram_id=42")
    assert status == 200, body
    session: dict[str, Any] = json.loads(body)
    return session


# The local tables' settings: unset in a test's server so `make run`'s own defaults apply.
LOCAL_TABLES = ["USERS_TABLE", "EVENTS_TABLE", "AUTH_CODES_TABLE", "ATTENDANCES_TABLE"]


def make_admin(port: int, *arguments: str) -> subprocess.CompletedProcess[str]:
    """`make make-admin` against the server on `port`, as an operator types it."""
    return subprocess.run(
        ["make", "--no-print-directory", "make-admin", f"PORT={port}", *arguments],
        cwd=ROOT,
        env={name: value for name, value in os.environ.items() if name not in LOCAL_TABLES},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
