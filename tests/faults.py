"""Fault injection at botocore's event hooks: the data layer's real calls fail as DynamoDB
would fail them."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.awsrequest import AWSResponse

from community.data import models


def dynamodb_clients() -> list[Any]:
    return [model._get_connection().connection.client for model in models.ALL_MODELS] + [
        models.connection().client
    ]


@contextmanager
def failing(operation: str, code: str, times: int = 1_000) -> Iterator[list[str]]:
    """Make the next `times` calls of `operation` fail with error `code`."""
    failures: list[str] = []

    def fail(**_: Any) -> tuple[AWSResponse, dict[str, Any]] | None:
        if len(failures) >= times:
            return None
        failures.append(operation)
        response = AWSResponse("https://dynamodb.local", 400, {}, None)
        return response, {"Error": {"Code": code, "Message": "injected"}}

    clients = {id(client): client for client in dynamodb_clients()}.values()
    for client in clients:
        client.meta.events.register(f"before-call.dynamodb.{operation}", fail)
    try:
        yield failures
    finally:
        for client in clients:
            client.meta.events.unregister(f"before-call.dynamodb.{operation}", fail)


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

    clients = {id(client): client for client in dynamodb_clients()}.values()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", record)
    try:
        yield calls
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", record)
