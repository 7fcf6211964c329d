"""One cold start: a fresh interpreter imports a handler and answers one event. Prints the
figures as JSON. Run by bench/run.py, one process per measurement, as Lambda lays a function
out: `python -I -S -B cold_child.py MODULE EVENT PATH...` puts only PATH... (the function's
folder, then the layers) on sys.path, with no site-packages and no bytecode writes."""

import time

STARTED = time.perf_counter()

import importlib.util
import json
import sys
import uuid
from typing import Any  # the handler imports it anyway: no cost of its own


class LambdaContext:
    """What handlers and Powertools read of Lambda's context (no devkit import: under -I -S
    only the standard library and the given paths are importable)."""

    function_name = "bench"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def __init__(self) -> None:
        self.aws_request_id = str(uuid.uuid4())

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def status_of(response: dict[str, Any]) -> int:
    """The HTTP status; a stream function's partial batch response counts as 200 when no
    record failed, else 207 (some records to hand over again)."""
    if "statusCode" in response:
        return int(response["statusCode"])
    return 207 if response.get("batchItemFailures") else 200


def main() -> None:
    module_path, event_path, *paths = sys.argv[1:]
    sys.path[:0] = paths
    spec = importlib.util.spec_from_file_location("bench_target", module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    imported = time.perf_counter()
    with open(event_path) as handle:
        event = json.load(handle)
    response = module.handler(event, LambdaContext())
    answered = time.perf_counter()
    print(
        json.dumps(
            {
                "import_ms": (imported - STARTED) * 1000,
                "first_response_ms": (answered - STARTED) * 1000,
                "after_init_ms": (answered - imported) * 1000,
                "status": status_of(response),
            }
        )
    )


main()
