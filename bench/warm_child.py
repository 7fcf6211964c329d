"""Warm invocations of one handler with DynamoDB answered in-process, so the figures are our
code's overhead alone. The first invocation runs against the real (moto) endpoint and records
each DynamoDB response; later ones get those responses replayed from a botocore hook. The
'raw' figure replays the same DynamoDB calls straight through the same clients, without our
code. Prints JSON. Run by bench/run.py."""

import contextlib
import importlib.util
import itertools
import json
import statistics
import sys
import time
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError

from community.data import models
from devkit.functions.apigw import LambdaContext


def clients() -> list[Any]:
    found = [model._get_connection().connection.client for model in models.ALL_MODELS]
    found.append(models.connection().client)
    return list({id(client): client for client in found}.values())


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def status_of(response: dict[str, Any]) -> int:
    """The HTTP status; a stream function's partial batch response counts as 200 when no
    record failed, else 207 (some records to hand over again)."""
    if "statusCode" in response:
        return int(response["statusCode"])
    return 207 if response.get("batchItemFailures") else 200


def main() -> None:
    module_path, event_path, iterations = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spec = importlib.util.spec_from_file_location("bench_target", module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with open(event_path) as handle:
        event = json.load(handle)

    calls: list[tuple[Any, str, dict[str, Any]]] = []
    # In call order: an endpoint may make the same operation twice with different answers
    # (the RSVP routes read the member, then the event, both with GetItem).
    responses: list[tuple[str, int, dict[str, Any]]] = []

    def recorder(client: Any) -> Any:
        def record_params(params: dict[str, Any], model: Any, **_: Any) -> None:
            calls.append((client, model.name, dict(params)))

        return record_params

    def record_response(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        responses.append((model.name, http_response.status_code, parsed))

    # Every invocation makes the same calls in the same order, so the recording is replayed
    # round and round; a call out of step is a benchmark bug, not a figure.
    replayed = itertools.cycle(responses)

    def replay(model: Any, **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        operation, status, parsed = next(replayed)
        if operation != model.name:
            raise RuntimeError(f"replay out of step: {model.name} called, {operation} recorded")
        return AWSResponse("https://dynamodb.local", status, {}, None), parsed

    counted: list[str] = []

    def count(model: Any, **_: Any) -> None:
        counted.append(model.name)

    recorders = {id(client): recorder(client) for client in clients()}
    for client in clients():
        client.meta.events.register("before-parameter-build.dynamodb", recorders[id(client)])
        client.meta.events.register("after-call.dynamodb", record_response)
    first = module.handler(event, LambdaContext("bench"))
    recorded_calls = list(calls)
    for client in clients():
        client.meta.events.unregister("before-parameter-build.dynamodb", recorders[id(client)])
        client.meta.events.unregister("after-call.dynamodb", record_response)
        # The counter goes first: the replay answers the call, which stops the handler chain.
        client.meta.events.register("before-call.dynamodb", replay)
        client.meta.events.register_first("before-call.dynamodb", count)

    handler_ms = []
    for _ in range(iterations):
        started = time.perf_counter()
        module.handler(event, LambdaContext("bench"))
        handler_ms.append((time.perf_counter() - started) * 1000)
    calls_per_invocation = len(counted) / iterations

    # The same DynamoDB calls, through the same clients and the same replay, without our code.
    raw_ms = []
    for _ in range(iterations):
        started = time.perf_counter()
        for client, name, params in recorded_calls:
            # A refused condition (cancelling no RSVP) is an answer the handler reads too.
            with contextlib.suppress(ClientError):
                client._make_api_call(name, params)
        raw_ms.append((time.perf_counter() - started) * 1000)

    print(
        json.dumps(
            {
                "status": status_of(first),
                "handler_p50_ms": statistics.median(handler_ms),
                "handler_p99_ms": percentile(handler_ms, 0.99),
                "raw_p50_ms": statistics.median(raw_ms),
                "raw_p99_ms": percentile(raw_ms, 0.99),
                "dynamodb_calls": calls_per_invocation,
                "recorded_operations": [name for _, name, _ in recorded_calls],
            }
        )
    )


main()
