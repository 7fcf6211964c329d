"""Fresh tables from template.yaml for each test, on moto in-process or on a server over HTTP
(support.servers), with the data layer bound to them."""

import threading
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber

from community.data import models
from community.settings import get_settings
from devkit.template.dynamo import configured_table_names, create_missing_tables
from support.environment import TEST_ENVIRONMENT


def bind_models() -> None:
    get_settings.cache_clear()
    models.bind(get_settings())


@cache
def inspection_client(endpoint_url: str | None = None) -> Any:
    """The tests' own DynamoDB client, one per endpoint for the process: making one is a
    botocore session and a client, some 60 ms, and it holds no table state (the tables are
    the backend's; moto in-process answers any client made after moto's import, which hooks
    every session's `before-send`)."""
    return boto3.client("dynamodb", endpoint_url=endpoint_url)


def serialize_in_process_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto in-process answers each request in the calling thread, with no lock: under load a
    TransactWriteItems deep-copies a table while another thread writes it ("dictionary changed
    size during iteration", a 500) and its rollback can undo a concurrent commit. DynamoDB
    isolates requests; one at a time models that here, as support/serialized_moto_server.py
    does over HTTP, so concurrency tests test the service's conditions, not moto's races."""
    lock = threading.Lock()
    unlocked = BotocoreStubber.process_request

    def one_at_a_time(self: BotocoreStubber, request: Any) -> Any:
        with lock:
            return unlocked(self, request)

    monkeypatch.setattr(BotocoreStubber, "process_request", one_at_a_time)


@pytest.fixture(params=["in-process", "moto-server"])
def dynamodb(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Fresh tables from template.yaml, on moto in-process and on moto's server over HTTP.
    Yields a boto3 DynamoDB client on the same backend, for direct inspection."""
    if request.param == "in-process":
        monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
        serialize_in_process_requests(monkeypatch)
        with mock_aws():
            bind_models()
            client = inspection_client()
            create_missing_tables(client, configured_table_names())
            yield client
    else:
        url = request.getfixturevalue("moto_server")
        urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"))
        monkeypatch.setenv("DYNAMODB_ENDPOINT_URL", url)
        bind_models()
        client = inspection_client(url)
        create_missing_tables(client, configured_table_names())
        yield client
    monkeypatch.undo()
    bind_models()


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


def race_tables(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, name: str
) -> Iterator[tuple[str, bool]]:
    """For the race tests: fresh tables, bound, on `name` ("in-process": moto in-process, one
    request at a time; else a server of SERVER_FIXTURES). Yields (the backend's name, whether
    it has transactions)."""
    if name != "in-process":
        for backend in fresh_server_backend(request, monkeypatch, name):
            yield backend.name, backend.supports_transactions
        return
    monkeypatch.delenv("DYNAMODB_ENDPOINT_URL", raising=False)
    serialize_in_process_requests(monkeypatch)
    with mock_aws():
        bind_models()
        create_missing_tables(inspection_client(), configured_table_names())
        yield name, True
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
