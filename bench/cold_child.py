"""One cold start: a fresh interpreter imports a handler and answers one event. Prints the
figures as JSON. Run by bench/run.py, one process per measurement."""

import time

STARTED = time.perf_counter()

import importlib.util
import json
import sys

from devkit.apigw import LambdaContext


def main() -> None:
    module_path, event_path = sys.argv[1], sys.argv[2]
    spec = importlib.util.spec_from_file_location("bench_target", module_path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    imported = time.perf_counter()
    with open(event_path) as handle:
        event = json.load(handle)
    response = module.handler(event, LambdaContext("bench"))
    answered = time.perf_counter()
    print(
        json.dumps(
            {
                "import_ms": (imported - STARTED) * 1000,
                "first_response_ms": (answered - STARTED) * 1000,
                "status": response["statusCode"],
            }
        )
    )


main()
