"""Shared fixtures. `pytest_configure` sets the tests' environment and runs the start-up, once
per process, as a Lambda container's init does."""

import io
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from community import startup
from community.data import models
from community.settings import get_settings
from devkit.dynamo import configured_table_names, create_missing_tables

TEST_ENVIRONMENT = {
    "AWS_REGION": "us-east-1",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "USERS_TABLE": "test-users",
    "EVENTS_TABLE": "test-events",
    "AUTH_CODES_TABLE": "test-auth-codes",
    "ATTENDANCES_TABLE": "test-attendances",
    "NOTIFICATIONS_TABLE": "test-notifications",
    "TELEGRAM_WEBHOOK_SECRET": "test-webhook-secret_0123456789",
    "TELEGRAM_BOT_TOKEN": "7000000001:TEST-bot-token-for-unit-tests",
    "JWT_SECRET": "test-jwt-secret-0123456789abcdef0123456789abcdef",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "CommunityTest",
    "POWERTOOLS_SERVICE_NAME": "community-test",
}


def pytest_configure() -> None:
    os.environ.update(TEST_ENVIRONMENT)
    os.environ.pop("DYNAMODB_ENDPOINT_URL", None)
    for variable in (
        "JWT_SECRET_ARN",
        "TELEGRAM_BOT_TOKEN_SECRET_ARN",
        "TELEGRAM_WEBHOOK_SECRET_ARN",
    ):
        os.environ.pop(variable, None)
    # Before any test loads a function (whose create_app would start it otherwise, possibly
    # inside a test that hooked the clients of an earlier binding).
    startup.start()


ROOT = Path(__file__).resolve().parents[1]
DYNALITE_CLI = ROOT / ".local/dynalite/node_modules/dynalite/cli.js"
# Tables ACTIVE at once, not after dynalite's default 500 ms: every test creates fresh ones.
TABLES_AT_ONCE = ["--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"]
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


@contextmanager
def daemon(
    command: list[str], log_path: Path, ready_url: str, timeout: float = 30.0, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process for the tests: its output goes to `log_path`, never to this run's
    stdout (CI reads that to the end), and it is stopped however the block ends."""
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **popen,
        )
        try:
            wait_for_http(ready_url, timeout=timeout)
            yield process
        finally:
            stop(process)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's DynamoDB server in its own process, spoken to over HTTP on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    with daemon(command, tmp_path_factory.mktemp("moto") / "moto_server.log", f"{url}/moto-api/"):
        yield url


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
def log_output() -> Iterator[io.StringIO]:
    """Everything the functions log, formatted as Powertools writes it to CloudWatch."""
    from community.observability import logger

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    level = logger.log_level
    logger.setLevel("DEBUG")  # successful requests are logged at DEBUG
    yield stream
    logger.setLevel(level)
    logger.removeHandler(handler)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def dynalite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """dynalite (an independent DynamoDB implementation on Node), in memory, in its own
    process. `make test` installs it (`make .local/dynalite/...`); a missing install fails."""
    if not DYNALITE_CLI.exists():
        pytest.fail(f"{DYNALITE_CLI} is missing: `make test` installs it (npm)")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        "node",
        str(DYNALITE_CLI),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *TABLES_AT_ONCE,
    ]
    with daemon(command, tmp_path_factory.mktemp("dynalite") / "dynalite.log", url):
        yield url


@dataclass(frozen=True)
class ServerBackend:
    """A DynamoDB-compatible server over HTTP, with what it was found to support."""

    name: str
    url: str
    client: object
    supports_transactions: bool
    supports_ttl: bool


def _supports(client: object, call: str, **arguments: object) -> bool:
    try:
        getattr(client, call)(**arguments)
    except ClientError as error:
        if error.response["Error"]["Code"] == "UnknownOperationException":
            return False
        raise
    return True


@pytest.fixture(scope="session")
def serialized_moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's server handling one request at a time (tests/serialized_moto_server.py says why)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        sys.executable,
        str(Path(__file__).with_name("serialized_moto_server.py")),
        "127.0.0.1",
        str(port),
    ]
    log = tmp_path_factory.mktemp("moto-serialized") / "moto_server.log"
    with daemon(command, log, f"{url}/moto-api/"):
        yield url


SERVER_FIXTURES = {
    "moto-server": "moto_server",
    "moto-server-serialized": "serialized_moto_server",
    "dynalite": "dynalite_server",
}


def fresh_server_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, name: str
) -> Iterator[ServerBackend]:
    """Fresh tables from template.yaml on the server `name` over HTTP. Table names are unique
    per test, so no server needs resetting. Missing features are probed, not assumed, so a
    test can say what it cannot check and why."""
    url = request.getfixturevalue(SERVER_FIXTURES[name])
    suffix = uuid.uuid4().hex[:8]
    for variable in (
        "USERS_TABLE",
        "EVENTS_TABLE",
        "AUTH_CODES_TABLE",
        "ATTENDANCES_TABLE",
        "NOTIFICATIONS_TABLE",
    ):
        monkeypatch.setenv(variable, f"{TEST_ENVIRONMENT[variable]}-{suffix}")
    monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", url)
    bind_models()
    client = boto3.client("dynamodb", endpoint_url=url)
    names = configured_table_names()
    create_missing_tables(client, names, ttl=False)
    supports_ttl = _supports(
        client,
        "update_time_to_live",
        TableName=names["AuthCodesTable"],
        TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": True},
    )
    supports_transactions = _supports(
        client,
        "transact_write_items",
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": names["UsersTable"],
                    "Key": {"pk": {"S": "PROBE#transactions"}},
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
        ],
    )
    yield ServerBackend(name, url, client, supports_transactions, supports_ttl)
    monkeypatch.undo()
    bind_models()


@pytest.fixture(params=["moto-server", "dynalite"])
def server_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServerBackend]:
    """Fresh tables on a real server over HTTP: moto's, then dynalite."""
    yield from fresh_server_backend(request, monkeypatch, request.param)


@pytest.fixture(params=["moto-server-serialized", "dynalite"])
def isolating_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[ServerBackend]:
    """For races between transactions: servers that do not undo one request with another
    (moto's, serialized; dynalite, which isolates each item write but has no transactions)."""
    yield from fresh_server_backend(request, monkeypatch, request.param)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`browser` on every test of a module that imports playwright, so `make test-fast` can
    leave the Chromium tests out (`-m 'not browser'`) without a list to keep up to date."""
    for item in items:
        module = getattr(item, "module", None)
        imported = vars(module).values() if module is not None else ()
        if any(getattr(value, "__module__", "").startswith("playwright") for value in imported):
            item.add_marker(pytest.mark.browser)


# Reliability figures: each case's count tried and count lost or let in, printed at the end of
# the run and kept in pytest's cache (.pytest_cache/v/reliability/figures) for the README.
FIGURES: dict[str, dict[str, int]] = {}


def record_figure(case: str, tried: int, lost: int, retried: int = 0) -> None:
    """`retried`: 503 answers the test client retried, as the API tells clients to."""
    entry = FIGURES.setdefault(case, {"tried": 0, "lost": 0, "retried": 0})
    entry["tried"] += tried
    entry["lost"] += lost
    entry["retried"] += retried


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its figures to the controller, which prints them."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["reliability_figures"] = FIGURES


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    """The controller adds up each xdist worker's figures as the worker finishes."""
    for case, entry in getattr(node, "workeroutput", {}).get("reliability_figures", {}).items():
        record_figure(case, entry["tried"], entry["lost"], entry["retried"])


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    terminalreporter.write_line("| case | tried | lost/let in | 503s retried |")
    terminalreporter.write_line("|---|---|---|---|")
    for case, entry in sorted(FIGURES.items()):
        terminalreporter.write_line(
            f"| {case} | {entry['tried']:,} | {entry['lost']:,} | {entry['retried']:,} |"
        )
    cache = terminalreporter.config.cache
    if cache is not None:
        cache.set("reliability/figures", FIGURES)
