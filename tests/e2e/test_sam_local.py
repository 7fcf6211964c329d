"""The functions under the real `sam local invoke` and `sam local start-api`: the built
template, the built layers, the Lambda runtime interface client and Docker, with DynamoDB from
moto's server in a container on a network of this run's own (see tools/devkit/samlocal/).

Run by `make test-sam` (part of `make test`), which provides the Docker engine, the images
and `sam build`; excluded from a plain `pytest` run by the `sam_local` marker."""

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from sam_walk_through import walk_through

from devkit.functions.fixtures import expected, fixture_path
from devkit.samlocal.docker import SamLocalError
from devkit.samlocal.invoke import fixture_event, fixture_name, functions
from devkit.samlocal.sam import Stack, sam_local_stack, start_api

# The module's first test also starts the stack (images, moto's container); each `sam local`
# call has its own bound (devkit.samlocal.sam), so this only stops a hang they miss.
pytestmark = [pytest.mark.sam_local, pytest.mark.timeout(1800)]

LOG_DIR = Path(__file__).resolve().parents[2] / ".local" / "sam-local" / "test"
# `sam local invoke`s at a time. The first builds sam's image with the layers (once per layer
# content: devkit.samlocal.layers), under a lock: one that starts meanwhile waits for it. Not
# more by default: the functions compete for the cores, and on a 2-core machine busy with other
# work three at a time let more of them run past their 10 s timeout than two.
PARALLEL_INVOKES = int(os.environ.get("SAM_LOCAL_PARALLEL", "2"))


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    with sam_local_stack(LOG_DIR) as started:
        started.use_in_this_process()
        yield started


@pytest.fixture(scope="module")
def invoked(stack: Stack) -> dict[str, dict[str, Any] | SamLocalError]:
    """Every function that has a fixture, each by its own `sam local invoke` with its fixture's
    event (placeholders filled here first, one by one), PARALLEL_INVOKES at a time. Each
    test below reads its function's result (or the error its invoke raised)."""
    events = {
        function: fixture_event(fixture_name(function))
        for function in functions()
        if fixture_path(fixture_name(function)).exists()
    }

    def invoke(function: str) -> dict[str, Any] | SamLocalError:
        try:
            return stack.invoke(function, events[function])
        except SamLocalError as error:
            return error

    with ThreadPoolExecutor(max_workers=PARALLEL_INVOKES) as pool:
        return dict(zip(events, pool.map(invoke, events), strict=True))


@pytest.mark.parametrize("function", functions())
def test_sam_local_invoke_answers_the_fixture_with_its_documented_status(
    invoked: dict[str, dict[str, Any] | SamLocalError], function: str
) -> None:
    # Given the function's fixture, its placeholders filled by the setup step
    name = fixture_name(function)
    assert fixture_path(name).exists(), f"events_fixtures/{name}.json is missing"

    # When `sam local invoke` runs it in the emulation image, with the built layers
    result = invoked[function]
    if isinstance(result, SamLocalError):
        raise result

    # Then it answers with the status the fixture documents, as JSON (a stream-fed function:
    # the partial batch response the fixture documents)
    if "batchItemFailures" in expected(name):
        assert result == {"batchItemFailures": expected(name)["batchItemFailures"]}, result
        return
    assert result["statusCode"] == expected(name)["statusCode"], result
    assert result["headers"]["content-type"] == expected(name)["contentType"], result


def test_sam_local_start_api_serves_the_member_walk_through(stack: Stack) -> None:
    # Given `sam local start-api` on loopback, functions on the run's network
    with start_api(stack) as base:
        # When a member walks through every step whose route the template has
        ran = walk_through(base, stack)

    # Then every step answered as expected, and at least the login ran
    print(f"walk-through steps: {', '.join(ran)}")
    assert {"generate-code", "callback"} <= set(ran), ran
