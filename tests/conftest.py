"""Shared fixtures. The environment is set before any `community` import, because settings
are read once per process, as in a Lambda container."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

TEST_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "USERS_TABLE": "test-users",
    "EVENTS_TABLE": "test-events",
    "AUTH_CODES_TABLE": "test-auth-codes",
    "TELEGRAM_BOT_TOKEN": "7000000001:TEST-bot-token-for-unit-tests",
    "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789abcdef",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CommunityTest",
    "POWERTOOLS_SERVICE_NAME": "community-test",
}
os.environ.update(TEST_ENVIRONMENT)
os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
for variable in ("JWT_SECRET_ARN", "TELEGRAM_BOT_TOKEN_SECRET_ARN"):
    os.environ.pop(variable, None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402

from community.data import models  # noqa: E402
from community.settings import get_settings  # noqa: E402
from devkit.dynamo import configured_table_names, create_missing_tables  # noqa: E402

BOT_TOKEN = TEST_ENVIRONMENT["TELEGRAM_BOT_TOKEN"]
JWT_SECRET = TEST_ENVIRONMENT["JWT_SECRET"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's DynamoDB server in its own process, spoken to over HTTP on loopback. Its output
    goes to a file, never to this run's stdout, and it is stopped when the session ends."""
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto_server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{url}/moto-api/")
        yield url
    finally:
        stop(process)
        log.close()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def bind_models() -> None:
    get_settings.cache_clear()
    models.bind(get_settings())


@pytest.fixture(params=["in-process", "moto-server"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Fresh tables from template.yaml, on moto in-process and on moto's server over HTTP.
    Yields a boto3 DynamoDB client on the same backend, for direct inspection."""
    if request.param == "in-process":
        monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
        with mock_aws():
            bind_models()
            client = boto3.client("dynamodb")
            create_missing_tables(client, configured_table_names())
            yield client
    else:
        url = request.getfixturevalue("moto_server")
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", url)
        bind_models()
        client = boto3.client("dynamodb", endpoint_url=url)
        create_missing_tables(client, configured_table_names())
        yield client
    monkeypatch.undo()
    bind_models()


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]
