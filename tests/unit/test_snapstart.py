"""SnapStart hooks: registered with the runtime's hook module when it exists, and doing their
work when called."""

import random
import sys
import types
from collections.abc import Callable

import pytest
from support.faults import failing

from community import snapstart
from community.data import models
from community.observability import logger
from community.settings import get_settings


def test_hooks_register_with_the_lambda_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, Callable[[], None]] = {}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = lambda hook: registered.setdefault("after", hook)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    snapstart.register()

    assert list(registered) == ["after"]
    assert registered["after"].__name__ == "after_restore"


def test_priming_sets_the_client_up_without_a_request_and_restore_reseeds() -> None:
    # Given a fresh connection, as at cold start
    models.bind(get_settings())

    # When init primes it (no DynamoDB is reachable here: the call must never be sent)
    with failing("GetItem", "ShouldNeverBeSent") as sent:
        models.prime()

    # Then the client exists, and the primed GetItem was answered before any other handler
    # (one that counts or fails requests) saw it
    assert models.connection()._client is not None
    assert sent == []

    random.seed(1)
    snapshot_state = random.random()
    random.seed(1)
    snapstart.after_restore()
    assert random.random() != snapshot_state
    logger.remove_keys(["restored_from_snapshot"])  # the process goes on with other tests
