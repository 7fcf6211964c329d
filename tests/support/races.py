"""Helpers for races: many threads released at once, and a client that retries 503s."""

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

MAX_ATTEMPTS = 5


def all_at_once[T, R](work: Callable[[T], R], inputs: list[T]) -> list[R]:
    """Run `work` on every input in its own thread, all released at the same moment."""
    start = threading.Barrier(len(inputs))

    def run(item: T) -> R:
        start.wait()
        return work(item)

    with ThreadPoolExecutor(max_workers=len(inputs)) as pool:
        return list(pool.map(run, inputs))


def retrying_503(call: Callable[[], dict[str, Any]], retried: list[int]) -> dict[str, Any]:
    """What the API asks of a client: a 503 is retried (briefly here, not Retry-After's full
    second, to keep the suite fast). moto's server answers some concurrent transactions with
    an HTML 500 (docs/reliability.md), which the service turns into that 503."""
    for _ in range(MAX_ATTEMPTS - 1):
        response = call()
        if response["statusCode"] != 503:
            return response
        retried.append(1)
        time.sleep(random.uniform(0.05, 0.2))
    return call()
