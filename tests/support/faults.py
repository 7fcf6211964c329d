"""Fault injection at botocore's event hooks: the data layer's real calls fail as DynamoDB
would fail them."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError

from community.data import models


def dynamodb_clients() -> list[Any]:
    return [model._get_connection().connection.client for model in models.ALL_MODELS] + [
        models.connection().client
    ]


@contextmanager
def hooked(event_name: str, handler: Callable[..., Any]) -> Iterator[None]:
    """`handler` on `event_name` of every DynamoDB client the data layer uses, for the block."""
    clients = {id(client): client for client in dynamodb_clients()}.values()
    for client in clients:
        client.meta.events.register(event_name, handler)
    try:
        yield
    finally:
        for client in clients:
            client.meta.events.unregister(event_name, handler)


def error_answers(
    times: int, label: str, url: str, code: str, status: int, details: dict[str, Any] | None = None
) -> tuple[list[str], Callable[..., tuple[AWSResponse, dict[str, Any]] | None]]:
    """A `before-call` handler answering the next `times` calls with error `code` and HTTP
    `status` before they leave the process, and the list it records `label` in per answer."""
    answered: list[str] = []

    def fail(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if len(answered) >= times:
            return None
        answered.append(label)
        response = AWSResponse(url, status, {}, None)
        return response, {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
            **(details or {}),
        }

    return answered, fail


@contextmanager
def failing(
    operation: str,
    code: str,
    times: int = 1_000,
    status: int = 400,
    details: dict[str, Any] | None = None,
) -> Iterator[list[str]]:
    """Make the next `times` calls of `operation` fail with error `code` and HTTP `status`.
    An HTML error page (a proxy's, or a local server's crash) is code=str(status), which is
    what botocore makes of a body it cannot parse. `details`: more of the error response, as
    botocore parses it (a transaction's CancellationReasons)."""
    failures, fail = error_answers(
        times, operation, "https://dynamodb.local", code, status, details
    )
    with hooked(f"before-call.dynamodb.{operation}", fail):
        yield failures


@contextmanager
def timing_out(operation: str, kind: str, times: int = 1_000) -> Iterator[list[str]]:
    """Make the next `times` attempts of `operation` time out before reaching the server
    (`kind` "read" or "connect"). Raised from `before-send`, so botocore's own retries run
    (and time out again) as they would on a real network; their backoff delay is for the
    caller to skip."""
    failures: list[str] = []
    error_class = {"read": ReadTimeoutError, "connect": ConnectTimeoutError}[kind]

    def time_out(**_: Any) -> None:
        if len(failures) >= times:
            return
        failures.append(operation)
        raise error_class(endpoint_url="https://dynamodb.local")

    # More specific than moto's own `before-send` handler, so it runs first and the request
    # never reaches the (mocked) table.
    with hooked(f"before-send.dynamodb.{operation}", time_out):
        yield failures


@contextmanager
def counting_calls(
    on_params: Callable[[dict[str, Any]], None] | None = None,
) -> Iterator[list[str]]:
    """Records every DynamoDB API call the data layer makes (and, if asked, its parameters)."""
    calls: list[str] = []

    def record(model: Any, params: dict[str, Any], **_: Any) -> None:
        calls.append(model.name)
        if on_params:
            on_params(json.loads(params["body"] or b"{}"))

    with hooked("before-call.dynamodb", record):
        yield calls
