"""SnapStart hooks: registered with the runtime's hook module when it exists, and doing their
work when called."""

import importlib
import random
import sys
import types
from collections.abc import Callable

import pytest

from community import snapstart
from community.data import models


def test_hooks_register_with_the_lambda_runtime(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[str, Callable[[], None]] = {}
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_before_snapshot = lambda hook: registered.setdefault("before", hook)  # type: ignore[attr-defined]
    runtime.register_after_restore = lambda hook: registered.setdefault("after", hook)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    reloaded = importlib.reload(snapstart)

    assert registered["before"].__name__ == "before_snapshot"
    assert registered["after"].__name__ == "after_restore"
    monkeypatch.delitem(sys.modules, "snapshot_restore_py")
    importlib.reload(reloaded)


def test_before_snapshot_creates_the_shared_client_and_restore_reseeds() -> None:
    snapstart.before_snapshot()
    assert models.connection()._client is not None

    random.seed(1)
    snapshot_state = random.random()
    random.seed(1)
    snapstart.after_restore()
    assert random.random() != snapshot_state
